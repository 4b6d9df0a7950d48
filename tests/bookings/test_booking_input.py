"""A booking request of a train, date and count, or of named passengers (the Tatkal clients'),
is validated without DRF's fields (`BookingCreateSerializer.run_validation`): what it accepts, and
every error, stays what the fields give."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from rest_framework import fields, serializers

from bookings.models import MAX_SEATS_PER_BOOKING
from bookings.serializers import BookingCreateSerializer
from trains.models import Station, normalize_station


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


# --- Named passengers: the Tatkal clients' request -------------------------------------------


def _typed(value):
    """`value` with the type of every part beside it: the fast path must give what the fields
    give, not merely something equal to it."""
    if isinstance(value, dict):
        return type(value), {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return type(value), [_typed(item) for item in value]
    return type(value), value


def _drf_outcome(body):
    outcome, data = _outcome(FieldsOnly, body)
    return outcome, _typed(data) if outcome == "valid" else data


def _fast_outcome(body):
    """The outcome with DRF's own validation made to fail: only the fast path can give it."""
    with mock.patch.object(serializers.Serializer, "run_validation", side_effect=AssertionError("DRF's fields ran")):
        outcome, data = _outcome(BookingCreateSerializer, body)
    return outcome, _typed(data)


ASHA = {"name": "Asha", "age": 34, "gender": "F"}
BHANU = {"name": "Bhanu", "age": 61, "gender": "M"}
TATKAL = {
    "travel_date": DAY,
    "class": "GEN",
    "quota": "TQ",
    "passengers": [
        ASHA,
        BHANU,
        {"name": "Chitra", "age": 22, "gender": "F"},
        {"name": "Devraj", "age": 45, "gender": "M"},
    ],
    "allow_waitlist": False,
}


def _with(passenger=None, **changes):
    """A booking of Asha alone, with her details and the booking's fields changed as given."""
    return {"travel_date": DAY, "passengers": [{**ASHA, **(passenger or {})}], **changes}


def _without(detail):
    """A booking of Asha alone, who doesn't give her `detail`."""
    return {"travel_date": DAY, "passengers": [{key: value for key, value in ASHA.items() if key != detail}]}


NAMED_BODIES = [
    TATKAL,
    {**TATKAL, "allow_waitlist": True},
    {**TATKAL, "quota": "GN"},
    {**TATKAL, "quota": "SS"},
    {**TATKAL, "quota": "LD"},
    {**TATKAL, "class": "SL"},
    {"travel_date": DAY, "passengers": [ASHA]},
    {"travel_date": DAY, "passengers": [ASHA] * MAX_SEATS_PER_BOOKING},
    _with({"berth_preference": "LB"}),
    _with({"berth_preference": "SU"}),
    _with({"berth_preference": None}),
    _with({"name": "  Asha  "}),
    _with({"name": "\tAsha Rani\n"}),
    _with({"name": "Asha  Rani"}),
    _with({"name": "आशा"}),
    _with({"name": "A"}),
    _with({"name": "A" * 50}),
    _with({"name": " " + "A" * 50 + " "}),
    _with({"age": 1}),
    _with({"age": 125}),
    _with({"gender": "T"}),
    _with(from_station="New Delhi", to_station="Mumbai Central"),
    _with(from_station="NDLS"),
    _with(to_station="ndls"),
    _with(from_station="BCT", to_station="Nowhere Junction"),
    _with(from_station="Mumbai Central", to_station="Mumbai Central"),
    _with(seats=1),
    {"travel_date": DAY, "seats": 3, "passengers": [ASHA, BHANU]},
]


@pytest.mark.parametrize("body", NAMED_BODIES)
def test_a_booking_of_named_passengers_is_read_directly_as_drf_s_fields_read_it(train, body):
    Station.objects.create(code="NDLS", name="New Delhi", key=normalize_station("New Delhi"))
    body = {"train": train.pk, **body}

    fast = _fast_outcome(body)

    assert fast[0] == "valid"
    assert fast == _drf_outcome(body)


