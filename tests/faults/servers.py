"""The processes a fault test breaks: a private MariaDB server and the app served by gunicorn.

`PrivateMariaDB` is a `mariadbd` of its own (`mariadb-install-db` into a temporary data
directory, `--no-defaults`, a free port, its own socket), so killing or pausing it never touches
the machine's shared server. `App` is the production command's gunicorn (gunicorn.conf.py, real
worker processes) pointed at it. Both keep their output in the temporary directory, and
`describe()` returns its tail for a failing assertion.
"""

import getpass
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MARIADBD_CANDIDATES = ["/usr/sbin/mariadbd", shutil.which("mariadbd") or ""]


# Ports handed out by this process, so that two servers started together never get the same one.
_handed_out: set[int] = set()


def free_port() -> int:
    """A port nobody listens on, below the kernel's range of ephemeral ports. A port from that range
    (what binding port 0 gives) can become the source port of any outgoing connection between this
    choice and the server binding it, and some servers bind theirs late: a Galera joiner's rsync
    state transfer listens only once the cluster has asked it for the state."""
    low = _ephemeral_ports_start()
    chooser = random.SystemRandom()
    while True:
        port = chooser.randrange(10000, low)
        if port in _handed_out:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


def _ephemeral_ports_start() -> int:
    try:
        start = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        start = 32768  # Linux's default
    return max(start, 11000)


def mariadbd_path() -> str | None:
    return next((path for path in MARIADBD_CANDIDATES if path and os.access(path, os.X_OK)), None)


def missing_tools() -> list[str]:
    missing = [] if mariadbd_path() else ["mariadbd"]
    return missing + [tool for tool in ("mariadb-install-db", "mariadb") if shutil.which(tool) is None]


def wait_until_stopped(pid: int, within: float = 5.0) -> None:
    """SIGSTOP returns before every thread has stopped; a thread still running could answer."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        states = []
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                states.append((task / "stat").read_text().rsplit(")", 1)[1].split()[0])
            except (OSError, IndexError):
                continue
        if states and all(state in {"T", "t"} for state in states):
            return
        time.sleep(0.01)
    raise RuntimeError(f"process {pid} did not stop within {within} s")


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class PrivateMariaDB:
    DATABASE = "irctc"

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.datadir = workdir / "data"
        self.socket = workdir / "mariadb.sock"
        self.log = workdir / "mariadb.log"
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def install(self) -> None:
        subprocess.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                f"--user={getpass.getuser()}",
            ],
            check=True,
            capture_output=True,
        )
        self.start()
        # USE_TZ: Django's date lookups convert to Asia/Kolkata on the server.
        zones = subprocess.run(
            ["mariadb-tzinfo-to-sql", "/usr/share/zoneinfo/Asia/Kolkata", "Asia/Kolkata"],
            check=True,
            capture_output=True,
        ).stdout
        self.sql(zones.decode(), database="mysql")
        self.sql(f"CREATE DATABASE {self.DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")

    def start(self) -> None:
        command = [
            mariadbd_path(),
            "--no-defaults",
            f"--datadir={self.datadir}",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            f"--socket={self.socket}",
            f"--pid-file={self.workdir / 'mariadb.pid'}",
            f"--log-error={self.log}",
            "--skip-log-bin",
            "--innodb-buffer-pool-size=64M",
            "--max-connections=100",
        ]
        if os.geteuid() == 0:
            command.append("--user=root")
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited with {self.process.returncode}:\n{_tail(self.log)}")
            if self.answers():
                return
            time.sleep(0.1)
        raise RuntimeError(f"mariadbd did not answer within 60 s:\n{_tail(self.log)}")

    def answers(self) -> bool:
        probe = subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", "--connect-timeout=2", "-e", "SELECT 1"],
            capture_output=True,
        )
        return probe.returncode == 0

    def sql(self, statements: str, database: str | None = None) -> str:
        command = ["mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", "-N", "-B"]
        if database:
            command.append(database)
        done = subprocess.run(command, input=statements.encode(), capture_output=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"mariadb failed: {done.stderr.decode(errors='replace')}")
        return done.stdout.decode()

    # --- faults ---------------------------------------------------------------------------------

    def kill(self) -> None:
        """kill -9: the process is gone mid-whatever, as in a crash or an OOM kill."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def pause(self) -> None:
        """SIGSTOP: connections stay open and nothing answers, as on a hung host."""
        self.process.send_signal(signal.SIGSTOP)
        wait_until_stopped(self.process.pid)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def kill_connection(self, connection_id: int) -> bool:
        """KILL CONNECTION, as when a client host dies; False if it had ended already."""
        try:
            self.sql(f"KILL CONNECTION {connection_id}")
        except RuntimeError as error:
            if "1094" in str(error):  # unknown thread id: it finished meanwhile
                return False
            raise
        return True

    def restart(self) -> None:
        """A clean stop (SIGTERM: connections closed by the server), then the same server again."""
        self.stop()
        self.start()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def describe(self) -> str:
        return f"--- mariadb log ---\n{_tail(self.log)}"


