"""A booking request of a train, date and count is validated without DRF's fields
(`BookingCreateSerializer.run_validation`): what it accepts, and every error, stays what the
fields give."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.serializers import BookingCreateSerializer


class FieldsOnly(BookingCreateSerializer):
    """The serializer as DRF's fields alone validate it."""

    def run_validation(self, data):
        return super(BookingCreateSerializer, self).run_validation(data)


def _outcome(serializer_class, body):
    serializer = serializer_class(data=body)
    if serializer.is_valid():
        return "valid", dict(serializer.validated_data)
    return "invalid", serializer.errors


DAY = (timezone.localdate() + timedelta(days=3)).isoformat()

BODIES = [
    {"travel_date": DAY, "seats": 2},
    {"travel_date": DAY, "seats": 1, "allow_waitlist": True},
    {"travel_date": DAY, "seats": 6, "allow_waitlist": False},
    {"travel_date": DAY},
    {"travel_date": DAY, "seats": 0},
    {"travel_date": DAY, "seats": 7},
    {"travel_date": DAY, "seats": "2"},
    {"travel_date": DAY, "seats": 2.0},
    {"travel_date": DAY, "seats": True},
    {"travel_date": DAY, "seats": None},
    {"travel_date": DAY, "seats": 1, "allow_waitlist": "true"},
    {"travel_date": DAY, "seats": 1, "allow_waitlist": 1},
    {"travel_date": DAY, "seats": 1, "allow_waitlist": None},
    {"travel_date": "2026-1-5", "seats": 1},
    {"travel_date": "2026-02-30", "seats": 1},
    {"travel_date": DAY + "T10:00", "seats": 1},
    {"travel_date": 20260105, "seats": 1},
    {"seats": 1},
    {"travel_date": DAY, "seats": 1, "class": "GEN"},
    {"travel_date": DAY, "seats": 1, "unknown": "ignored"},
]


@pytest.mark.parametrize("body", BODIES)
def test_a_booking_request_is_taken_or_refused_as_drf_s_fields_do(train, body):
    body = {"train": train.pk, **body}

    assert _outcome(BookingCreateSerializer, body) == _outcome(FieldsOnly, body)


@pytest.mark.parametrize("train_id", [0, -1, 10**30, "1", True, None, 999_999])
def test_a_train_that_can_t_be_or_isn_t_there_is_refused_as_drf_s_fields_do(db, train_id):
    body = {"train": train_id, "travel_date": DAY, "seats": 1}

    assert _outcome(BookingCreateSerializer, body) == _outcome(FieldsOnly, body)
    assert _outcome(BookingCreateSerializer, body)[0] == "invalid"


def test_a_request_without_a_body_object_is_refused_as_drf_s_fields_do(db):
    for body in ([], "x", 1):
        assert _outcome(BookingCreateSerializer, body) == _outcome(FieldsOnly, body)
