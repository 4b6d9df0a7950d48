"""A booking that waits too long for its run's lock is retried, against MariaDB's real lock wait."""

import threading
import time

import pytest
from django.db import connection, transaction

from bookings import retry
from bookings.models import Booking, TrainRun
from tests.bookings.helpers import book, tomorrow
from tests.concurrency.test_booking_races import ON_MARIADB
from tests.factories import make_train, make_user

pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.skipif(not ON_MARIADB, reason="needs DB_ENGINE=mysql: real row locks"),
    pytest.mark.django_db(transaction=True),
]


def hold_run_lock(run_id: int, seconds: float, locked: threading.Event):
    try:
        with transaction.atomic():
            TrainRun.objects.select_for_update().get(pk=run_id)
            locked.set()
            time.sleep(seconds)
    finally:
        connection.close()


def test_a_booking_that_times_out_on_the_run_lock_is_retried_and_succeeds(monkeypatch):
    monkeypatch.setattr(retry, "BACKOFF_SECONDS", 0)
    passenger = make_user("patient")
    train = make_train(total_seats=5)
    book(passenger, train)  # creates the run
    run = TrainRun.objects.get()
    locked = threading.Event()
    holder = threading.Thread(target=hold_run_lock, args=(run.pk, 1.5, locked))
    holder.start()
    assert locked.wait(5)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION innodb_lock_wait_timeout = 1")
        # First attempt: 1 s waiting, then 1205. Second: the holder lets go at 1.5 s.
        booking = book(passenger, train, travel_date=tomorrow())
    finally:
        holder.join()

    assert booking.status == Booking.Status.CONFIRMED
    assert Booking.objects.count() == 2
