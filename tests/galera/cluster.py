"""A private three-node MariaDB Galera cluster with HAProxy in front, for tests and for trying it.

Each node is a `mariadbd` of its own (`tests.replica.servers.MariaDB`: its own data directory
and free ports) with `wsrep_on`, the Galera provider and its own group-communication, IST and
SST ports, so the shared server is never touched. The first node bootstraps the cluster
(`--wsrep-new-cluster`), the others join it by a full state transfer (rsync); a node that comes
back after a crash or a pause catches up by an incremental one (IST) from the writeset cache of
the others.

HAProxy sends every connection to one node, the writer, and the other two are backups; its
health check (`scripts/galera_check.sh`) passes only on a node that is Synced, ready and in the
primary component, so a node that is joining, donating, cut off or paused gets no client. See
docs/galera.md for why there is a single writer and how it fails over.

    python -m tests.galera.cluster start [DIRECTORY]   # starts one, prints how to connect, returns
    python -m tests.galera.cluster stop DIRECTORY       # stops it by the PIDs it wrote there
"""

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import mysql.connector

from tests.faults.servers import free_port, wait_until_stopped
from tests.replica.servers import HOST, ROOT, MariaDB, mariadb_binary

DATABASE = "irctc"
CHECK_USER = "clustercheck"
CHECK_SCRIPT = ROOT / "scripts" / "galera_check.sh"
PROVIDERS = ("/usr/lib/galera/libgalera_smm.so", "/usr/lib/libgalera_smm.so", "/usr/lib64/galera-4/libgalera_smm.so")
SYNCED = 4  # wsrep_local_state: the node has applied everything and serves

# How soon the group notices a silent member and carries on without it. Galera's defaults (a
# member is suspected after 5 s, dropped after 15 s) stall every commit for that long when the
# writer hangs; these are what the failover figures in docs/galera.md were measured with.
GROUP_TIMEOUTS = (
    "evs.keepalive_period=PT0.5S; evs.suspect_timeout=PT2S; evs.inactive_check_period=PT0.5S;"
    " evs.inactive_timeout=PT3S; evs.install_timeout=PT3S; evs.join_retrans_period=PT0.5S"
)


def missing_tools() -> list[str]:
    """What this machine lacks to run a cluster (the Debian packages named in .ci/run)."""
    missing = [] if galera_provider() else ["galera-4"]
    for tool, package in (
        ("mariadbd", "mariadb-server"),
        ("haproxy", "haproxy"),
        ("rsync", "rsync"),
        ("ss", "iproute2"),
        ("mariadb", "mariadb-client"),
    ):
        try:
            mariadb_binary(tool)
        except RuntimeError:
            missing.append(package)
    return missing


def _give_to_mysql(directory: Path):
    account = pwd.getpwnam("mysql")
    for path in [directory, *directory.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)


def galera_provider() -> str | None:
    return next((path for path in PROVIDERS if os.path.exists(path)), None)


