"""What the code must respect to run on Galera (docs/galera.md), checked without a cluster.

- one writer: a list of database hosts is refused, since row locks are local to a node;
- a certification conflict, a deadlock (1213) at COMMIT, runs the booking's transaction again;
- a node cut off from the primary component (1047) is "database unavailable", a 503;
- every table has a primary key (Galera replicates rows by it);
- no `LOCK TABLES` or `GET_LOCK`, which Galera does not replicate.
"""

import re
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction
from mysql.connector import errors as connector_errors

from bookings.retry import retry_lock_conflicts
from irctc.database_unavailable import connection_lost_cause, lock_conflict_cause
from tests.security.test_production_settings import run_django

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "trains", "bookings", "analytics", "web", "irctc")


def _driver_error(errno: int, message: str) -> OperationalError:
    """The error Django raises for a server's `errno`, shaped as its error wrapper shapes it."""
    cause = connector_errors.DatabaseError(msg=message, errno=errno)
    error = OperationalError(*cause.args)
    error.__cause__ = cause
    return error


@pytest.mark.parametrize("hosts", ["db1,db2,db3", "db1, db2", "db1 db2", "db1;db2"])
def test_a_list_of_database_hosts_is_refused(hosts):
    result = run_django(
        ["-c", "import django; django.setup()"],
        DB_ENGINE="mysql",
        DB_NAME="irctc",
        DB_HOST=hosts,
        DEBUG="true",
    )
    assert result.returncode != 0
    assert "DB_HOST names one database server" in result.stderr
    assert "docs/galera.md" in result.stderr


def test_one_database_host_is_taken():
    result = run_django(
        ["-c", "from django.conf import settings; print(settings.DATABASES['default']['HOST'])"],
        DB_ENGINE="mysql",
        DB_NAME="irctc",
        DB_HOST="haproxy.internal",
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "haproxy.internal"


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_at_commit_runs_the_transaction_again(monkeypatch):
    """Galera certifies a transaction at its COMMIT: a conflict fails the COMMIT itself."""
    real_commit = connection.commit
    commits, attempts = [], []

    def commit_failing_once():
        commits.append(True)
        if len(commits) == 1:
            raise _driver_error(1213, "Deadlock found when trying to get lock; try restarting transaction")
        return real_commit()

    @retry_lock_conflicts
    def book():
        with transaction.atomic():
            attempts.append(True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        return "booked"

    monkeypatch.setattr(connection, "commit", commit_failing_once)
    assert book() == "booked"
    assert (len(attempts), len(commits)) == (2, 2)


def test_a_galera_deadlock_is_a_lock_conflict():
    error = _driver_error(1213, "Deadlock found when trying to get lock; try restarting transaction")
    assert lock_conflict_cause(error) is not None


def test_a_node_out_of_the_primary_component_is_unavailable():
    error = _driver_error(1047, "WSREP has not yet prepared node for application use")
    assert connection_lost_cause(error) is not None


@pytest.mark.django_db
def test_every_table_has_a_primary_key():
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        without = [table for table in tables if not connection.introspection.get_primary_key_columns(cursor, table)]
    assert tables and without == []


def test_no_table_locks_or_named_locks():
    """Galera replicates neither `LOCK TABLES` nor `GET_LOCK`: each would hold on one node only."""
    pattern = re.compile(r"\b(LOCK\s+TABLES?|GET_LOCK|RELEASE_LOCK|IS_FREE_LOCK)\b", re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert found == []
