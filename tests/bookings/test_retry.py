"""`retry_lock_conflicts`: a deadlock or lock wait timeout runs the transaction again, a bounded
number of times, and only where the transaction is the outermost one."""

import pytest
from django.db import OperationalError, ProgrammingError, transaction

from bookings import retry

DEADLOCK = OperationalError(1213, "1213 (40001): Deadlock found when trying to get lock", "40001")
LOCK_WAIT = OperationalError(1205, "1205 (HY000): Lock wait timeout exceeded", "HY000")


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(retry, "BACKOFF_SECONDS", 0)


def failing(times: int, error):
    calls = []

    @retry.retry_lock_conflicts
    def service():
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "booked"

    return service, calls


@pytest.mark.parametrize("error", [DEADLOCK, LOCK_WAIT], ids=["deadlock", "lock-wait"])
def test_a_lock_conflict_is_retried_until_it_succeeds(error):
    service, calls = failing(retry.ATTEMPTS - 1, error)

    assert service() == "booked"
    assert len(calls) == retry.ATTEMPTS


def test_the_retries_are_bounded():
    service, calls = failing(10, DEADLOCK)

    with pytest.raises(OperationalError):
        service()
    assert len(calls) == retry.ATTEMPTS


def test_other_errors_are_not_retried():
    service, calls = failing(1, ProgrammingError(1146, "no such table", "42S02"))

    with pytest.raises(ProgrammingError):
        service()
    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_an_enclosing_transaction_the_conflict_goes_to_it():
    service, calls = failing(1, DEADLOCK)

    with pytest.raises(OperationalError), transaction.atomic():
        service()
    assert len(calls) == 1
