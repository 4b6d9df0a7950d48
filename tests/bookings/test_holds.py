from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from bookings import selectors
from bookings.models import Booking, Hold, SeatAllocation
from tests.bookings.helpers import book, seats_of, tomorrow
from tests.conftest import client_for
from tests.factories import make_train, make_user

pytestmark = pytest.mark.django_db


def hold_body(train, **seats):
    return {"train": train.id, "travel_date": str(tomorrow()), **seats}


def expire(hold_id):
    Hold.objects.filter(pk=hold_id).update(expires_at=timezone.now() - timedelta(seconds=1))


def test_holding_specific_seats_returns_the_hold(user_client, train, settings):
    before = timezone.now()

    response = user_client.post("/api/holds/", hold_body(train, seat_numbers=[7, 5]), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    version_1_fields = {"id", "train", "travel_date", "seat_numbers", "expires_at"}
    version_2_fields = {"run_date", "from_station", "to_station", "class", "berths", "passengers"}
    assert set(body) == version_1_fields | version_2_fields | {"quota"}
    assert body["quota"] == "GN"
    assert body["seat_numbers"] == [5, 7]
    assert body["run_date"] == str(tomorrow())
    assert (body["from_station"], body["to_station"], body["class"]) == ("New Delhi", "Mumbai Central", "GEN")
    assert body["berths"] == [
        {"seat_number": 5, "coach": None, "berth": 5, "berth_type": None},
        {"seat_number": 7, "coach": None, "berth": 7, "berth_type": None},
    ]
    assert body["passengers"] == []
    assert body["train"]["id"] == train.id
    assert body["travel_date"] == str(tomorrow())
    assert body["expires_at"].endswith("+05:30")
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert before + timedelta(seconds=settings.HOLD_SECONDS - 5) < expires_at
    assert expires_at <= timezone.now() + timedelta(seconds=settings.HOLD_SECONDS)


def test_holding_a_count_allocates_like_a_booking(user_client, user, train):
    book(user, train, 2)

    response = user_client.post("/api/holds/", hold_body(train, seats=3), format="json")

    assert response.status_code == 201
    assert response.json()["seat_numbers"] == [3, 4, 5]


def test_held_seats_are_not_sold_to_anyone_else(user_client, user):
    train = make_train(total_seats=4)
    user_client.post("/api/holds/", hold_body(train, seat_numbers=[1, 2]), format="json")

    booking = book(make_user("other"), train, 2)

    assert seats_of(booking) == [3, 4]
    assert selectors.seat_map(train=train, travel_date=tomorrow())["free_seat_numbers"] == []


def test_a_seat_held_or_booked_cannot_be_held_again_and_the_409_names_it(user_client, user, train):
    book(user, train, 1)  # seat 1
    client_for(make_user("other")).post("/api/holds/", hold_body(train, seat_numbers=[3]), format="json")

    response = user_client.post("/api/holds/", hold_body(train, seat_numbers=[1, 2, 3]), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "seats_unavailable"
    assert response.json()["seat_numbers"] == [1, 3]
    assert not SeatAllocation.objects.filter(seat_number=2).exists()


def test_holding_a_count_on_a_full_run_is_sold_out(user_client, user):
    train = make_train(total_seats=2)
    book(user, train, 1)

    response = user_client.post("/api/holds/", hold_body(train, seats=2), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "sold_out"
    assert response.json()["available_seats"] == 1


@pytest.mark.parametrize(
    ("seats", "field"),
    [
        ({"seat_numbers": []}, "seat_numbers"),
        ({"seat_numbers": [1, 2, 3, 4, 5, 6, 7]}, "seat_numbers"),
        ({"seat_numbers": [2, 2]}, "seat_numbers"),
        ({"seat_numbers": [0]}, "seat_numbers"),
        ({"seat_numbers": [51]}, "seat_numbers"),
        ({"seat_numbers": [10**30]}, "seat_numbers"),
        ({"seat_numbers": "1,2"}, "seat_numbers"),
        ({"seat_numbers": ["x"]}, "seat_numbers"),
        ({"seats": 0}, "seats"),
        ({"seats": 7}, "seats"),
        ({}, "seat_numbers"),
        ({"seats": 1, "seat_numbers": [1]}, "seat_numbers"),
    ],
)
def test_malformed_hold_is_a_400_naming_the_field(user_client, train, seats, field):
    response = user_client.post("/api/holds/", hold_body(train, **seats), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Hold.objects.exists()


def test_a_hold_follows_the_journey_rules(user_client, train):
    body = {"train": train.id, "travel_date": str(timezone.localdate() - timedelta(days=1)), "seats": 1}

    response = user_client.post("/api/holds/", body, format="json")

    assert response.status_code == 400
    assert "travel_date" in response.json()["fields"]


def test_holding_needs_a_signed_in_user(anon, train):
    assert anon.post("/api/holds/", hold_body(train, seats=1), format="json").status_code == 401


# --- Confirm -----------------------------------------------------------------------------------


def test_confirming_a_hold_books_the_same_seats(user_client, user, train):
    hold_id = user_client.post("/api/holds/", hold_body(train, seat_numbers=[9, 10]), format="json").json()["id"]

    response = user_client.post(f"/api/holds/{hold_id}/confirm/")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "CONFIRMED"
    assert body["seats"] == 2
    assert body["seat_numbers"] == [9, 10]
    booking = Booking.objects.get(pk=body["id"])
    assert booking.user == user
    assert not SeatAllocation.objects.filter(hold__isnull=False).exists()


def test_a_hold_confirms_only_once(user_client, train):
    hold_id = user_client.post("/api/holds/", hold_body(train, seats=1), format="json").json()["id"]
    user_client.post(f"/api/holds/{hold_id}/confirm/")

    response = user_client.post(f"/api/holds/{hold_id}/confirm/")

    assert response.status_code == 409
    assert response.json()["code"] == "hold_already_confirmed"
    assert Booking.objects.count() == 1


def test_confirming_an_expired_hold_is_gone(user_client, train):
    hold_id = user_client.post("/api/holds/", hold_body(train, seats=2), format="json").json()["id"]
    expire(hold_id)

    response = user_client.post(f"/api/holds/{hold_id}/confirm/")

    assert response.status_code == 410
    assert response.json()["code"] == "hold_expired"
    assert not Booking.objects.exists()


def test_only_the_owner_can_confirm_or_release_a_hold(user_client, admin_client, train):
    hold_id = user_client.post("/api/holds/", hold_body(train, seats=1), format="json").json()["id"]
    stranger = client_for(make_user("stranger"))

    assert stranger.post(f"/api/holds/{hold_id}/confirm/").status_code == 404
    assert stranger.delete(f"/api/holds/{hold_id}/").status_code == 404
    assert admin_client.post(f"/api/holds/{hold_id}/confirm/").status_code == 404
    assert SeatAllocation.objects.filter(hold_id=hold_id).count() == 1
    assert not Booking.objects.exists()


def test_unknown_hold_is_not_found(user_client):
    assert user_client.post("/api/holds/987654/confirm/").status_code == 404
    assert user_client.delete("/api/holds/987654/").status_code == 404


# --- Release and expiry ------------------------------------------------------------------------


def test_releasing_a_hold_frees_its_seats(user_client, train):
    hold_id = user_client.post("/api/holds/", hold_body(train, seat_numbers=[1, 2]), format="json").json()["id"]

    response = user_client.delete(f"/api/holds/{hold_id}/")

    assert response.status_code == 204
    assert not SeatAllocation.objects.exists()
    again = client_for(make_user("other")).post("/api/holds/", hold_body(train, seat_numbers=[1, 2]), format="json")
    assert again.status_code == 201
    assert user_client.delete(f"/api/holds/{hold_id}/").status_code == 404


def test_a_confirmed_hold_cannot_be_released(user_client, train):
    hold_id = user_client.post("/api/holds/", hold_body(train, seats=1), format="json").json()["id"]
    user_client.post(f"/api/holds/{hold_id}/confirm/")

    response = user_client.delete(f"/api/holds/{hold_id}/")

    assert response.status_code == 409
    assert SeatAllocation.objects.filter(booking__isnull=False).count() == 1


def test_an_expired_hold_stops_counting_without_any_write(user_client, user):
    train = make_train(total_seats=3)
    hold_id = user_client.post("/api/holds/", hold_body(train, seat_numbers=[2]), format="json").json()["id"]
    assert selectors.seat_map(train=train, travel_date=tomorrow())["available_seats"] == 2

    expire(hold_id)

    assert selectors.seat_map(train=train, travel_date=tomorrow())["available_seats"] == 3
    assert selectors.seat_map(train=train, travel_date=tomorrow())["free_seat_numbers"] == [1, 2, 3]


def test_an_expired_holds_seats_can_be_taken_by_someone_else(user_client):
    train = make_train(total_seats=2)
    hold_id = user_client.post("/api/holds/", hold_body(train, seat_numbers=[1, 2]), format="json").json()["id"]
    expire(hold_id)
    other = client_for(make_user("other"))

    response = other.post("/api/holds/", hold_body(train, seat_numbers=[2]), format="json")

    assert response.status_code == 201
    assert list(SeatAllocation.objects.values_list("seat_number", "hold_id")) == [(2, response.json()["id"])]
    assert user_client.post(f"/api/holds/{hold_id}/confirm/").status_code == 410


def test_expired_hold_seats_go_to_the_waitlist_before_a_newcomer(user):
    train = make_train(total_seats=10)
    book(user, train, 6)
    holder = client_for(make_user("holder"))
    hold_id = holder.post("/api/holds/", hold_body(train, seats=4), format="json").json()["id"]
    waiting = book(user, train, 2, allow_waitlist=True)
    expire(hold_id)

    newcomer = book(make_user("newcomer"), train, 2)

    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    assert seats_of(waiting) == [7, 8]
    assert seats_of(newcomer) == [9, 10]


def test_releasing_a_hold_promotes_the_waitlist(user_client, user):
    train = make_train(total_seats=10)
    book(user, train, 6)
    book(user, train, 3)
    hold_id = user_client.post("/api/holds/", hold_body(train, seats=1), format="json").json()["id"]
    waiting = book(user, train, 1, allow_waitlist=True)

    user_client.delete(f"/api/holds/{hold_id}/")

    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    assert seats_of(waiting) == [10]
