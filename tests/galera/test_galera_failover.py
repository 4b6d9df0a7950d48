"""Bookings on a three-node Galera cluster behind HAProxy, while its nodes are killed and paused.

The app (gunicorn, as tests/faults serves it) talks to HAProxy alone; clients book with
Idempotency-Keys, retrying a key on 503 as a careful client does. Each fault is one test on the
same cluster, which each test leaves whole again (three nodes, all Synced):
- the writer killed with SIGKILL, then started again: it rejoins by IST and takes the writes back;
- the writer paused (SIGSTOP) for 10 s: the others drop it from the group and go on, and it
  catches up once resumed;
- a backup killed and started again: the writer never notices.

After each: the first 201 after the fault came within `FIRST_201_WITHIN` seconds; every booking
a client was answered 201 for is in the database exactly once, none that it wasn't; no seat is
sold twice on any segment; no 500, and every 503 had Retry-After (tests/faults'
`_check_the_end_state`); and the three nodes hold the same bookings and allocations.

MariaDB pass only (DB_ENGINE=mysql, as CI's second run); needs galera-4, haproxy, rsync and
iproute2 (.ci/run installs them) and skips naming what is missing otherwise, but under CI=true.
"""

import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.faults.servers import App
from tests.faults.test_database_faults import (
    _admin_token,
    _check_the_end_state,
    _make_train,
    _start_bookers,
    _wait_for_201s,
)
from tests.galera.cluster import CHECK_SCRIPT, DATABASE, GaleraCluster, ThroughHAProxy, missing_tools
from tests.galera.load import TimedLedger
from tests.security.test_production_settings import run_django

ON_MARIADB = settings.DB_ENGINE == "mysql"
MISSING = missing_tools() if ON_MARIADB else []
# CI installs what the cluster needs (.ci/run): there, a missing tool fails instead of skipping.
IN_CI = os.environ.get("CI") == "true"

pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.slow,
    pytest.mark.skipif(not ON_MARIADB, reason="the Galera tests run in the MariaDB pass (DB_ENGINE=mysql)"),
    pytest.mark.skipif(bool(MISSING) and not IN_CI, reason=f"needs {', '.join(MISSING)} to start a Galera cluster"),
]

FIRST_201_WITHIN = 10.0
PAUSE_SECONDS = 10


class Stack:
    """The cluster and the app, described together when an assertion fails."""

    def __init__(self, cluster: GaleraCluster, app: App):
        self.cluster, self.app = cluster, app

    def describe(self) -> str:
        logs = [f"--- {node.name} ---\n{node.error_log()}" for node in self.cluster.nodes]
        return "\n".join([*logs, f"--- haproxy ---\n{self.cluster.haproxy.describe()}"])

    def __iter__(self):
        # tests/faults' helpers take (database, app) and ask the first for describe().
        return iter((self, self.app))


@pytest.fixture(scope="module")
def stack():
    if MISSING:
        pytest.fail(f"CI must run the Galera tests, but {', '.join(MISSING)} is missing (.ci/run installs it)")
    workdir = Path(tempfile.mkdtemp(prefix="irctc-galera-app-"))
    cluster = GaleraCluster()
    app = None
    try:
        cluster.start()
        app = App(workdir, ThroughHAProxy(cluster.haproxy.port))
        app.prepare()
        app.start()
        yield Stack(cluster, app)
    finally:
        if app is not None:
            app.stop()
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _book_through(stack, fault, train_number: str) -> dict:
    """Bookers running, `fault(stack)` once some bookings are in; returns what it measured."""
    app = stack.app
    admin = _admin_token(app)
    train_id = _make_train(app, admin, train_number, 3000)
    ledger, stop = TimedLedger(), threading.Event()
    bookers = _start_bookers(app, train_id, ledger, stop, f"g{train_number}-")
    try:
        _wait_for_201s(ledger, 10, 60, "before any fault", stack)
        measured = fault(stack, ledger)
        _wait_for_201s(ledger, ledger.confirmed_count() + 10, 30, "running on after the fault", stack)
    finally:
        stop.set()
        for booker in bookers:
            booker.join(60)
    _check_the_end_state(app, admin, train_id, ledger)
    _check_the_nodes_agree(stack.cluster)
    assert stack.cluster.cluster_size() == 3
    print(
        f"\ngalera: {len(ledger.confirmed)} bookings confirmed; answers {dict(ledger.statuses)}, "
        f"codes {dict(ledger.codes)}; {measured}"
    )
    return measured


def _check_the_nodes_agree(cluster: GaleraCluster):
    """Every node holds the same bookings and allocations, and no seat twice on any segment."""
    summaries = set()
    for node in cluster.nodes:
        connection = node.connect(database=DATABASE)
        try:
            cursor = connection.cursor()
            cursor.execute("SET SESSION wsrep_sync_wait = 1")  # its reads wait until it applied all
            cursor.execute("SELECT COUNT(*), COALESCE(SUM(id), 0), COALESCE(SUM(seats), 0) FROM bookings_booking")
            bookings = cursor.fetchall()[0]
            cursor.execute(
                "SELECT COUNT(*), COALESCE(SUM(seat_number * (segment + 1)), 0) FROM bookings_seatallocation"
            )
            allocations = cursor.fetchall()[0]
            cursor.execute(
                "SELECT run_id, class_code, segment, seat_number FROM bookings_seatallocation"
                " GROUP BY run_id, class_code, segment, seat_number HAVING COUNT(*) > 1"
            )
            assert cursor.fetchall() == [], f"a seat sold twice on a segment, on {node.name}"
        finally:
            connection.close()
        summaries.add((tuple(int(value) for value in bookings), tuple(int(value) for value in allocations)))
    assert len(summaries) == 1, f"the nodes disagree: {summaries}"


