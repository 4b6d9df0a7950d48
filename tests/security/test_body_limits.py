"""Body limits on the writes that matter most (sign-in and registration are covered in
tests/operations/test_errors.py): too large is 413 before anything reads it, not JSON is 415."""

import json

import pytest

from bookings.models import Booking
from tests.bookings.helpers import booking_body
from tests.operations.helpers import assert_json_error

pytestmark = pytest.mark.django_db


def test_a_booking_over_the_body_limit_is_413_and_books_nothing(user_client, train, settings):
    body = json.dumps({**booking_body(train), "note": "x" * settings.MAX_BODY_BYTES})

    response = user_client.generic("POST", "/api/bookings/", body, content_type="application/json")

    assert_json_error(response, 413, "payload_too_large")
    assert not Booking.objects.exists()


def test_the_limit_is_checked_before_authentication(anon, settings):
    # An anonymous script can't make the server read a huge body just to answer 401.
    response = anon.generic(
        "POST", "/api/holds/", b"{}", content_type="application/json", CONTENT_LENGTH=str(settings.MAX_BODY_BYTES + 1)
    )

    assert_json_error(response, 413, "payload_too_large")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("text/plain", "train=1"), ("application/x-www-form-urlencoded", "train=1&seats=1"), ("application/xml", "<a/>")],
)
def test_a_booking_body_that_is_not_json_is_415(user_client, train, content_type, body):
    response = user_client.generic("POST", "/api/bookings/", body, content_type=content_type)

    assert_json_error(response, 415, "unsupported_media_type")
    assert not Booking.objects.exists()
