"""A private primary, its GTID replica and the app served by gunicorn against both, once per module.

The app runs in processes of its own, with its own settings (`DB_REPLICA_HOSTS` naming the
replica), so the router under test is the real one; this process only talks HTTP to the app and
SQL to the two servers, to read their counters and to stop, kill or delay the replica.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from tests.faults.servers import free_port
from tests.replica.servers import HOST, ROOT, ReplicatedMariaDB

ON_MARIADB = settings.DATABASES["default"]["ENGINE"] == "irctc.mariadb"
# How far behind the app lets its replica be; the lag test waits a little longer than this.
MAX_LAG_SECONDS = 2
PASSENGERS = 40


class App:
    """gunicorn serving the app against the pair; JSON over HTTP with a passenger's token."""

    def __init__(self, env: dict, log_path: Path):
        self.port = free_port()
        self.env = {**env, "BIND": f"{HOST}:{self.port}"}
        self.log_path = log_path
        self.process = None

    def start(self, timeout: float = 60.0):
        command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "--max-requests", "0"]
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.url("/api/health/"), timeout=10).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s: {self.log_path.read_text()[-3000:]}")

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def get(self, path: str, token: str | None = None, **params) -> requests.Response:
        return requests.get(self.url(path), params=params, headers=_auth(token), timeout=30)

    def post(self, path: str, body: dict, token: str) -> requests.Response:
        return requests.post(self.url(path), json=body, headers=_auth(token), timeout=30)

    def tracebacks(self) -> int:
        return self.log_path.read_bytes().count(b"Traceback (most recent call last)")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def _auth(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    if not ON_MARIADB:
        pytest.skip("needs DB_ENGINE=mysql: replicates between private MariaDB servers")
    pair = ReplicatedMariaDB(tmp_path_factory.mktemp("mariadb"), general_log=True).start()
    try:
        pair.migrate()
        pair.wait_until_replica_caught_up()
        yield pair
    finally:
        pair.stop()


@pytest.fixture(scope="module")
def app_env(pair):
    # Read-your-writes marks live in the cache: with several workers it must be shared (Redis).
    redis_url = os.environ.get("REDIS_URL", "")
    return pair.app_env(
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        DB_REPLICA_MAX_LAG=MAX_LAG_SECONDS,
        REDIS_URL=redis_url,
        WEB_CONCURRENCY=2 if redis_url else 1,
        WEB_THREADS=16,
        LOG_LEVEL="WARNING",
        # These tests count which server answered each search; a cached answer would need none.
        SEARCH_CACHE_SECONDS="0",
    )


@pytest.fixture(scope="module")
def seeded(pair, app_env):
    completed = subprocess.run(
        [sys.executable, "tests/replica/seed.py", str(PASSENGERS)],
        cwd=ROOT,
        env=app_env,
        check=True,
        capture_output=True,
        text=True,
    )
    pair.wait_until_replica_caught_up()
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def app(app_env, seeded, tmp_path_factory):
    app = App(app_env, tmp_path_factory.mktemp("app") / "gunicorn.log").start()
    try:
        yield app
    finally:
        app.stop()
    assert app.tracebacks() == 0, app.log_path.read_text()[-5000:]


def tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()
