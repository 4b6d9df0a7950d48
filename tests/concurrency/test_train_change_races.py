"""Retiring a train while a booking is on its way, against MariaDB.

Each test pauses a real booking thread at one point of its path (by wrapping a step of the
service, not by touching any lock) and retires the train from another thread right there. The end
state must be one the rules allow: a retired train has no active future booking.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bookings import services as booking_services
from bookings.inventory import allocation, locking
from bookings.models import Booking
from irctc.exceptions import Conflict
from tests.concurrency.test_booking_races import ON_MARIADB
from tests.factories import make_train, make_user
from trains import services as train_services

pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.skipif(not ON_MARIADB, reason="needs DB_ENGINE=mysql: real row locks"),
    pytest.mark.django_db(transaction=True),
]

# How long the paused booking waits for the retirement before it goes on regardless (a retirement
# blocked by the booking's lock can't finish until the booking does).
PAUSE_SECONDS = 1.5


def _book_in_thread(user, train, outcome):
    def run():
        try:
            outcome["booking"] = booking_services.book_seats(
                user=user, train=train, travel_date=timezone.localdate() + timedelta(days=1), seats=1
            )
        except Exception as exc:  # noqa: BLE001 - the test inspects whatever happened
            outcome["booking_error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _retire_in_thread(train, outcome, done):
    def run():
        try:
            train_services.retire_train(train_id=train.pk)
            outcome["retired"] = True
        except Conflict as exc:
            outcome["retire_refused"] = exc.code
        finally:
            done.set()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _assert_rules_hold(train):
    train.refresh_from_db()
    active = Booking.objects.filter(run__train=train).exclude(status=Booking.Status.CANCELLED)
    assert train.is_active or not active.exists(), "a retired train kept an active booking"


def test_a_booking_checked_before_the_retirement_is_refused_once_it_gets_the_lock(monkeypatch):
    train = make_train()
    passenger = make_user("late-passenger")
    checked, retired, outcome = threading.Event(), threading.Event(), {}
    lock_run = locking.lock_run_of

    def lock_run_after_the_retirement(*args, **kwargs):
        checked.set()
        retired.wait(PAUSE_SECONDS)
        return lock_run(*args, **kwargs)

    monkeypatch.setattr(locking, "lock_run_of", lock_run_after_the_retirement)
    booking_thread = _book_in_thread(passenger, train, outcome)
    assert checked.wait(10)
    _retire_in_thread(train, outcome, retired).join()
    booking_thread.join()

    assert outcome.get("retired") is True
    assert "booking" not in outcome
    _assert_rules_hold(train)


def test_a_retirement_waits_for_a_booking_in_flight_and_then_refuses(monkeypatch):
    train = make_train()
    passenger = make_user("early-passenger")
    allocated, retire_done, outcome = threading.Event(), threading.Event(), {}
    insert = allocation.insert_with_new_pnr

    def allocate_then_linger(*args, **kwargs):
        allocations = insert(*args, **kwargs)
        allocated.set()
        retire_done.wait(PAUSE_SECONDS)  # still inside the booking's transaction, run locked
        return allocations

    monkeypatch.setattr(allocation, "insert_with_new_pnr", allocate_then_linger)
    booking_thread = _book_in_thread(passenger, train, outcome)
    assert allocated.wait(10)
    retire_thread = _retire_in_thread(train, outcome, retire_done)
    booking_thread.join()
    retire_thread.join()

    assert outcome["booking"].status == Booking.Status.CONFIRMED
    assert outcome.get("retire_refused") == "train_has_bookings"
    _assert_rules_hold(train)
