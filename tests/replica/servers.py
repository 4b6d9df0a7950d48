"""A private MariaDB primary and GTID replica, and the app served against them.

Used by tests/replica and by the benchmark's replica phase. Both servers are `mariadbd`
processes of their own, on free ports, with their own data directories under a scratch
directory: the shared server is never touched, and a test may stop, kill or delay its replica.

    python -m tests.replica.servers     # starts a pair and prints how to connect, until Ctrl-C
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mysql.connector

from tests.faults.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
DATABASE = "irctc"
APP_USER, APP_PASSWORD = "irctc_app", "replica-test-only-password"
REPLICATION_USER, REPLICATION_PASSWORD = "irctc_repl", "replication-test-only-password"


def mariadb_binary(name: str) -> str:
    found = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.path.exists(p)), None
    )
    if found is None:
        raise RuntimeError(f"{name} is not installed (apt-get install mariadb-server)")
    return found


class MariaDB:
    """One mariadbd with its own data directory; root (no password) over TCP for the tests."""

    system_user = "root"  # the account mariadbd runs as, when started by root

    def __init__(self, directory: Path, *, server_id: int, extra_options: tuple[str, ...] = ()):
        self.directory, self.server_id, self.extra_options = directory, server_id, extra_options
        self.datadir = directory / "data"
        self.port = free_port()
        self.process = None
        self._monitor = None

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def install(self):
        command = [
            mariadb_binary("mariadb-install-db"),
            "--no-defaults",
            f"--datadir={self.datadir}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ]
        # Seen failing once, and not again, while other servers started on the machine: one retry.
        for _attempt in range(2):
            completed = subprocess.run(command, capture_output=True, text=True)
            if completed.returncode == 0:
                return self
            shutil.rmtree(self.datadir, ignore_errors=True)
        raise RuntimeError(f"mariadb-install-db failed: {(completed.stdout + completed.stderr)[-2000:]}")

    def start(self, timeout: float = 30.0):
        options = [
            "--no-defaults",
            f"--datadir={self.datadir}",
            f"--port={self.port}",
            f"--bind-address={HOST}",
            f"--socket={self.directory / 'mariadb.sock'}",
            f"--pid-file={self.directory / 'mariadb.pid'}",
            f"--log-error={self.directory / 'error.log'}",
            f"--user={self.system_user}",
            "--skip-name-resolve",
            f"--server-id={self.server_id}",
            "--log-bin=mariadb-bin",
            "--binlog-format=ROW",
            "--gtid-strict-mode=ON",
            "--innodb-buffer-pool-size=256M",
            "--max-connections=500",
            *self.extra_options,
        ]
        self.process = subprocess.Popen([mariadb_binary("mariadbd"), *options], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited with {self.process.returncode}: {self.error_log()}")
            try:
                self.query("SELECT 1")
                return self
            except mysql.connector.Error:
                time.sleep(0.1)
        raise RuntimeError(f"mariadbd on {self.address} did not answer within {timeout:.0f} s: {self.error_log()}")

    def error_log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text()[-2000:] if path.exists() else ""

    def connect(self, **options):
        return mysql.connector.connect(
            host=HOST, port=self.port, user="root", password="", use_pure=True, autocommit=True, **options
        )

    def query(self, sql: str, params=()) -> list[tuple]:
        connection = self.connect()
        try:
            cursor = connection.cursor()
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.with_rows else []
        finally:
            connection.close()

    def execute(self, *statements: str):
        connection = self.connect()
        try:
            cursor = connection.cursor()
            for statement in statements:
                cursor.execute(statement)
                if cursor.with_rows:
                    cursor.fetchall()
        finally:
            connection.close()

    def status(self, name: str) -> int:
        """A global status counter, such as Com_select (SELECTs this server answered).

        Read on a connection kept open for it: opening one runs a SELECT of the driver's own,
        which would count as a read the app made.
        """
        for attempt in range(2):
            try:
                if self._monitor is None or not self._monitor.is_connected():
                    self._monitor = self.connect()
                cursor = self._monitor.cursor()
                cursor.execute("SHOW GLOBAL STATUS LIKE %s", (name,))
                return int(cursor.fetchall()[0][1])
            except mysql.connector.Error:
                self._monitor = None
                if attempt:
                    raise

    def now(self) -> str:
        return self.query("SELECT NOW(6)")[0][0].isoformat(sep=" ")

    def app_reads_since(self, moment: str, table: str = "") -> int:
        """Reads of the app's tables (`table` alone if given) the app's user sent since `moment`.

        From the general log (`general_log=True`): SELECT and WITH ... SELECT statements, by
        their text, so the driver's own connection set-up (`SELECT VERSION()`, ...) and
        these tests' queries (as root) don't count.
        """
        pattern = table or "(accounts|trains|bookings)_"
        return self.query(
            "SELECT COUNT(*) FROM mysql.general_log WHERE event_time >= %s AND user_host LIKE %s"
            " AND command_type IN ('Query', 'Execute')"
            " AND CONVERT(argument USING utf8mb4) REGEXP '^[[:space:]]*(SELECT|WITH)[[:space:]]'"
            " AND CONVERT(argument USING utf8mb4) REGEXP %s",
            (moment, f"{APP_USER}[%", pattern),
        )[0][0]

    def kill(self):
        """SIGKILL, as a crash would: no shutdown, no goodbye to clients."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class ReplicatedMariaDB:
    """A primary and one GTID replica of it (read-only), with the app's database and user."""

    def __init__(self, directory: Path | None = None, *, general_log: bool = False):
        self._scratch = None if directory else tempfile.mkdtemp(prefix="irctc-replica-")
        base = Path(directory or self._scratch)
        # Every statement, into the mysql.general_log table: which server answered what.
        logging = ("--general-log=1", "--log-output=TABLE") if general_log else ()
        self.primary = MariaDB(base / "primary", server_id=1, extra_options=logging)
        self.replica = MariaDB(
            base / "replica",
            server_id=2,
            extra_options=("--read-only", "--relay-log=relay-bin", "--log-slave-updates", *logging),
        )

    def start(self):
        for server in (self.primary, self.replica):
            server.directory.mkdir(parents=True, exist_ok=True)
            server.install()
        self.primary.start()
        self.replica.start()
        grants = []
        for host in (HOST, "localhost"):
            grants += [
                f"CREATE USER '{APP_USER}'@'{host}' IDENTIFIED BY '{APP_PASSWORD}'",
                f"GRANT ALL PRIVILEGES ON `{DATABASE}`.* TO '{APP_USER}'@'{host}'",
                # SHOW REPLICA STATUS, which the app reads for the replica's lag.
                f"GRANT SLAVE MONITOR ON *.* TO '{APP_USER}'@'{host}'",
            ]
        self.primary.execute(
            f"CREATE USER '{REPLICATION_USER}'@'{HOST}' IDENTIFIED BY '{REPLICATION_PASSWORD}'",
            f"GRANT REPLICATION SLAVE ON *.* TO '{REPLICATION_USER}'@'{HOST}'",
            f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
            *grants,
        )
        self.replica.execute(
            f"CHANGE MASTER TO MASTER_HOST='{HOST}', MASTER_PORT={self.primary.port},"
            f" MASTER_USER='{REPLICATION_USER}', MASTER_PASSWORD='{REPLICATION_PASSWORD}',"
            " MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
            "START SLAVE",
        )
        self.wait_until_replica_caught_up()
        return self

    def wait_until_replica_caught_up(self, timeout: float = 30.0):
        """Until the replica has applied everything the primary has written so far."""
        position = self.primary.query("SELECT @@gtid_binlog_pos")[0][0]
        result = self.replica.query("SELECT MASTER_GTID_WAIT(%s, %s)", (position, timeout))[0][0]
        if result != 0:
            raise RuntimeError(f"the replica did not reach {position} within {timeout} s: {self.replica_status()}")

    def replica_status(self) -> dict:
        connection = self.replica.connect()
        try:
            cursor = connection.cursor(dictionary=True)
            cursor.execute("SHOW REPLICA STATUS")
            return cursor.fetchone() or {}
        finally:
            connection.close()

    def set_replica_delay(self, seconds: int):
        """Replication delayed on purpose (MASTER_DELAY): the replica applies each write that late."""
        self.replica.execute("STOP SLAVE", f"CHANGE MASTER TO MASTER_DELAY={int(seconds)}", "START SLAVE")

    def app_env(self, *, replicas: bool = True, **extra) -> dict:
        """The environment of a manage.py or gunicorn process using this primary (and replica)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "THROTTLE_", "MONGO_"))}
        env.update(
            DB_ENGINE="mysql",
            DB_NAME=DATABASE,
            DB_USER=APP_USER,
            DB_PASSWORD=APP_PASSWORD,
            DB_HOST=HOST,
            DB_PORT=str(self.primary.port),
            DB_REPLICA_HOSTS=self.replica.address if replicas else "",
            MONGO_URI="mongomock://",
            THROTTLE_AUTH="off",
            THROTTLE_BOOKING="off",
            THROTTLE_USER="off",
            THROTTLE_ANON="off",
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update({key: str(value) for key, value in extra.items()})
        return env

    def migrate(self):
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.app_env(replicas=False, SECRET_KEY="migrate-only", DEBUG="true"),
            check=True,
            capture_output=True,
            text=True,
        )

    def stop(self):
        for server in (self.replica, self.primary):
            server.stop()
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)


def main():
    pair = ReplicatedMariaDB().start()
    try:
        pair.migrate()
        print(json.dumps({"primary": pair.primary.address, "replica": pair.replica.address}), flush=True)
        print(f"DB_HOST={HOST} DB_PORT={pair.primary.port} DB_NAME={DATABASE} DB_USER={APP_USER} ", end="")
        print(f"DB_PASSWORD={APP_PASSWORD} DB_REPLICA_HOSTS={pair.replica.address}  (Ctrl-C stops both)", flush=True)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        pair.stop()


if __name__ == "__main__":
    main()