def test_the_tatkal_request_is_read_without_building_a_field(train):
    body = {"train": train.pk, **TATKAL}

    serializer = BookingCreateSerializer(data=body)
    with mock.patch.object(fields.Field, "__init__", side_effect=AssertionError("a field was built")):
        assert serializer.is_valid()

    assert serializer.validated_data["passengers"][0] == {**ASHA, "berth_preference": None}


REFUSED_BODIES = [
    _with({"name": ""}),
    _with({"name": "   "}),
    _with({"name": "\t\n"}),
    _with({"name": None}),
    _with({"name": ["Asha"]}),
    _with({"name": True}),
    _with({"name": "A" * 51}),
    _with({"name": "As\x00ha"}),
    _with({"name": "As\ud800ha"}),
    _without("name"),
    _with({"age": 0}),
    _with({"age": 126}),
    _with({"age": -1}),
    _with({"age": True}),
    _with({"age": False}),
    _with({"age": 1.5}),
    _with({"age": "thirty"}),
    _with({"age": None}),
    _with({"age": 10**30}),
    _without("age"),
    _with({"gender": "f"}),
    _with({"gender": "Female"}),
    _with({"gender": ""}),
    _with({"gender": None}),
    _with({"gender": 1}),
    _without("gender"),
    _with({"berth_preference": "lb"}),
    _with({"berth_preference": "XX"}),
    _with({"berth_preference": ""}),
    _with({"berth_preference": 1}),
    _with({"berth_preference": ["LB"]}),
    {"travel_date": DAY, "passengers": []},
    {"travel_date": DAY, "passengers": [ASHA] * (MAX_SEATS_PER_BOOKING + 1)},
    {"travel_date": DAY, "passengers": None},
    {"travel_date": DAY, "passengers": ASHA},
    {"travel_date": DAY, "passengers": "Asha"},
    {"travel_date": DAY, "passengers": ["Asha"]},
    {"travel_date": DAY, "passengers": [None]},
    {"travel_date": DAY, "passengers": [[ASHA]]},
    {"travel_date": DAY, "passengers": [ASHA, {**BHANU, "age": 0}]},
    {**TATKAL, "quota": "XX"},
    {**TATKAL, "quota": "tq"},
    {**TATKAL, "quota": None},
    {**TATKAL, "quota": 1},
    {**TATKAL, "class": "XX"},
    {**TATKAL, "class": None},
    {**TATKAL, "allow_waitlist": None},
    {**TATKAL, "allow_waitlist": "maybe"},
    {**TATKAL, "travel_date": "2026-02-30"},
    {**TATKAL, "travel_date": None},
    _with(from_station=""),
    _with(from_station="   "),
    _with(from_station=None),
    _with(to_station=["NDLS"]),
    _with(to_station="N" * 65),
    _with(to_station="New\x00Delhi"),
    _with(seats=0),
    _with(seats=MAX_SEATS_PER_BOOKING + 1),
    _with(seats="one"),
]


@pytest.mark.parametrize("body", REFUSED_BODIES)
def test_a_wrong_booking_of_named_passengers_is_refused_with_drf_s_errors(train, body):
    body = {"train": train.pk, **body}

    outcome = _outcome(BookingCreateSerializer, body)

    assert outcome[0] == "invalid"
    assert outcome == _outcome(FieldsOnly, body)  # each message, and its code


# What DRF's fields take but change (a number for a name or an age, words for a flag, spaces
# around a station) or ignore (a key no field has): left to them, so taken as they take it.
LENIENT_BODIES = [
    _with({"name": 42}),
    _with({"age": "30"}),
    _with({"age": 30.0}),
    _with({"gender": "F", "nickname": "Ash"}),
    _with(from_station=" New Delhi "),
    _with(from_station="New  Delhi"),
    _with(to_station=7),
    {**TATKAL, "allow_waitlist": "true"},
    {**TATKAL, "allow_waitlist": 0},
    {**TATKAL, "seat_numbers": [1, 2]},
]


@pytest.mark.parametrize("body", LENIENT_BODIES)
def test_what_only_drf_s_fields_take_is_taken_as_they_take_it(train, body):
    body = {"train": train.pk, **body}

    outcome = _outcome(BookingCreateSerializer, body)

    assert outcome[0] == "valid"
    assert outcome == _outcome(FieldsOnly, body)
