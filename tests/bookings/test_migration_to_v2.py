"""Data written by version 1 survives the move to stops, classes and segments.

The test migrates the database back to the last version-1 state, writes a train, a run, a
booking with seats and a hold through the historical models, migrates forward, and reads the
result with today's models and API.
"""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from bookings.models import Booking, Hold, SeatAllocation
from tests.conftest import client_for
from trains.models import Stop, Train

V1 = [("trains", "0001_initial"), ("bookings", "0004_drop_run_version")]
V2 = [("trains", "0002_stops_and_classes"), ("bookings", "0005_segments_classes_passengers")]


@pytest.fixture
def version_1_data(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(V1)
    apps = executor.loader.project_state(V1).apps
    User = apps.get_model("accounts", "User")
    OldTrain, OldRun = apps.get_model("trains", "Train"), apps.get_model("bookings", "TrainRun")
    OldBooking, OldHold = apps.get_model("bookings", "Booking"), apps.get_model("bookings", "Hold")
    OldAllocation = apps.get_model("bookings", "SeatAllocation")
    user = User.objects.create(username="old-passenger", email="old@example.com", password="!")
    train = OldTrain.objects.create(
        train_number="12951",
        name="Mumbai Rajdhani",
        source="Mumbai Central",
        source_key="mumbai central",
        destination="New Delhi",
        destination_key="new delhi",
        departure_time=time(17, 0),
        arrival_time=time(8, 32),
        arrival_day_offset=1,
        total_seats=100,
    )
    run_date = timezone.localdate() + timedelta(days=5)
    run = OldRun.objects.create(train=train, travel_date=run_date)
    booking = OldBooking.objects.create(user=user, run=run, pnr="1234567890", status="CONFIRMED", seats=2)
    OldAllocation.objects.bulk_create(OldAllocation(run=run, seat_number=seat, booking=booking) for seat in (4, 5))
    hold = OldHold.objects.create(
        user=user, run=run, seat_numbers=[7], expires_at=timezone.now() + timedelta(minutes=3)
    )
    OldAllocation.objects.create(run=run, seat_number=7, hold=hold)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(V2)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    return {"train_id": train.pk, "booking_id": booking.pk, "hold_id": hold.pk, "run_date": run_date}


def test_a_version_1_train_becomes_a_two_stop_route_with_one_general_class(version_1_data):
    train = Train.objects.get(pk=version_1_data["train_id"])

    stops = list(train.stops.order_by("index"))
    assert [(stop.station, stop.departure_time, stop.arrival_time, stop.day_offset) for stop in stops] == [
        ("Mumbai Central", time(17, 0), None, 0),
        ("New Delhi", None, time(8, 32), 1),
    ]
    assert all(stop.distance_km is None for stop in stops)
    assert [(c.code, c.seats, c.coaches, c.fare_per_km) for c in train.classes.all()] == [("GEN", 100, None, None)]
    assert Stop.objects.filter(station_key="new delhi", train=train).exists()


def test_a_version_1_booking_covers_the_whole_route_on_its_run(version_1_data):
    booking = Booking.objects.get(pk=version_1_data["booking_id"])

    assert (booking.from_index, booking.to_index) == (0, 1)
    assert (booking.from_station, booking.to_station, booking.class_code) == ("Mumbai Central", "New Delhi", "GEN")
    assert booking.travel_date == booking.run.run_date == version_1_data["run_date"]
    assert booking.fare is None
    seats = SeatAllocation.objects.filter(booking=booking).values_list("seat_number", "segment", "class_code")
    assert sorted(seats) == [(4, 0, "GEN"), (5, 0, "GEN")]
    hold = Hold.objects.get(pk=version_1_data["hold_id"])
    assert (hold.from_station, hold.to_station, hold.travel_date) == (
        "Mumbai Central",
        "New Delhi",
        booking.travel_date,
    )


def test_the_migrated_booking_reads_and_cancels_through_the_api(version_1_data):
    booking = Booking.objects.get(pk=version_1_data["booking_id"])
    client = client_for(booking.user)

    body = client.get(f"/api/bookings/{booking.pk}/").json()
    assert body["seat_numbers"] == [4, 5]
    assert body["departure"] == f"{version_1_data['run_date']}T17:00:00+05:30"
    assert body["arrival"] == f"{version_1_data['run_date'] + timedelta(days=1)}T08:32:00+05:30"
    response = client.post(f"/api/bookings/{booking.pk}/cancel/")
    assert response.status_code == 200, response.content
    assert not SeatAllocation.objects.filter(booking=booking).exists()
