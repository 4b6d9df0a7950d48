"""A booking may start from the train as an earlier request read it (`selectors.train_for_booking`).

The train is checked again under the run lock, so what a user relies on is that a change made
anywhere shows in the very next booking: a process that kept the train hears of no change made
by another one. These tests make the change through the train services (which forget the train
in this process) and then put back what the other process would still keep.
"""

import re
from datetime import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import selectors
from bookings.models import Booking
from irctc import process_memory
from tests.bookings.helpers import booking_body
from tests.factories import make_train, route
from trains import services as train_services
from trains.models import Train


def _as_another_process_keeps_it(train, change):
    """Make `change` to the train while another process keeps the train as it was before."""
    kept = selectors.train_for_booking(train.pk)
    change()
    assert train.pk not in process_memory.kept_trains  # this process forgot it...
    process_memory.kept_trains.put(train.pk, kept)  # ...the other one didn't


def _book(client, train, **extra):
    return client.post("/api/bookings/", booking_body(train, **extra), format="json")


def test_a_kept_train_costs_a_booking_no_statement(user_client, train):
    assert _book(user_client, train).status_code == 201
    with CaptureQueriesContext(connection) as kept:
        assert _book(user_client, train).status_code == 201
    process_memory.kept_trains.pop(train.pk)
    with CaptureQueriesContext(connection) as read:
        assert _book(user_client, train).status_code == 201

    assert len(read) == len(kept) + 1


def test_a_booking_on_a_kept_train_reads_none_of_its_stops_or_classes(user_client, train):
    # The kept train carries them, rendered with its row: every reader must take them from it.
    assert _book(user_client, train).status_code == 201
    with CaptureQueriesContext(connection) as kept:
        assert _book(user_client, train).status_code == 201

    schedule_reads = [query["sql"] for query in kept if re.search(r"trains_(stop|trainclass)\b", query["sql"])]
    assert schedule_reads == []


def test_a_train_retired_by_another_process_is_not_booked(user_client, train):
    _as_another_process_keeps_it(train, lambda: train_services.retire_train(train_id=train.pk))

    response = _book(user_client, train)

    assert response.status_code == 400
    assert "not in service" in str(response.json()["fields"]["train"])
    assert not Booking.objects.exists()


def test_a_class_added_by_another_process_can_be_booked_at_once(user_client):
    train = make_train(classes=[{"code": "3A", "coaches": 1}])
    _as_another_process_keeps_it(
        train,
        lambda: train_services.update_train(
            train_id=train.pk, classes=[{"code": "3A", "coaches": 1}, {"code": "2A", "coaches": 1}]
        ),
    )

    response = _book(user_client, train, **{"class": "2A"})

    assert response.status_code == 201, response.json()
    assert response.json()["class"] == "2A"


def test_a_booking_without_stations_boards_at_the_first_stop_another_process_just_set(user_client):
    train = make_train(stops=route("Alpha", "Beta", "Gamma", start=time(6, 0)))
    _as_another_process_keeps_it(
        train, lambda: train_services.update_train(train_id=train.pk, stops=route("Delta", "Beta", "Gamma"))
    )

    response = _book(user_client, train)

    assert response.status_code == 201, response.json()
    assert (response.json()["from_station"], response.json()["to_station"]) == ("Delta", "Gamma")


def test_a_train_deleted_by_another_process_is_a_400_naming_the_train(user_client):
    train = make_train()
    _as_another_process_keeps_it(train, lambda: Train.objects.filter(pk=train.pk).delete())

    response = _book(user_client, train)

    assert response.status_code == 400
    assert response.json()["fields"]["train"] == [f"No train with id {train.pk}."]
    assert not Booking.objects.exists()
