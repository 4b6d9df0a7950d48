from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Booking, TrainRun
from tests.bookings.helpers import book, booking_body, early_today, seats_of, tomorrow
from tests.conftest import client_for
from tests.factories import make_train, make_user

pytestmark = pytest.mark.django_db


def test_booking_confirms_lowest_seats_and_renders_the_contract(user_client, user, train):
    response = user_client.post("/api/bookings/", booking_body(train, 3), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    version_1_fields = {
        "id",
        "pnr",
        "status",
        "seats",
        "seat_numbers",
        "waitlist_position",
        "travel_date",
        "train",
        "created_at",
        "cancelled_at",
    }
    version_2_fields = {"run_date", "from_station", "to_station", "departure", "arrival", "class", "fare", "passengers"}
    version_3_fields = {"quota", "refunds"}
    assert set(body) == version_1_fields | version_2_fields | version_3_fields
    assert body["quota"] == "GN"
    # A version-1 request on a version-1 train: the whole route, in GEN, no fare, unnamed passengers.
    assert body["from_station"] == "New Delhi" and body["to_station"] == "Mumbai Central"
    assert body["run_date"] == str(tomorrow())
    assert body["departure"] == f"{tomorrow()}T16:30:00+05:30"
    assert body["arrival"] == f"{tomorrow() + timedelta(days=1)}T08:30:00+05:30"
    assert body["class"] == "GEN"
    assert body["fare"] is None
    confirmed = {"status": "CNF", "position": None}
    assert [
        (p["name"], p["seat_number"], p["coach"], p["booking_status"], p["current_status"]) for p in body["passengers"]
    ] == [(None, seat, None, confirmed, confirmed) for seat in (1, 2, 3)]
    assert body["status"] == "CONFIRMED"
    assert body["seats"] == 3
    assert body["seat_numbers"] == [1, 2, 3]
    assert body["waitlist_position"] is None
    assert body["travel_date"] == str(tomorrow())
    assert body["cancelled_at"] is None
    assert len(body["pnr"]) == 10 and body["pnr"].isdigit()
    assert body["train"]["id"] == train.id
    assert body["train"]["train_number"] == train.train_number
    assert body["train"]["departure_time"] == "16:30"
    assert body["train"]["runs_on"] == ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
    assert body["created_at"].endswith("+05:30")
    booking = Booking.objects.get(pk=body["id"])
    assert booking.user == user
    assert seats_of(booking) == [1, 2, 3]


def test_pnrs_are_unique_and_not_sequential(user, train):
    pnrs = [book(user, train).pnr for _ in range(5)]

    assert len(set(pnrs)) == 5
    assert all(abs(int(a) - int(b)) != 1 for a, b in zip(pnrs, pnrs[1:], strict=False))


def test_first_booking_on_a_date_opens_one_run(user, train):
    book(user, train)
    book(user, train)

    assert TrainRun.objects.filter(train=train, run_date=tomorrow()).count() == 1


def test_sold_out_without_waitlist_is_a_conflict_naming_free_seats(user_client, user):
    train = make_train(total_seats=4)
    book(user, train, 3)

    response = user_client.post("/api/bookings/", booking_body(train, 2), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "sold_out"
    assert response.json()["available_seats"] == 1
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seats": 0}, "seats"),
        ({"seats": 7}, "seats"),
        ({"seats": "two"}, "seats"),
        ({"seats": None}, "seats"),
        ({"train": 999999}, "train"),
        ({"train": "abc"}, "train"),
        ({"train": 10**30}, "train"),
        ({"travel_date": "tomorrow"}, "travel_date"),
        ({"travel_date": "2026-02-30"}, "travel_date"),
        ({"allow_waitlist": "maybe"}, "allow_waitlist"),
    ],
)
def test_malformed_booking_is_a_400_naming_the_field(user_client, train, change, field):
    response = user_client.post("/api/bookings/", {**booking_body(train), **change}, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize("missing", ["train", "travel_date", "seats"])
def test_each_booking_field_is_required(user_client, train, missing):
    body = booking_body(train)
    del body[missing]

    response = user_client.post("/api/bookings/", body, format="json")

    assert response.status_code == 400
    assert missing in response.json()["fields"]


def test_a_body_that_is_not_an_object_is_a_400(user_client):
    response = user_client.post("/api/bookings/", [1, 2], format="json")

    assert response.status_code == 400


def test_travel_date_in_the_past_is_refused(user_client, train):
    yesterday = timezone.localdate() - timedelta(days=1)

    response = user_client.post("/api/bookings/", booking_body(train, travel_date=yesterday), format="json")

    assert response.status_code == 400
    assert "travel_date" in response.json()["fields"]


def test_today_and_the_last_day_of_the_window_are_bookable(user_client, train, settings, monkeypatch):
    early_today(monkeypatch)  # today's 16:30 departure is still ahead
    today = timezone.localdate()
    last = today + timedelta(days=settings.BOOKING_WINDOW_DAYS)

    assert user_client.post("/api/bookings/", booking_body(train, travel_date=today), format="json").status_code == 201
    assert user_client.post("/api/bookings/", booking_body(train, travel_date=last), format="json").status_code == 201


def test_bookings_close_when_the_train_leaves_the_boarding_station(user_client, train, monkeypatch):
    today = timezone.localdate()
    departure = timezone.make_aware(datetime.combine(today, time(16, 30)))
    monkeypatch.setattr(timezone, "now", lambda: departure - timedelta(minutes=1))
    assert user_client.post("/api/bookings/", booking_body(train, travel_date=today), format="json").status_code == 201

    monkeypatch.setattr(timezone, "now", lambda: departure)
    response = user_client.post("/api/bookings/", booking_body(train, travel_date=today), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "journey_departed"
    assert "travel_date" in response.json()["fields"]
    assert Booking.objects.count() == 1


def test_travel_date_beyond_the_window_is_refused(user_client, train, settings):
    too_far = timezone.localdate() + timedelta(days=settings.BOOKING_WINDOW_DAYS + 1)

    response = user_client.post("/api/bookings/", booking_body(train, travel_date=too_far), format="json")

    assert response.status_code == 400
    assert "travel_date" in response.json()["fields"]


def test_a_day_the_train_does_not_run_is_refused(user_client):
    day = tomorrow()
    other_weekdays = 0b1111111 & ~(1 << day.weekday())
    train = make_train(runs_on_mask=other_weekdays)

    response = user_client.post("/api/bookings/", booking_body(train, travel_date=day), format="json")

    assert response.status_code == 400
    assert "travel_date" in response.json()["fields"]
    assert not TrainRun.objects.exists()


def test_a_retired_train_cannot_be_booked(user_client):
    train = make_train(is_active=False)

    response = user_client.post("/api/bookings/", booking_body(train), format="json")

    assert response.status_code == 400
    assert "train" in response.json()["fields"]


def test_booking_needs_a_signed_in_user(anon, train):
    response = anon.post("/api/bookings/", booking_body(train), format="json")

    assert response.status_code == 401
    assert not Booking.objects.exists()


# --- Reads -------------------------------------------------------------------------------------


def test_my_bookings_lists_only_mine_newest_first(user_client, user, train):
    first = book(user, train)
    second = book(user, train, 2)
    book(make_user("someone"), train)

    response = user_client.get("/api/bookings/my/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [b["id"] for b in body["results"]] == [second.id, first.id]
    assert body["results"][0]["seat_numbers"] == [2, 3]


def test_my_bookings_is_paginated(user_client, user, train):
    for _ in range(3):
        book(user, train)

    body = user_client.get("/api/bookings/my/?limit=2").json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None


def test_owner_and_admin_can_read_a_booking(user_client, admin_client, user, train):
    booking = book(user, train)

    assert user_client.get(f"/api/bookings/{booking.id}/").json()["pnr"] == booking.pnr
    assert admin_client.get(f"/api/bookings/{booking.id}/").status_code == 200


def test_someone_elses_booking_is_not_found(user, train):
    booking = book(user, train)
    stranger = client_for(make_user("stranger"))

    response = stranger.get(f"/api/bookings/{booking.id}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_booking_is_not_found(user_client):
    assert user_client.get("/api/bookings/424242/").status_code == 404
    assert user_client.get(f"/api/bookings/{10**30}/").status_code == 404


def test_all_bookings_is_for_admins_only(user_client, admin_client, user, train):
    book(user, train)
    book(make_user("someone"), train)

    assert user_client.get("/api/bookings/").status_code == 403
    body = admin_client.get("/api/bookings/").json()
    assert body["count"] == 2


def test_all_bookings_filters_by_train_date_and_status(admin_client, user, train):
    other_train = make_train()
    later = tomorrow() + timedelta(days=1)
    wanted = book(user, train)
    book(user, other_train)
    book(user, train, travel_date=later)
    cancelled = book(user, train)
    cancelled.status = Booking.Status.CANCELLED
    cancelled.save()

    by_train = admin_client.get(f"/api/bookings/?train={train.id}").json()
    by_date = admin_client.get(f"/api/bookings/?travel_date={later}").json()
    combined = admin_client.get(f"/api/bookings/?train={train.id}&travel_date={tomorrow()}&status=CONFIRMED").json()

    assert by_train["count"] == 3
    assert by_date["count"] == 1
    assert [b["id"] for b in combined["results"]] == [wanted.id]


@pytest.mark.parametrize(
    "query",
    ["status=LOST", "travel_date=soon", "train=abc", "train=0", "limit=0", "offset=-1", "travel_date=2026-13-01"],
)
def test_invalid_filters_are_a_400(admin_client, query):
    response = admin_client.get(f"/api/bookings/?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def _queries_for(client, path) -> int:
    client.get(path)  # the first request of a token also reads (and caches) its user
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_a_page_of_bookings_costs_the_same_queries_however_long(admin_user, user, train):
    user_client, admin_client = client_for(user), client_for(admin_user)
    book(user, train)
    book(user, train, 2, allow_waitlist=True)
    small_mine = _queries_for(user_client, "/api/bookings/my/")
    small_all = _queries_for(admin_client, "/api/bookings/")

    full_train = make_train(total_seats=10)
    for _ in range(4):
        book(user, make_train())
    book(user, full_train, 6)
    book(user, full_train, 4)
    assert book(user, full_train, 2, allow_waitlist=True).status == Booking.Status.WAITLISTED

    assert _queries_for(user_client, "/api/bookings/my/") == small_mine
    assert _queries_for(admin_client, "/api/bookings/") == small_all


def test_a_train_id_no_column_can_hold_is_a_400_not_a_crash(admin_client, user, train):
    book(user, train)

    response = admin_client.get(f"/api/bookings/?train={10**30}")

    assert response.status_code == 400
    assert "train" in response.json()["fields"]
