"""A MongoDB wire-protocol server process of a test's own, to kill, pause and bring back.

It is the server `scripts/mongo.sh` installs into `.mongo-venv/` (SecantusDB, in memory), run
directly so the test holds its PID. Where it is not installed the tests that need it are skipped,
except in CI (CI=true), where they fail: .ci/run installs it.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pymongo
import pytest
from django.conf import settings

from tests.faults.servers import free_port

MONGO_TEST_URI = os.environ.get("MONGO_TEST_URI", "").strip()
SERVER_BIN = Path(settings.BASE_DIR) / ".mongo-venv" / "bin" / "secantusd-py"
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 30.0


def missing_in_ci() -> bool:
    """Whether a missing MongoDB must fail the run rather than skip it."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_server_bin() -> Path:
    if SERVER_BIN.exists():
        return SERVER_BIN
    reason = f"{SERVER_BIN} is not installed (scripts/mongo.sh install)"
    if missing_in_ci():
        pytest.fail(f"CI must run the MongoDB server tests: {reason}")
    pytest.skip(reason)


class WireServer:
    """One server process on a fixed port; `start` again after `kill` is a new, empty server there."""

    def __init__(self, log_dir: Path, port: int | None = None):
        self.bin = require_server_bin()
        self.port = port or free_port()
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def uri(self) -> str:
        return f"mongodb://{HOST}:{self.port}"

    def start(self) -> "WireServer":
        self.starts += 1
        log = open(self.log_dir / f"mongo-{self.port}-{self.starts}.log", "wb")
        where = ["--host", HOST, "--port", str(self.port)]
        command = [str(self.bin), *where, "--storage-path", ":memory:", "--standalone"]
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self._wait_for_ping()
        return self

    def _wait_for_ping(self) -> None:
        client = pymongo.MongoClient(self.uri, serverSelectionTimeoutMS=300, connectTimeoutMS=300)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        try:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the MongoDB server exited at start-up (see {self.log_dir})")
                try:
                    client.admin.command("ping")
                    return
                except pymongo.errors.PyMongoError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL: gone at once, as in a crash; its in-memory logs with it."""
        self.process.kill()
        self.process.wait(10)

    def pause(self) -> None:
        """SIGSTOP: the kernel still accepts connections and requests, nothing answers them."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.resume()
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
