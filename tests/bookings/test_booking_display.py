"""A new confirmed booking is shown from what `book_seats` already holds, not read back."""

import pytest

from tests.bookings.helpers import booking_body
from tests.factories import make_train

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seats", [1, 3])
def test_a_new_booking_is_shown_exactly_as_reading_it_back_shows_it(user_client, seats):
    train = make_train(total_seats=5)
    user_client.post("/api/bookings/", booking_body(train, 1), format="json")

    created = user_client.post("/api/bookings/", booking_body(train, seats), format="json")
    read_back = user_client.get(f"/api/bookings/{created.json()['id']}/")

    assert created.status_code == 201
    assert created.content == read_back.content


def test_a_waitlisted_booking_still_shows_its_position(user_client):
    train = make_train(total_seats=6)
    user_client.post("/api/bookings/", booking_body(train, 6), format="json")

    created = user_client.post("/api/bookings/", booking_body(train, 1, allow_waitlist=True), format="json")

    assert (created.json()["status"], created.json()["waitlist_position"]) == ("WAITLISTED", 1)
    assert created.content == user_client.get(f"/api/bookings/{created.json()['id']}/").content