def _first_201_after(moment: float, ledger: TimedLedger, stack, what: str) -> float:
    """Seconds from `moment` to the first 201 answering a request sent after it."""
    seconds = ledger.seconds_to_first_201_sent_after(moment, FIRST_201_WITHIN)
    if seconds is None:
        pytest.fail(
            f"no 201 within {FIRST_201_WITHIN} s {what}; answers {dict(ledger.statuses)} {dict(ledger.codes)}\n"
            f"{stack.app.describe()}\n{stack.describe()}"
        )
    return seconds


def _wait_for_the_writer(cluster: GaleraCluster, name: str, within: float = 30.0):
    deadline = time.monotonic() + within
    while cluster.haproxy.writer() != name:
        assert time.monotonic() < deadline, f"the writes did not move to {name}: {cluster.haproxy.describe()}"
        time.sleep(0.2)


def _writer_fault(stack, ledger, what: str, break_it, bring_back) -> dict:
    """Break the writer (`break_it(node)`), time the first 201 after; bring it back
    (`bring_back(node, broken_at)`, returning the seconds it took to be Synced again) and time
    the first 201 once the writes moved back to it."""
    cluster = stack.cluster
    writer = cluster.node(cluster.haproxy.writer())
    broken_at = time.monotonic()
    break_it(writer)
    first_201 = _first_201_after(broken_at, ledger, stack, f"after {what} of the writer {writer.name}")
    assert cluster.haproxy.writer() != writer.name
    back_in = bring_back(writer, broken_at)
    # Synced again, it takes the writes back (HAProxy's first server): one more switch.
    _wait_for_the_writer(cluster, writer.name)
    back = _first_201_after(time.monotonic(), ledger, stack, f"after the writes moved back to {writer.name}")
    return {
        f"first 201 after {what}": round(first_201, 2),
        "back in": round(back_in, 2),
        "after failback": round(back, 2),
    }


def _seconds(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def test_bookings_go_on_when_the_writer_is_killed_and_it_rejoins(stack):
    def kill_the_writer(stack, ledger):
        def restart(node, _killed_at):
            return _seconds(lambda: stack.cluster.restart(node))

        return _writer_fault(stack, ledger, "kill -9", lambda node: node.kill(), restart)

    measured = _book_through(stack, kill_the_writer, "61601")
    assert measured["first 201 after kill -9"] < FIRST_201_WITHIN


def test_bookings_go_on_when_the_writer_hangs_for_10_seconds(stack):
    def pause_the_writer(stack, ledger):
        def resume(node, paused_at):
            time.sleep(max(0.0, PAUSE_SECONDS - (time.monotonic() - paused_at)))
            node.resume()
            return _seconds(stack.cluster.wait_until_whole)

        return _writer_fault(stack, ledger, "SIGSTOP", lambda node: node.pause(), resume)

    measured = _book_through(stack, pause_the_writer, "61602")
    assert measured["first 201 after SIGSTOP"] < FIRST_201_WITHIN


def test_bookings_go_on_when_a_backup_dies_and_rejoins(stack):
    def kill_a_backup(stack, ledger):
        cluster = stack.cluster
        writer = cluster.haproxy.writer()
        backup = cluster.others(writer)[-1]
        killed_at = time.monotonic()
        backup.kill()
        first_201 = _first_201_after(killed_at, ledger, stack, f"after kill -9 of the backup {backup.name}")
        rejoined = _seconds(lambda: cluster.restart(backup))
        assert cluster.haproxy.writer() == writer, "a backup's death moved the writes"
        return {"first 201 after a backup's kill -9": round(first_201, 2), "rejoined": round(rejoined, 2)}

    measured = _book_through(stack, kill_a_backup, "61603")
    assert measured["first 201 after a backup's kill -9"] < FIRST_201_WITHIN


def test_a_synced_node_serves_reads_as_a_replica_and_a_desynced_one_does_not(stack):
    """DB_REPLICA_HOSTS may name Galera nodes: the router reads their wsrep state for their lag."""
    cluster = stack.cluster
    backups = cluster.others(cluster.haproxy.writer())
    states = "from irctc.db_router import check_replica; print(check_replica('replica1'), check_replica('replica2'))"
    env = dict(
        DB_ENGINE="mysql",
        DB_NAME=DATABASE,
        DB_USER="root",
        DB_PASSWORD="",
        DB_HOST="127.0.0.1",
        DB_PORT=str(cluster.haproxy.port),
        DB_REPLICA_HOSTS=",".join(node.address for node in backups),
        DEBUG="true",
    )
    synced = run_django(["-c", f"import django; django.setup(); {states}"], **env)
    assert synced.stdout.split() == ["ok", "ok"], synced.stderr
    assert _haproxy_check(backups[1]) == 0
    backups[1].execute("SET GLOBAL wsrep_desync = ON")
    try:
        desynced = run_django(["-c", f"import django; django.setup(); {states}"], **env)
        check_when_desynced = _haproxy_check(backups[1])
    finally:
        backups[1].execute("SET GLOBAL wsrep_desync = OFF")
    assert desynced.stdout.split() == ["ok", "lagging"], desynced.stderr
    assert check_when_desynced != 0, "HAProxy's check passed a node that is not Synced"
    backups[1].wait_until_synced(30)


def _haproxy_check(node) -> int:
    """scripts/galera_check.sh's verdict on `node`, called as HAProxy calls it (no environment)."""
    command = [str(CHECK_SCRIPT), "127.0.0.1", "0", "127.0.0.1", str(node.port)]
    return subprocess.run(command, env={}, capture_output=True, timeout=10).returncode
