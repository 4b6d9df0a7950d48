"""Real threads booking from quota pools on MariaDB: a Tatkal opening storm, queues kept in order.

Each test asserts the end state of the database: no seat sold twice on any segment, every seat
from the pool of the booking that holds it, the Tatkal pool sold exactly, and each quota's
waitlist served in order from its own pool. The clock is frozen just after Tatkal opens.
"""

import random
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings import services
from bookings.models import Booking, SeatAllocation
from tests.concurrency.test_booking_races import ON_MARIADB, make_users, race
from tests.factories import make_train
from trains.pools import pools_of

pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.skipif(not ON_MARIADB, reason="needs DB_ENGINE=mysql: real row locks"),
    pytest.mark.django_db(transaction=True),
]

INDIA = ZoneInfo("Asia/Kolkata")
RUN_DATE = date(2027, 3, 10)
# Half a second after Tatkal opens for a sleeper class of that run (11:00 the day before).
JUST_OPENED = datetime(2027, 3, 9, 11, 0, 0, 500_000, tzinfo=INDIA)
QUOTAS = {"TQ": 60, "SS": 6, "LD": 6}
SLEEPER_SEATS = 4 * 72


def sleeper_train(quotas=QUOTAS):
    return make_train(classes=[{"code": "SL", "coaches": 4, "fare_per_km": "0.50", "quotas": quotas}])


def assert_every_seat_once_and_in_its_pool(pools) -> None:
    rows = list(SeatAllocation.objects.values_list("segment", "seat_number", "booking__quota"))
    assert len(rows) == len({(segment, seat) for segment, seat, _quota in rows}), "a seat sold twice"
    wrong = [(seat, quota) for _segment, seat, quota in rows if pools.quota_of(seat) != quota]
    assert not wrong, f"seats from another pool: {wrong[:10]}"


def test_a_tatkal_opening_storm_sells_exactly_the_pool_and_nothing_else():
    train = sleeper_train()
    pools = pools_of("SL", SLEEPER_SEATS, tq=60, ss=6, ld=6)
    users = make_users(40)
    rng = random.Random(28)
    # Every fifth request is for one seat, 60 in all: were a Tatkal seat left at the end, each of
    # them would have found it, and together they ask for the whole pool.
    sizes = [1 if index % 5 == 0 else rng.randint(2, 4) for index in range(300)]

    def tatkal(index):
        return lambda: (
            services.book_seats(
                user=users[index % len(users)], train=train, travel_date=RUN_DATE, seats=sizes[index], quota="TQ"
            ).pk
        )

    def general(index):
        return lambda: (
            services.book_seats(
                user=users[index % len(users)], train=train, travel_date=RUN_DATE, seats=3, allow_waitlist=True
            ).pk
        )

    # GN asks for more than its pool (216 seats): the rest must wait, not spill into the quotas.
    tasks = [tatkal(index) for index in range(300)] + [general(index) for index in range(80)]
    rng.shuffle(tasks)
    with time_machine.travel(JUST_OPENED, tick=False):
        outcomes = race(tasks)

    refusals = Counter(outcome for outcome in outcomes if not isinstance(outcome, int))
    assert set(refusals) <= {"sold_out"}, refusals
    tatkal_sold = Booking.objects.filter(quota="TQ", status="CONFIRMED")
    assert sum(tatkal_sold.values_list("seats", flat=True)) == 60
    assert SeatAllocation.objects.filter(booking__quota="TQ").count() == 60
    assert not Booking.objects.filter(quota="TQ", status="WAITLISTED").exists()
    assert SeatAllocation.objects.filter(booking__quota="GN").count() == len(pools.seats["GN"]) == 216
    assert Booking.objects.filter(quota="GN", status="WAITLISTED").count() == 8
    assert_every_seat_once_and_in_its_pool(pools)


def test_quota_queues_stay_in_order_through_concurrent_cancellations_and_bookings():
    quotas = {"TQ": 40}
    train = sleeper_train(quotas)
    pools = pools_of("SL", SLEEPER_SEATS, tq=40)
    users = make_users(40)
    with time_machine.travel(JUST_OPENED, tick=False):
        confirmed = [
            services.book_seats(user=users[index], train=train, travel_date=RUN_DATE, seats=1, quota="TQ")
            for index in range(40)
        ]
        for index in range(4):  # the Tatkal waitlist: 20% of 40 seats has room for 8
            services.book_seats(
                user=users[index], train=train, travel_date=RUN_DATE, seats=1, quota="TQ", allow_waitlist=True
            )
        # GN sold out with a waitlist of its own, which no Tatkal seat may serve.
        general = SLEEPER_SEATS - 40
        while general:
            seats = min(6, general)
            services.book_seats(user=users[0], train=train, travel_date=RUN_DATE, seats=seats)
            general -= seats
        general_waiting = services.book_seats(
            user=users[1], train=train, travel_date=RUN_DATE, seats=1, allow_waitlist=True
        )

        def cancel(booking):
            return lambda: services.cancel_booking(booking_id=booking.pk, by=booking.user).pk

        def join(index):
            return lambda: (
                services.book_seats(
                    user=users[index], train=train, travel_date=RUN_DATE, seats=1, quota="TQ", allow_waitlist=True
                ).pk
            )

        tasks = [cancel(booking) for booking in confirmed[:6]] + [join(index) for index in range(4, 8)]
        random.Random(7).shuffle(tasks)
        outcomes = race(tasks, threads=10)

    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    queue = list(
        Booking.objects.filter(quota="TQ")
        .exclude(status="CANCELLED")
        .order_by("created_at", "id")
        .values_list("status", flat=True)
    )
    # Confirmed first, then waiting: nobody passed by a later booking of the same queue.
    assert queue == sorted(queue, key=lambda status: status != "CONFIRMED")
    assert queue.count("CONFIRMED") == 40  # every freed Tatkal seat went to the Tatkal queue
    general_waiting.refresh_from_db()
    assert general_waiting.status == "WAITLISTED"
    assert_every_seat_once_and_in_its_pool(pools)
