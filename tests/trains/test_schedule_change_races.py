"""Cutting a class's coaches while a booking is on its way, against MariaDB with real threads.

The guard in bookings/schedule_guards.py locks the future runs after the train: a booking that
holds its run lock finishes first and the cut is refused; a cut that got there first is seen by a
booking that then takes the lock. A booking thread is paused at one step of its path (by wrapping
that step of the service, not by touching a lock) while the change runs on another thread.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bookings import services as booking_services
from bookings.inventory import allocation, locking
from bookings.models import SeatAllocation
from irctc.exceptions import Conflict
from tests.concurrency.test_booking_races import ON_MARIADB
from tests.factories import make_train, make_user
from tests.trains.helpers import sell, stop
from trains import services as train_services

pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.skipif(not ON_MARIADB, reason="needs DB_ENGINE=mysql: real row locks"),
    pytest.mark.django_db(transaction=True),
]

PAUSE_SECONDS = 1.5
ROUTE = [
    stop("New Delhi", departure="06:00", km=0),
    stop("Kota", "11:00", "11:10", km=465),
    stop("Surat", "20:00", km=1123),
]


@pytest.fixture
def nearly_full_coach():
    """A 3A class of two coaches whose first coach (seats 1..64) is sold on tomorrow's run."""
    train = make_train(stops=ROUTE, classes=[{"code": "3A", "coaches": 2}, {"code": "SL", "coaches": 1}])
    sell(train, user=make_user("early"), class_code="3A", seat_numbers=range(1, 65))
    return train


def _in_thread(work, outcome, key, done=None):
    def run():
        try:
            outcome[key] = work()
        except Conflict as exc:
            outcome[key + "_refused"] = exc.code
        except Exception as exc:  # noqa: BLE001 - the test inspects whatever happened
            outcome[key + "_error"] = exc
        finally:
            if done is not None:
                done.set()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _book(train, user):
    return lambda: booking_services.book_seats(
        user=user, train=train, travel_date=timezone.localdate() + timedelta(days=1), seats=1, class_code="3A"
    )


def _cut_to_one_coach(train):
    return lambda: train_services.update_train(
        train_id=train.pk, classes=[{"code": "3A", "coaches": 1}, {"code": "SL", "coaches": 1}]
    )


def _assert_no_seat_beyond_the_class(train):
    seats = train.classes.get(code="3A").seats
    highest = SeatAllocation.objects.filter(run__train=train, class_code="3A").order_by("-seat_number").first()
    assert highest.seat_number <= seats, f"seat {highest.seat_number} sold in a 3A of {seats} seats"


def test_a_cut_waits_for_a_booking_in_flight_and_then_refuses(monkeypatch, nearly_full_coach):
    train, outcome = nearly_full_coach, {}
    allocated, cut_done = threading.Event(), threading.Event()
    insert = allocation.insert_with_new_pnr

    def allocate_then_linger(*args, **kwargs):
        result = insert(*args, **kwargs)
        allocated.set()
        cut_done.wait(PAUSE_SECONDS)  # still inside the booking's transaction, run locked
        return result

    monkeypatch.setattr(allocation, "insert_with_new_pnr", allocate_then_linger)
    booking_thread = _in_thread(_book(train, make_user("late")), outcome, "booking")
    assert allocated.wait(10)
    cut_thread = _in_thread(_cut_to_one_coach(train), outcome, "cut", cut_done)
    booking_thread.join()
    cut_thread.join()

    assert outcome["booking"].status == "CONFIRMED", outcome
    assert outcome.get("cut_refused") == "seats_already_sold", outcome
    assert train.classes.get(code="3A").coaches == 2
    _assert_no_seat_beyond_the_class(train)


def test_a_booking_that_reaches_its_lock_after_the_cut_sees_the_smaller_class(monkeypatch, nearly_full_coach):
    train, outcome = nearly_full_coach, {}
    checked, cut_done = threading.Event(), threading.Event()
    lock_run = locking.lock_run_of

    def lock_run_after_the_cut(*args, **kwargs):
        checked.set()
        cut_done.wait(PAUSE_SECONDS)
        return lock_run(*args, **kwargs)

    monkeypatch.setattr(locking, "lock_run_of", lock_run_after_the_cut)
    booking_thread = _in_thread(_book(train, make_user("late")), outcome, "booking")
    assert checked.wait(10)
    _in_thread(_cut_to_one_coach(train), outcome, "cut", cut_done).join()
    booking_thread.join()

    assert "cut" in outcome, outcome
    assert train.classes.get(code="3A").coaches == 1
    assert "booking" not in outcome or outcome["booking"].status != "CONFIRMED", outcome
    assert "booking_error" not in outcome, outcome
    _assert_no_seat_beyond_the_class(train)
