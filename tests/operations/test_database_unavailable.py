"""A database that can't be reached answers 503 `database_unavailable` with Retry-After wherever it
is first touched, logs one line, and a database error that is a defect stays a 500.

The failures are raised where the driver raises them (every statement), with the codes MariaDB
and mysql-connector give; tests/faults does the same with a real server killed and paused.
"""

import logging

import pytest
from django.db import OperationalError, ProgrammingError
from django.db.backends import utils as db_utils

from bookings.models import Booking
from tests.bookings.helpers import booking_body
from tests.operations.helpers import assert_json_error

pytestmark = pytest.mark.django_db

SERVER_GONE = OperationalError(2006, "2006 (HY000): MySQL server has gone away", "HY000")
LOST = OperationalError(2013, "2013 (HY000): Lost connection to MySQL server during query", "HY000")
TOO_MANY = OperationalError(1040, "1040 (08004): Too many connections", "08004")


@pytest.fixture
def database_fails(monkeypatch):
    """From now on every statement fails with the error given."""

    def fail_with(error):
        def execute(self, *args, **kwargs):
            raise error

        monkeypatch.setattr(db_utils.CursorWrapper, "execute", execute)

    return fail_with


def assert_database_unavailable(response):
    assert_json_error(response, 503, "database_unavailable")
    assert response["Retry-After"] == "2"


@pytest.mark.parametrize("error", [SERVER_GONE, LOST, TOO_MANY], ids=["gone-away", "lost", "too-many"])
def test_the_jwt_user_lookup_failing_is_503_not_500(user_client, database_fails, error):
    database_fails(error)

    assert_database_unavailable(user_client.get("/api/auth/me/"))


def test_a_booking_during_an_outage_is_503_with_retry_after_and_books_nothing(user_client, train, database_fails):
    database_fails(LOST)
    response = user_client.post("/api/bookings/", booking_body(train), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert_database_unavailable(response)


def test_a_booking_answers_again_once_the_database_is_back(user_client, train, monkeypatch):
    real_execute = db_utils.CursorWrapper.execute
    monkeypatch.setattr(db_utils.CursorWrapper, "execute", lambda *a, **k: (_ for _ in ()).throw(LOST))
    assert_database_unavailable(user_client.post("/api/bookings/", booking_body(train), format="json"))

    monkeypatch.setattr(db_utils.CursorWrapper, "execute", real_execute)
    assert user_client.post("/api/bookings/", booking_body(train), format="json").status_code == 201
    assert Booking.objects.count() == 1


def test_a_lock_wait_timeout_that_outlasts_the_retries_is_503(user_client, train, database_fails):
    database_fails(OperationalError(1205, "1205 (HY000): Lock wait timeout exceeded", "HY000"))

    assert_database_unavailable(user_client.post("/api/bookings/", booking_body(train), format="json"))


def test_the_outage_is_logged_in_one_line_with_its_cause(user_client, database_fails, caplog):
    database_fails(SERVER_GONE)
    with caplog.at_level(logging.INFO):
        user_client.get("/api/auth/me/")

    records = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(records) == 1, [record.getMessage() for record in records]
    assert records[0].name == "irctc.database"
    assert "GET /api/auth/me/" in records[0].getMessage()
    assert "MySQL server has gone away" in records[0].getMessage()


def test_a_database_error_that_is_a_defect_stays_a_500(user_client, database_fails):
    database_fails(ProgrammingError(1146, "1146 (42S02): Table 'irctc.nope' doesn't exist", "42S02"))
    user_client.raise_request_exception = False

    assert_json_error(user_client.get("/api/auth/me/"), 500, "server_error")


@pytest.mark.urls("tests.operations.urls")
def test_a_view_outside_drf_is_503_too(anon, database_fails):
    database_fails(LOST)
    anon.raise_request_exception = False

    assert_database_unavailable(anon.get("/api/test/query-django/"))


@pytest.mark.urls("tests.operations.urls")
def test_a_middleware_that_loses_the_database_is_503_too(anon, settings, database_fails):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.operations.urls.QueryingMiddleware"]
    database_fails(SERVER_GONE)
    anon.raise_request_exception = False

    assert_database_unavailable(anon.get("/api/health/"))


def test_health_says_the_database_is_down_in_one_log_line(anon, database_fails, caplog):
    database_fails(LOST)

    with caplog.at_level(logging.INFO):
        response = anon.get("/api/health/")

    assert_database_unavailable(response)
    assert response.json()["database"] == "down"
    assert [record.name for record in caplog.records if record.levelno >= logging.WARNING] == ["irctc.database"]


def _raised_from(error, cause):
    try:
        raise error from cause
    except Exception as raised:  # noqa: BLE001
        return raised


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (SERVER_GONE, True),
        (TOO_MANY, True),
        (OperationalError(1927, "1927 (70100): Connection was killed", "70100"), True),
        (OperationalError(1213, "1213 (40001): Deadlock found", "40001"), True),
        (ProgrammingError(1146, "Table doesn't exist", "42S02"), False),
        (OperationalError(1054, "Unknown column", "42S22"), False),
        (ValueError(2013, "not a database error"), False),
    ],
)
def test_which_errors_mean_the_database_is_unavailable(error, unavailable):
    from irctc.database_unavailable import unavailability_cause

    assert (unavailability_cause(error) is not None) is unavailable


def test_driver_errors_without_a_code_and_sqlite_s_busy_database_count_too():
    import sqlite3

    from mysql.connector import errors as connector

    from irctc.database_unavailable import unavailability_cause

    not_available = connector.OperationalError("MySQL Connection not available")
    timed_out = connector.ReadTimeoutError(errno=3024)
    assert unavailability_cause(_raised_from(OperationalError(-1, str(not_available)), not_available))
    assert unavailability_cause(_raised_from(OperationalError(3024, str(timed_out)), timed_out))
    locked = sqlite3.OperationalError("database is locked")
    assert unavailability_cause(_raised_from(OperationalError(*locked.args), locked))
    missing = sqlite3.OperationalError("no such table: bookings_booking")
    assert unavailability_cause(_raised_from(OperationalError(*missing.args), missing)) is None


def test_an_error_raised_while_handling_a_database_error_is_not_one():
    from irctc.database_unavailable import unavailability_cause
    from irctc.exceptions import Conflict

    try:
        try:
            raise LOST
        except OperationalError:
            raise Conflict("busy") from None
    except Conflict as conflict:
        assert unavailability_cause(conflict) is None
