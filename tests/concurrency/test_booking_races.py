"""Real threads racing on one run against MariaDB: the end state of the database must be exact.

SQLite serializes every writer with one file lock, so only MariaDB's row locks are worth racing;
these tests skip elsewhere. Each thread uses its own connection and closes it when done.
"""

import random
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from rest_framework.exceptions import APIException

from bookings import selectors, services
from bookings.models import Booking, Hold, Passenger, SeatAllocation, TrainRun
from irctc.exceptions import ApplicationError
from tests.factories import make_train

ON_MARIADB = "mysql" in settings.DATABASES["default"]["ENGINE"] or settings.DATABASES["default"]["ENGINE"] in {
    "irctc.mariadb",
    "mysql.connector.django",
}

pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.skipif(not ON_MARIADB, reason="needs DB_ENGINE=mysql: real row locks"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 40


def make_users(count: int) -> list:
    User = get_user_model()
    User.objects.bulk_create(
        User(username=f"racer{index}", email=f"racer{index}@example.com", password="!") for index in range(count)
    )
    return list(User.objects.filter(username__startswith="racer").order_by("id"))


def race(tasks, *, threads: int = THREADS) -> list:
    """Run every task (a no-argument callable) on `threads` threads released at once.

    Returns one outcome per task, in task order: the task's result, the `code` of the domain error
    it raised, or `("error", repr)` for anything else.
    """
    outcomes = [None] * len(tasks)
    next_task = iter(range(len(tasks)))
    pick = threading.Lock()
    start = threading.Barrier(threads)

    def worker():
        try:
            start.wait()
            while True:
                with pick:
                    index = next(next_task, None)
                if index is None:
                    return
                try:
                    outcomes[index] = tasks[index]()
                except (ApplicationError, APIException) as exc:
                    outcomes[index] = getattr(exc, "code", None) or exc.get_codes()
                except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
                    outcomes[index] = ("error", repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return outcomes


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def test_200_one_seat_bookings_on_50_seats_sell_exactly_50():
    train = make_train(total_seats=50)
    users = make_users(THREADS)

    def booking_for(user):
        return lambda: services.book_seats(user=user, train=train, travel_date=tomorrow(), seats=1).status

    outcomes = race([booking_for(users[attempt % len(users)]) for attempt in range(200)])

    assert Counter(map(str, outcomes)) == {"CONFIRMED": 50, "sold_out": 150}
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 50
    assert Booking.objects.count() == 50
    seats = sorted(SeatAllocation.objects.values_list("seat_number", flat=True))
    assert seats == list(range(1, 51))
    assert TrainRun.objects.count() == 1


def test_interleaved_bookings_cancellations_and_holds_never_lose_or_double_a_seat():
    total_seats = 30
    train = make_train(total_seats=total_seats)
    users = make_users(THREADS)
    existing = [services.book_seats(user=users[i], train=train, travel_date=tomorrow(), seats=2) for i in range(12)]
    chance = random.Random(20261123)

    def new_booking(user, seats):
        return lambda: (
            services.book_seats(user=user, train=train, travel_date=tomorrow(), seats=seats, allow_waitlist=True).status
        )

    def cancel(booking):
        return lambda: services.cancel_booking(booking_id=booking.id, by=booking.user).status

    def hold(user, seats):
        return lambda: services.hold_seats(user=user, train=train, travel_date=tomorrow(), seats=seats).id

    tasks = [cancel(booking) for booking in existing]
    tasks += [new_booking(chance.choice(users), chance.randint(1, 3)) for _ in range(40)]
    tasks += [hold(chance.choice(users), chance.randint(1, 2)) for _ in range(10)]
    chance.shuffle(tasks)

    outcomes = race(tasks)

    errors = [outcome for outcome in outcomes if isinstance(outcome, tuple)]
    assert errors == []
    assert all(
        outcome in ("CANCELLED", "CONFIRMED", "WAITLISTED", "sold_out", "waitlist_full") or isinstance(outcome, int)
        for outcome in outcomes
    ), Counter(map(str, outcomes))
    allocations = SeatAllocation.objects.all()
    seat_numbers = list(allocations.values_list("seat_number", flat=True))
    assert len(seat_numbers) == len(set(seat_numbers))
    assert all(1 <= seat <= total_seats for seat in seat_numbers)
    confirmed_seats = Passenger.objects.filter(status=Passenger.Status.CNF).count()
    held_seats = SeatAllocation.objects.filter(hold__in=Hold.objects.live()).count()
    free_seats = selectors.seat_map(train=train, travel_date=tomorrow())["available_seats"]
    assert confirmed_seats + held_seats + free_seats == total_seats
    for booking in Booking.objects.prefetch_related("passengers"):
        passengers = list(booking.passengers.all())
        assert booking.status == Booking.status_of(passenger.status for passenger in passengers)
        confirmed = sorted(p.seat_number for p in passengers if p.status == Passenger.Status.CNF)
        assert sorted(booking.allocations.values_list("seat_number", flat=True)) == confirmed, booking
    waiting = Passenger.objects.filter(status=Passenger.Status.WL)
    head = waiting.order_by("booking__created_at", "booking_id", "position").first()
    if head is not None:
        assert free_seats == 0, "a waitlisted passenger who fits was left waiting"


def test_concurrent_holds_on_one_seat_have_exactly_one_winner():
    train = make_train(total_seats=10)
    users = make_users(THREADS)

    def hold_seat_7(user):
        return lambda: services.hold_seats(user=user, train=train, travel_date=tomorrow(), seat_numbers=[7]).id

    outcomes = race([hold_seat_7(user) for user in users])

    winners = [outcome for outcome in outcomes if isinstance(outcome, int)]
    assert len(winners) == 1
    assert Counter(map(str, outcomes))["seats_unavailable"] == len(users) - 1
    assert list(SeatAllocation.objects.values_list("seat_number", "hold_id")) == [(7, winners[0])]


def test_concurrent_first_use_of_a_run_opens_it_once_and_fails_no_one():
    train = make_train(total_seats=50)
    users = make_users(THREADS)
    dates = [tomorrow() + timedelta(days=offset) for offset in range(5)]

    def first_booking(user, travel_date):
        return lambda: services.book_seats(user=user, train=train, travel_date=travel_date, seats=1).status

    outcomes = race([first_booking(users[i], day) for day in dates for i in range(20)])

    assert Counter(map(str, outcomes)) == {"CONFIRMED": 100}
    for day in dates:
        assert TrainRun.objects.filter(train=train, run_date=day).count() == 1
        assert sorted(SeatAllocation.objects.filter(run__run_date=day).values_list("seat_number", flat=True)) == list(
            range(1, 21)
        )
