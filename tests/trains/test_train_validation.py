"""Every bad field is a 400 naming the field, and nothing is written."""

import pytest

from tests.trains.helpers import train_body
from trains.models import Train

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("train_number", "1234"),
        ("train_number", "123456"),
        ("train_number", "12a45"),
        ("train_number", "१२३४५"),  # Devanagari digits
        ("train_number", ""),
        ("train_number", None),
        ("train_number", True),
        ("name", ""),
        ("name", "   "),
        ("name", "x" * 101),
        ("name", ["Rajdhani"]),
        ("source", ""),
        ("source", " \t "),
        ("source", "s" * 65),
        ("source", "ß" * 40),  # case-folds to 80 characters, too long for the search key
        ("destination", None),
        ("destination", {"name": "Delhi"}),
        ("departure_time", "17:00:00"),
        ("departure_time", "7:00"),
        ("departure_time", "24:00"),
        ("departure_time", "12:60"),
        ("departure_time", "noon"),
        ("departure_time", 1700),
        ("departure_time", None),
        ("arrival_time", "08:32Z"),
        ("arrival_time", ""),
        ("arrival_day_offset", 4),
        ("arrival_day_offset", -1),
        ("arrival_day_offset", 1.5),
        ("arrival_day_offset", "one"),
        ("total_seats", 0),
        ("total_seats", 5001),
        ("total_seats", -5),
        ("total_seats", "many"),
        ("total_seats", None),
        ("total_seats", 10**30),
        ("runs_on", []),
        ("runs_on", ["MON", "MON"]),
        ("runs_on", ["MON", "FUNDAY"]),
        ("runs_on", ["mon"]),
        ("runs_on", "MON"),
        ("runs_on", [1, 2]),
        ("runs_on", [["MON"]]),
        ("runs_on", None),
    ],
)
def test_bad_field_is_a_400_naming_it(admin_client, field, value):
    response = admin_client.post("/api/trains/", train_body(**{field: value}))

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["fields"]) == [field]
    assert body["detail"]
    assert not Train.objects.exists()


def test_seconds_are_refused_with_a_message_saying_the_format(admin_client):
    response = admin_client.post("/api/trains/", train_body(departure_time="17:00:00"))

    assert "HH:MM" in response.json()["fields"]["departure_time"][0]


def test_unknown_weekday_message_names_the_code(admin_client):
    response = admin_client.post("/api/trains/", train_body(runs_on=["MON", "FUNDAY"]))

    assert "FUNDAY" in response.json()["fields"]["runs_on"][0]


@pytest.mark.parametrize("field", ["train_number", "name", "source", "destination", "departure_time", "total_seats"])
def test_missing_required_field_is_named(admin_client, field):
    body = train_body()
    del body[field]

    response = admin_client.post("/api/trains/", body)

    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.parametrize(("source", "destination"), [("New Delhi", "New Delhi"), ("New Delhi", "  new   DELHI ")])
def test_source_and_destination_must_differ_ignoring_case_and_spaces(admin_client, source, destination):
    response = admin_client.post("/api/trains/", train_body(source=source, destination=destination))

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "destination" in response.json()["fields"]
    assert not Train.objects.exists()


@pytest.mark.parametrize("arrival_time", ["06:00", "05:59"])
def test_same_day_arrival_must_be_after_departure(admin_client, arrival_time):
    response = admin_client.post(
        "/api/trains/", train_body(departure_time="06:00", arrival_time=arrival_time, arrival_day_offset=0)
    )

    assert response.status_code == 400
    assert "arrival_time" in response.json()["fields"]


def test_next_day_arrival_may_be_earlier_on_the_clock(admin_client):
    response = admin_client.post(
        "/api/trains/", train_body(departure_time="22:00", arrival_time="06:00", arrival_day_offset=1)
    )

    assert response.status_code == 201


@pytest.mark.parametrize("body", [[], ["12951"], "12951", 5])
def test_a_body_that_is_not_an_object_is_a_400(admin_client, body):
    response = admin_client.post("/api/trains/", body, format="json")

    assert response.status_code == 400
    assert not Train.objects.exists()


def test_malformed_json_is_a_400(admin_client):
    response = admin_client.generic("POST", "/api/trains/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_boundaries_are_accepted(admin_client):
    response = admin_client.post(
        "/api/trains/",
        train_body(
            train_number="00000",
            name="x" * 100,
            source="s" * 64,
            total_seats=5000,
            arrival_day_offset=3,
            departure_time="00:00",
            arrival_time="23:59",
        ),
    )

    assert response.status_code == 201, response.json()
