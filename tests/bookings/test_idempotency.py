"""`Idempotency-Key` on book, hold and confirm: a retry gets the first answer and creates nothing."""

import pytest

from bookings.models import Booking, Hold, IdempotencyRecord
from tests.bookings.helpers import booking_body, tomorrow
from tests.conftest import client_for
from tests.factories import make_train, make_user
from trains.services import update_train

pytestmark = pytest.mark.django_db


def post(client, path, body, key):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_repeating_a_booking_key_replays_the_first_response_and_books_once(user_client, train):
    first = post(user_client, "/api/bookings/", booking_body(train, 2), "trip-1")
    again = post(user_client, "/api/bookings/", booking_body(train, 2), "trip-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1


def test_without_a_key_every_post_books_again(user_client, train):
    user_client.post("/api/bookings/", booking_body(train), format="json")
    user_client.post("/api/bookings/", booking_body(train), format="json")

    assert Booking.objects.count() == 2


def test_a_refusal_is_replayed_too(user_client):
    from tests.factories import make_train

    tiny = make_train(total_seats=1)
    user_client.post("/api/bookings/", booking_body(tiny), format="json")

    first = post(user_client, "/api/bookings/", booking_body(tiny), "late")
    # The seat frees up, but the key's answer stays what it was: the client asked once.
    user_client.post(f"/api/bookings/{Booking.objects.get().pk}/cancel/")
    again = post(user_client, "/api/bookings/", booking_body(tiny), "late")

    assert first.status_code == again.status_code == 409
    assert again.json() == first.json()
    assert first.json()["code"] == "sold_out"


def test_a_journey_refused_by_the_schedule_is_replayed_too(user_client):
    train = make_train(classes=[{"code": "3A", "coaches": 1}])
    first = post(user_client, "/api/bookings/", booking_body(train, **{"class": "2A"}), "no-2a")
    # The class arrives, but the key's answer stays what it was.
    update_train(train_id=train.pk, classes=[{"code": "3A", "coaches": 1}, {"code": "2A", "coaches": 1}])
    again = post(user_client, "/api/bookings/", booking_body(train, **{"class": "2A"}), "no-2a")

    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not Booking.objects.exists()


def test_same_key_with_a_different_body_is_422_and_books_nothing_new(user_client, train):
    post(user_client, "/api/bookings/", booking_body(train, 1), "k")
    response = post(user_client, "/api/bookings/", booking_body(train, 3), "k")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Booking.objects.count() == 1


def test_same_key_on_another_endpoint_is_422(user_client, train):
    post(user_client, "/api/bookings/", booking_body(train), "k")
    response = post(user_client, "/api/holds/", {**booking_body(train), "seat_numbers": [9]}, "k")

    assert response.status_code == 422
    assert not Hold.objects.exists()


def test_keys_belong_to_one_user(user_client, train):
    other_client = client_for(make_user("other"))

    mine = post(user_client, "/api/bookings/", booking_body(train), "shared-key")
    theirs = post(other_client, "/api/bookings/", booking_body(train), "shared-key")

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["pnr"] != theirs.json()["pnr"]


@pytest.mark.parametrize("key", ["", "x" * 65, "tab\there"])
def test_a_malformed_key_is_a_400_and_books_nothing(user_client, train, key):
    response = post(user_client, "/api/bookings/", booking_body(train), key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    assert not Booking.objects.exists()


def test_a_key_of_64_characters_is_accepted(user_client, train):
    assert post(user_client, "/api/bookings/", booking_body(train), "k" * 64).status_code == 201


def test_hold_and_confirm_replay(user_client, train):
    body = {"train": train.id, "travel_date": str(tomorrow()), "seat_numbers": [4, 5]}
    hold = post(user_client, "/api/holds/", body, "hold-1")
    hold_again = post(user_client, "/api/holds/", body, "hold-1")
    assert hold.status_code == hold_again.status_code == 201
    assert hold_again.json() == hold.json()
    assert Hold.objects.count() == 1

    path = f"/api/holds/{hold.json()['id']}/confirm/"
    confirm = post(user_client, path, {}, "pay-1")
    confirm_again = post(user_client, path, {}, "pay-1")
    assert confirm.status_code == confirm_again.status_code == 201
    assert confirm_again.json() == confirm.json()
    assert confirm.json()["seat_numbers"] == [4, 5]
    assert Booking.objects.count() == 1


def test_a_key_older_than_24_hours_starts_afresh(user_client, train):
    from datetime import timedelta

    from django.utils import timezone

    post(user_client, "/api/bookings/", booking_body(train), "old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = post(user_client, "/api/bookings/", booking_body(train), "old")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Booking.objects.count() == 2


def test_a_first_attempt_that_lost_the_database_leaves_no_claim_so_the_retry_runs(user_client, train, monkeypatch):
    """The first attempt's claim rolls back with it: no PENDING record for a retry to wait on."""
    from django.db import OperationalError

    from bookings import services

    real_book_seats = services.book_seats
    calls = []

    def database_dies_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError(2013, "Lost connection to MySQL server during query", "HY000")
        return real_book_seats(**kwargs)

    monkeypatch.setattr(services, "book_seats", database_dies_once)

    first = post(user_client, "/api/bookings/", booking_body(train), "outage")
    assert first.status_code == 503
    assert first.json()["code"] == "database_unavailable"
    assert first["Retry-After"] == "2"
    assert not IdempotencyRecord.objects.exists()

    again = post(user_client, "/api/bookings/", booking_body(train), "outage")
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Booking.objects.count() == 1


def test_a_pending_claim_with_no_request_behind_it_is_taken_over_at_once(user_client, user, train):
    """A committed PENDING record (the two-step claim of the previous version) has no owner."""
    from bookings import idempotency

    IdempotencyRecord.objects.create(
        user=user, key="crashed", fingerprint=idempotency._fingerprint(_fake_request(booking_body(train)))
    )

    response = post(user_client, "/api/bookings/", booking_body(train), "crashed")

    assert response.status_code == 201
    assert Booking.objects.count() == 1
    assert IdempotencyRecord.objects.get().state == IdempotencyRecord.State.DONE


def _fake_request(body):
    class Request:
        method = "POST"
        path = "/api/bookings/"
        data = body

    return Request()
