"""Charting against real threads on MariaDB: a run is charted once, and charting racing bookings
and cancellations leaves every berth sold once and every cancelled passenger refunded once."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import cancellation, charting, services
from bookings.errors import ChartPrepared
from bookings.models import Booking, Passenger, Refund, SeatAllocation, TrainRun, is_rac_place
from tests.concurrency.test_booking_races import ON_MARIADB, make_users, race
from tests.factories import make_train, route

pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.skipif(not ON_MARIADB, reason="needs DB_ENGINE=mysql: real row locks"),
    pytest.mark.django_db(transaction=True),
]


def sleeper_tomorrow():
    return make_train(
        stops=route("Agra Cantt", "Gwalior", "Jhansi", "Bina"),
        classes=[{"code": "SL", "coaches": 1, "fare_per_km": "0.50", "quotas": {"TQ": 6}, "rac_berths": 2}],
    )


def run_date():
    return timezone.localdate() + timedelta(days=1)


@pytest.mark.parametrize("booked", [True, False], ids=["booked run", "run nobody booked"])
def test_eight_workers_charting_one_run_at_once_chart_it_once(booked):
    train = sleeper_tomorrow()
    if booked:
        [user] = make_users(1)
        services.book_seats(user=user, train=train, travel_date=run_date(), seats=2)
    # else the run has no row yet: the chart makes it

    def chart():
        charting.prepare_chart(train_id=train.pk, run_date=run_date())
        return "charted"

    outcomes = race([chart for _ in range(8)], threads=8)

    assert Counter(map(str, outcomes)) == {"charted": 1, "chart_prepared": 7}
    assert TrainRun.objects.filter(train=train).count() == 1
    assert TrainRun.objects.get(train=train).charted_at is not None


def test_charting_while_bookings_and_cancellations_race_on_the_run():
    train = sleeper_tomorrow()
    users = make_users(20)
    chance = random.Random(20261206)
    stops = ["Agra Cantt", "Gwalior", "Jhansi", "Bina"]
    early = [services.book_seats(user=users[i], train=train, travel_date=run_date(), seats=5) for i in range(12)]

    def booking(user):
        first = chance.randrange(3)
        last = chance.randrange(first + 1, 4)
        seats = chance.randint(1, 4)

        def book():
            return services.book_seats(
                user=user,
                train=train,
                travel_date=run_date(),
                seats=seats,
                from_station=stops[first],
                to_station=stops[last],
                allow_waitlist=True,
            ).status

        return book

    def cancelling(booked):
        numbers = sorted(chance.sample(range(1, booked.seats + 1), chance.randint(1, booked.seats)))

        def cancel():
            cancellation.cancel_passengers(booking_id=booked.pk, by=booked.user, passengers=numbers)
            return "cancelled"

        return cancel

    def chart():
        try:
            charting.prepare_chart(train_id=train.pk, run_date=run_date())
        except ChartPrepared:
            return "found charted"
        return "charted"

    tasks = [booking(users[i % len(users)]) for i in range(40)] + [cancelling(booked) for booked in early]
    chance.shuffle(tasks)
    for position in (15, 30, 45):
        tasks.insert(position, chart)
    outcomes = race(tasks, threads=16)

    assert not [outcome for outcome in outcomes if isinstance(outcome, tuple)], outcomes
    assert Counter(outcome for outcome in outcomes if outcome in ("charted", "found charted")) == {
        "charted": 1,
        "found charted": 2,
    }
    run = TrainRun.objects.get(train=train)
    passengers = list(Passenger.objects.filter(booking__run=run).select_related("booking"))
    rows = list(SeatAllocation.objects.filter(run=run).values_list("booking_id", "seat_number", "segment"))
    # Each CNF passenger holds their berth on every segment of their journey, and nobody else's.
    held = Counter((booking_id, seat) for booking_id, seat, _segment in rows)
    for passenger in passengers:
        seat = passenger.allocated_seat
        if passenger.status in (Passenger.Status.CNF, Passenger.Status.RAC):
            assert held[(passenger.booking_id, seat)] == len(passenger.booking.segments), passenger
        else:
            assert passenger.seat_number is None
    berths = [(seat, segment) for _booking, seat, segment in rows if not is_rac_place(seat)]
    assert len(berths) == len(set(berths))
    # Booked after the chart: confirmed berths only.
    after = [p for p in passengers if p.booking.created_at > run.charted_at]
    assert all(p.status in (Passenger.Status.CNF, Passenger.Status.CANCELLED) for p in after)
    # Every cancelled passenger is in exactly one refund, which adds up.
    for booked in Booking.objects.filter(run=run).prefetch_related("passengers", "refunds"):
        refunded = Counter(number for refund in booked.refunds.all() for number in refund.passengers)
        cancelled = {p.position for p in booked.passengers.all() if p.status == Passenger.Status.CANCELLED}
        assert set(refunded) == cancelled and all(count == 1 for count in refunded.values())
        for refund in booked.refunds.all():
            assert refund.amount + refund.charge == booked.passenger_fare * len(refund.passengers)
    assert (
        Refund.objects.filter(booking__run=run, at_charting=True).count()
        == Booking.objects.filter(run=run, refunds__at_charting=True).count()
    )