class GaleraNode(MariaDB):
    """One member: a `MariaDB` started with wsrep on, able to crash, hang and come back."""

    def __init__(self, directory: Path, *, index: int):
        super().__init__(directory, server_id=index)
        self.name = f"node{index}"
        self.group_port, self.ist_port, self.sst_port = free_port(), free_port(), free_port()

    @property
    def group_address(self) -> str:
        return f"{HOST}:{self.group_port}"

    def start(self, *, members: list["GaleraNode"], bootstrap: bool = False, donors: str = "", timeout=120.0):
        """Start and wait until the node is Synced (a joiner answers only once its state arrived)."""
        peers = ",".join(node.group_address for node in members if node is not self)
        self.extra_options = (
            "--skip-log-bin",
            "--gtid-strict-mode=OFF",
            "--wsrep-on=ON",
            f"--wsrep-provider={galera_provider()}",
            "--wsrep-cluster-name=irctc",
            f"--wsrep-node-name={self.name}",
            f"--wsrep-node-address={self.group_address}",
            f"--wsrep-cluster-address=gcomm://{'' if bootstrap else peers}",
            f"--wsrep-provider-options=gmcast.listen_addr=tcp://{self.group_address}; ist.recv_addr={HOST}:{self.ist_port};"
            f" {GROUP_TIMEOUTS}",
            "--wsrep-sst-method=rsync",
            f"--wsrep-sst-receive-address={HOST}:{self.sst_port}",
            # A backup gives the state, never the writer: rsync blocks its donor's commits.
            *([f"--wsrep-sst-donor={donors}"] if donors else []),
            "--binlog-format=ROW",
            "--innodb-autoinc-lock-mode=2",
            "--innodb-buffer-pool-size=128M",
            "--wsrep-slave-threads=2",
            *(["--wsrep-new-cluster"] if bootstrap else []),
        )
        if os.geteuid() == 0:
            # The state transfer's rsync daemon drops root for `nobody`, who may not write the
            # data directory: the node runs as mysql, as a packaged server does.
            self.system_user = "mysql"
            _give_to_mysql(self.directory)
        super().start(timeout=timeout)
        self.wait_until_synced(timeout)
        return self

    def wsrep_status(self) -> dict[str, str]:
        connection = self.connect(connection_timeout=2)
        try:
            cursor = connection.cursor()
            cursor.execute("SHOW GLOBAL STATUS LIKE 'wsrep%'")
            return {name: value for name, value in cursor.fetchall()}
        finally:
            connection.close()

    def synced(self) -> bool:
        try:
            status = self.wsrep_status()
        except mysql.connector.Error:
            return False
        return status.get("wsrep_local_state") == str(SYNCED) and status.get("wsrep_ready") == "ON"

    def wait_until_synced(self, timeout: float = 120.0):
        deadline = time.monotonic() + timeout
        while not self.synced():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {self.error_log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not Synced within {timeout:.0f} s: {self.error_log()}")
            time.sleep(0.2)

    def pause(self):
        """SIGSTOP: the host hangs; its connections stay open and nothing answers."""
        self.process.send_signal(signal.SIGSTOP)
        wait_until_stopped(self.process.pid)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class HAProxy:
    """HAProxy in TCP mode: one writer at a time, the other nodes backups, checked for Synced."""

    def __init__(self, directory: Path, nodes: list[GaleraNode]):
        self.directory, self.nodes = directory, nodes
        self.port = free_port()
        self.config = directory / "haproxy.cfg"
        self.process = None

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def write_config(self):
        servers = "\n".join(
            f"    server {node.name} {node.address} check inter 500ms fall 2 rise 3"
            f" on-marked-down shutdown-sessions {'backup' if index else 'on-marked-up shutdown-backup-sessions'}"
            for index, node in enumerate(self.nodes)
        )
        self.config.write_text(
            HAPROXY_CONFIG.format(directory=self.directory, port=self.port, check=CHECK_SCRIPT, servers=servers)
        )

    def start(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        self.write_config()
        binary = mariadb_binary("haproxy")
        checked = subprocess.run([binary, "-c", "-f", str(self.config)], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"haproxy refused its configuration: {checked.stdout}{checked.stderr}")
        self.log = open(self.directory / "haproxy.log", "ab")
        self.process = subprocess.Popen(
            [binary, "-db", "-f", str(self.config)], stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.wait_for_writer()
        return self

    def writer(self) -> str | None:
        """The name of the node a new connection through HAProxy lands on."""
        try:
            connection = mysql.connector.connect(
                host=HOST, port=self.port, user="root", password="", use_pure=True, connection_timeout=2
            )
        except mysql.connector.Error:
            return None
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT @@wsrep_node_name")
            return cursor.fetchall()[0][0]
        except mysql.connector.Error:
            return None
        finally:
            connection.close()

    def wait_for_writer(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while (writer := self.writer()) is None:
            if self.process.poll() is not None:
                raise RuntimeError(f"haproxy exited: {self.describe()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"no writer behind haproxy within {timeout:.0f} s: {self.describe()}")
            time.sleep(0.2)
        return writer

    def describe(self) -> str:
        path = self.directory / "haproxy.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
            self.log.close()


# The first server is the writer while it passes its check; the backups take over in order.
# `shutdown-sessions`: the connections to a node marked down are closed, so no client goes on
# writing to a node that comes back from a pause after the others took over. When the first
# node is back and Synced, `shutdown-backup-sessions` closes every connection to the backup that
# stood in, so the writes move back to it at once and never go to two nodes side by side (the
# clients see one more short interruption, answered 503 and retried).
HAPROXY_CONFIG = """\
global
    external-check
    insecure-fork-wanted
    maxconn 2000
    stats socket {directory}/haproxy.sock mode 600 level admin

defaults
    mode tcp
    timeout connect 2s
    timeout client 1h
    timeout server 1h
    timeout check 2s

listen galera_writer
    bind 127.0.0.1:{port}
    option external-check
    external-check path "/usr/bin:/bin:/usr/sbin:/sbin"
    external-check command {check}
{servers}
"""


@dataclass
class ThroughHAProxy:
    """The database as tests/faults' `App` (gunicorn) is given it: here HAProxy's port."""

    port: int
    DATABASE: str = DATABASE


class GaleraCluster:
    """Three Galera nodes and HAProxy, with the app's database and the health check's user."""

    def __init__(self, directory: Path | None = None, *, size: int = 3):
        self._scratch = None if directory else tempfile.mkdtemp(prefix="irctc-galera-")
        self.directory = Path(directory or self._scratch)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o755)  # the nodes run as mysql when started by root
        self.nodes = [GaleraNode(self.directory / f"node{index}", index=index) for index in range(1, size + 1)]
        self.haproxy = HAProxy(self.directory / "haproxy", self.nodes)

    def start(self):
        first, *others = self.nodes
        first.directory.mkdir(parents=True, exist_ok=True)
        first.install()
        first.start(members=self.nodes, bootstrap=True)
        self._prepare(first)
        for node in others:
            # The joiners' data directories come whole from a donor (SST); they only need to exist.
            node.datadir.mkdir(parents=True, exist_ok=True)
            node.start(members=self.nodes)
        self.haproxy.start()
        return self

    def _prepare(self, node: GaleraNode):
        # USE_TZ: Django's date lookups convert to Asia/Kolkata on the server. The zone tables
        # are not InnoDB, so Galera does not replicate writes to them: they reach the other
        # nodes with the state transfer, which copies the whole data directory.
        zones = subprocess.run(
            [mariadb_binary("mariadb-tzinfo-to-sql"), "/usr/share/zoneinfo/Asia/Kolkata", "Asia/Kolkata"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        subprocess.run(
            [
                mariadb_binary("mariadb"),
                "--no-defaults",
                f"--socket={node.directory / 'mariadb.sock'}",
                "-uroot",
                "mysql",
            ],
            input=zones,
            check=True,
            capture_output=True,
            text=True,
        )
        node.execute(
            f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
            # HAProxy's health check reads the node's status, nothing else.
            f"CREATE USER '{CHECK_USER}'@'{HOST}'",
        )

    def node(self, name: str) -> GaleraNode:
        return next(node for node in self.nodes if node.name == name)

    def others(self, name: str) -> list[GaleraNode]:
        return [node for node in self.nodes if node.name != name]

    def restart(self, node: GaleraNode):
        """Start a node that crashed or was stopped again; it rejoins from a backup, not the writer."""
        writer = self.haproxy.writer()
        donors = ",".join(other.name for other in self.others(node.name) if other.name != writer and other.running())
        node.start(members=self.nodes, donors=f"{donors}," if donors else "")
        self.wait_until_whole()

    def wait_until_whole(self, timeout: float = 60.0):
        """Until every node is Synced and in one and the same view holding all of them.

        A node that resumes from a pause still reports the view it was paused in, Synced, until
        it hears from the others; the view's number (`wsrep_cluster_conf_id`), which the others
        moved on when they dropped it and again when it rejoined, tells the two apart.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                states = [node.wsrep_status() for node in self.nodes]
            except mysql.connector.Error:
                states = []
            if (
                states
                and all(
                    state.get("wsrep_local_state") == str(SYNCED)
                    and state.get("wsrep_ready") == "ON"
                    and state.get("wsrep_cluster_size") == str(len(self.nodes))
                    for state in states
                )
                and len({state.get("wsrep_cluster_conf_id") for state in states}) == 1
            ):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"the cluster is not whole within {timeout:.0f} s: {states}")
            time.sleep(0.2)

    def cluster_size(self) -> int:
        for node in self.nodes:
            if node.running() and node.synced():
                return int(node.wsrep_status()["wsrep_cluster_size"])
        return 0

    def pids(self) -> dict[str, int]:
        return {
            **{node.name: node.process.pid for node in self.nodes if node.running()},
            "haproxy": self.haproxy.process.pid,
        }

    def stop(self):
        self.haproxy.stop()
        for node in reversed(self.nodes):
            if node.running():
                node.resume()
                node.stop()
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)


def _start(directory: Path):
    directory.mkdir(parents=True, exist_ok=True)
    cluster = GaleraCluster(directory)
    try:
        cluster.start()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={
                **os.environ,
                "DB_ENGINE": "mysql",
                "DB_NAME": DATABASE,
                "DB_USER": "root",
                "DB_PASSWORD": "",
                "DB_HOST": HOST,
                "DB_PORT": str(cluster.haproxy.port),
                "DB_READ_TIMEOUT": "0",
                "SECRET_KEY": "migrate-only",
                "DEBUG": "true",
            },
            check=True,
        )
    except BaseException:
        cluster.stop()
        raise
    pids = cluster.pids()
    (directory / "pids.json").write_text(json.dumps(pids))
    print(json.dumps({"haproxy": cluster.haproxy.address, **{node.name: node.address for node in cluster.nodes}}))
    print(f"DB_ENGINE=mysql DB_HOST={HOST} DB_PORT={cluster.haproxy.port} DB_NAME={DATABASE} DB_USER=root DB_PASSWORD=")
    print(f"stop it with: {sys.executable} -m tests.galera.cluster stop {directory}")


def alive(pid: int) -> bool:
    """Running (or stopped), not gone nor a zombie left for its parent to reap."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _stop(directory: Path):
    pids = json.loads((directory / "pids.json").read_text())
    for name, pid in pids.items():
        try:
            os.kill(pid, signal.SIGCONT)
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and alive(pid):
            time.sleep(0.2)
        print(f"stopped {name} ({pid})")
    (directory / "pids.json").unlink()


def main(argv: list[str]):
    command, *rest = argv or ["start"]
    if command == "start":
        _start(Path(rest[0]) if rest else Path(tempfile.mkdtemp(prefix="irctc-galera-")))
    elif command == "stop" and rest:
        _stop(Path(rest[0]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
