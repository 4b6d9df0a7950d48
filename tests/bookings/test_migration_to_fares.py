"""A fare booked before fares had charges keeps its amount and reads as a base fare alone."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import make_train, make_user, route

BEFORE = [("trains", "0005_stop_pair_covering_index"), ("bookings", "0005_segments_classes_passengers")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.fixture
def earlier_bookings(transactional_db):
    user = make_user("early-bird")
    train = make_train(stops=route("Agra", "Churu", km_apart=300), classes=[{"code": "SL", "coaches": 1}])
    executor = _migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Run, Booking = apps.get_model("bookings", "TrainRun"), apps.get_model("bookings", "Booking")
    run = Run.objects.create(train_id=train.pk, run_date=timezone.localdate() + timedelta(days=5))
    journey = dict(run=run, status="CONFIRMED", from_station="Agra", to_station="Churu", travel_date=run.run_date)
    fared = Booking.objects.create(user_id=user.pk, pnr="1234567890", seats=3, fare=405, **journey)
    unfared = Booking.objects.create(user_id=user.pk, pnr="1234567891", seats=1, fare=None, **journey)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    return user, fared.pk, unfared.pk


def test_an_earlier_fare_keeps_its_amount_as_a_base_fare_per_passenger(earlier_bookings):
    user, fared, unfared = earlier_bookings
    client = client_for(user)

    pnr = client.get(f"/api/bookings/{fared}/").json()["pnr"]
    status = client.get(f"/api/pnr/{pnr}/").json()
    unfared_status = client.get(f"/api/pnr/{client.get(f'/api/bookings/{unfared}/').json()['pnr']}/").json()

    assert status["fare"] == "405"
    assert [(p["fare"], p["fare_breakdown"]) for p in status["passengers"]] == [
        (
            "135",
            {
                "base": "135.00",
                "reservation": "0.00",
                "superfast": "0.00",
                "tatkal": "0.00",
                "gst": "0.00",
                "total": "135.00",
            },
        )  # fmt: skip
    ] * 3
    assert (unfared_status["fare"], unfared_status["passengers"][0]["fare_breakdown"]) == (None, None)