class App:
    """gunicorn with the repository's gunicorn.conf.py, shaped as it serves on these 2-core machines:
    4 single-threaded sync worker processes on one listening socket."""

    WORKERS = 4
    TIMEOUT = 30  # gunicorn's worker timeout (WEB_TIMEOUT)

    def __init__(self, workdir: Path, database: PrivateMariaDB, **overrides: str):
        self.workdir = workdir
        self.port = free_port()
        self.log = workdir / "gunicorn.log"
        self.process: subprocess.Popen | None = None
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DB_", "DJANGO_", "PYTEST", "MONGO", "THROTTLE_", "WEB_"))
        }
        self.env.update(
            {
                "SECRET_KEY": secrets.token_urlsafe(50),
                "DEBUG": "false",
                "DB_ENGINE": "mysql",
                "DB_NAME": database.DATABASE,
                "DB_USER": "root",
                "DB_PASSWORD": "",
                "DB_HOST": "127.0.0.1",
                "DB_PORT": str(database.port),
                # Short, so a pause costs seconds; the fault suite is about what happens after.
                "DB_CONNECT_TIMEOUT": "2",
                "DB_READ_TIMEOUT": "4",
                "DB_LOCK_WAIT_SECONDS": "2",
                "REDIS_URL": "",
                "MONGO_URI": "mongomock://",
                "SEARCH_LOG_ENABLED": "false",
                "THROTTLE_AUTH": "off",
                "THROTTLE_BOOKING": "off",
                "THROTTLE_USER": "off",
                "THROTTLE_ANON": "off",
                "LOG_LEVEL": "WARNING",
                "BIND": f"127.0.0.1:{self.port}",
                "WEB_CONCURRENCY": str(self.WORKERS),
                "WEB_THREADS": "1",
                "WEB_TIMEOUT": str(self.TIMEOUT),
                "DJANGO_SUPERUSER_PASSWORD": "Fault-Admin-2026!",
                # gunicorn 27 opens a control socket, by default one per user: keep ours private.
                "XDG_RUNTIME_DIR": str(workdir),
                **overrides,
            }
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> None:
        # As scripts/serve.sh migrates: without a read timeout, on a machine as slow as it is.
        env = {**self.env, "DB_READ_TIMEOUT": "0"}
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr.decode(errors='replace')[-3000:]}")

    def prepare(self) -> None:
        self.manage("migrate", "--noinput")
        self.manage("createsuperuser", "--noinput", "--username=faultadmin", "--email=faultadmin@example.com")

    def start(self) -> None:
        self.log_handle = open(self.log, "ab")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{_tail(self.log)}")
            status, _body, _headers = request(self.url + "/api/health/", timeout=5)
            if status == 200 and len(self.worker_pids()) == self.WORKERS:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not serve within 60 s:\n{_tail(self.log)}")

    def worker_pids(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        for pid in self.worker_pids():
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self.process.terminate()
        try:
            self.process.wait(35)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log_handle.close()

    def describe(self) -> str:
        return f"--- gunicorn log ---\n{_tail(self.log, 60)}"


NO_CONNECTION = 0
TIMED_OUT = -1


def request(url: str, *, method: str = "GET", body=None, token: str | None = None, headers=None, timeout=40.0):
    """(status, JSON body or None, headers); `NO_CONNECTION` or `TIMED_OUT` instead of a status."""
    data = json.dumps(body).encode() if body is not None else None
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, _json(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read()), dict(error.headers)
    except TimeoutError:
        return TIMED_OUT, None, {}
    except urllib.error.URLError as error:
        return (TIMED_OUT if isinstance(error.reason, TimeoutError | socket.timeout) else NO_CONNECTION), None, {}
    except (ConnectionError, http.client.HTTPException):
        return NO_CONNECTION, None, {}


def _json(raw: bytes):
    try:
        return json.loads(raw)
    except ValueError:
        return {"<not json>": raw[:200].decode(errors="replace")}
