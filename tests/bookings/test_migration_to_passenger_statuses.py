"""Bookings made before passengers had statuses get a passenger row per traveller, with the
booking's status as theirs, their seats from the allocations and their place in the waitlist."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from bookings.models import Booking, Passenger
from tests.factories import make_train, make_user, route

BEFORE = [("trains", "0008_class_quotas_and_rac_berths"), ("bookings", "0007_booking_and_hold_quota")]


@pytest.fixture
def earlier_bookings(transactional_db):
    user = make_user("early-bird")
    train = make_train(stops=route("Agra", "Churu", "Delhi"), classes=[{"code": "SL", "coaches": 1}])
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Run, Booking_, Passenger_ = (apps.get_model("bookings", name) for name in ("TrainRun", "Booking", "Passenger"))
    Allocation = apps.get_model("bookings", "SeatAllocation")
    run = Run.objects.create(train_id=train.pk, run_date=timezone.localdate() + timedelta(days=5))
    journey = dict(run=run, user_id=user.pk, from_station="Agra", to_station="Delhi", travel_date=run.run_date)
    journey.update(from_index=0, to_index=2, class_code="SL")
    now = timezone.now()
    by_count = Booking_.objects.create(pnr="1000000001", status="CONFIRMED", seats=2, created_at=now, **journey)
    Allocation.objects.bulk_create(
        Allocation(run=run, class_code="SL", segment=segment, seat_number=seat, booking=by_count)
        for seat in (9, 4)
        for segment in (0, 1)
    )
    first_waiting = Booking_.objects.create(
        pnr="1000000002", status="WAITLISTED", seats=2, created_at=now + timedelta(seconds=1), **journey
    )
    Passenger_.objects.bulk_create(
        Passenger_(booking=first_waiting, position=n, name=f"Named {n}", age=30, gender="F") for n in (1, 2)
    )
    second_waiting = Booking_.objects.create(
        pnr="1000000003", status="WAITLISTED", seats=1, created_at=now + timedelta(seconds=2), **journey
    )
    cancelled = Booking_.objects.create(
        pnr="1000000004", status="CANCELLED", seats=1, created_at=now + timedelta(seconds=3), **journey
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    return [booking.pk for booking in (by_count, first_waiting, second_waiting, cancelled)]


def passengers_of(booking_id) -> list[tuple]:
    return [
        (p.position, p.name, p.booking_status, p.booking_position, p.status, p.seat_number, p.rac_place)
        for p in Passenger.objects.filter(booking_id=booking_id).order_by("position")
    ]


def test_every_earlier_booking_gets_its_passengers_with_its_status(earlier_bookings):
    by_count, first_waiting, second_waiting, cancelled = earlier_bookings

    assert passengers_of(by_count) == [(1, None, "CNF", None, "CNF", 4, None), (2, None, "CNF", None, "CNF", 9, None)]
    assert passengers_of(first_waiting) == [
        (1, "Named 1", "WL", 1, "WL", None, None),
        (2, "Named 2", "WL", 2, "WL", None, None),
    ]
    assert passengers_of(second_waiting) == [(1, None, "WL", 3, "WL", None, None)]
    assert passengers_of(cancelled) == [(1, None, "CNF", None, "CANCELLED", None, None)]
    assert [Booking.objects.get(pk=pk).status for pk in earlier_bookings] == [
        "CONFIRMED",
        "WAITLISTED",
        "WAITLISTED",
        "CANCELLED",
    ]
