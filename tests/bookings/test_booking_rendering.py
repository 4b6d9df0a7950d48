"""Bookings and holds render their train without DRF's field walk; it must be exactly what the serializer says."""

from datetime import time, timedelta

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from bookings import selectors, services
from bookings.selectors import booking_for_display, hold_for_display
from bookings.serializers import BookingSerializer, HoldSerializer
from tests.bookings.helpers import tomorrow
from tests.factories import make_train, make_user, route
from trains.serializers import TrainSerializer

pytestmark = pytest.mark.django_db
render = JSONRenderer().render


@pytest.mark.parametrize("fare_per_km", [None, "0.45", "1.2", "12.05"])
def test_the_nested_train_is_the_train_serializers_json(fare_per_km):
    train = make_train(
        name="Ünïcode  Mail",
        stops=route("Amber", "Bhilwara", "Chittor", start=time(23, 50)),
        classes=[{"code": "SL", "coaches": 2, "fare_per_km": fare_per_km}, {"code": "3A", "coaches": 1}],
        runs_on_mask=0b1010101,
    )
    user = make_user("rider")
    date = next(day for day in (tomorrow() + timedelta(days=n) for n in range(7)) if train.runs_on_date(day))
    booking = services.book_seats(user=user, train=train, travel_date=date, seats=1, class_code="SL")
    hold = services.hold_seats(user=user, train=train, travel_date=date, seats=1, class_code="3A")

    expected = render(TrainSerializer(booking.run.train).data)
    assert render(BookingSerializer(booking_for_display(booking.pk)).data["train"]) == expected
    assert render(HoldSerializer(hold_for_display(hold.pk)).data["train"]) == expected


def _walked(booking) -> bytes:
    """The booking as DRF's field-by-field walk renders it, the reference for the written-out one."""
    serializer = BookingSerializer(booking)
    return render(serializers.ModelSerializer.to_representation(serializer, booking))


@pytest.mark.parametrize("fare_per_km", [None, "1.2"])
def test_a_booking_is_rendered_as_its_serializers_fields_say(fare_per_km):
    train = make_train(
        stops=route("Amber", "Bhilwara", "Chittor", start=time(23, 50)),
        classes=[
            {"code": "3A", "coaches": 1, "fare_per_km": fare_per_km},
            {"code": "GEN", "seats": 5, "fare_per_km": fare_per_km},
        ],
    )
    user = make_user("rider")
    named = [
        {"name": "Asha", "age": 64, "gender": "F", "berth_preference": None},
        {"name": "Ravi", "age": 30, "gender": "M", "berth_preference": "SU"},
    ]
    day = tomorrow()
    confirmed = services.book_seats(
        user=user, train=train, travel_date=day, passengers=named, from_station="Bhilwara", class_code="3A"
    )
    first = services.book_seats(user=user, train=train, travel_date=day, seats=2, class_code="3A")
    cancelled = services.cancel_booking(booking_id=first.pk, by=user)
    services.book_seats(user=user, train=train, travel_date=day, seats=5, class_code="GEN")
    waitlisted = services.book_seats(
        user=user, train=train, travel_date=day, seats=1, class_code="GEN", allow_waitlist=True
    )
    assert waitlisted.status == "WAITLISTED"

    for booking in (confirmed, cancelled, waitlisted):
        shown = booking_for_display(booking.pk)
        assert render(BookingSerializer(shown).data) == _walked(shown)
    assert render(BookingSerializer(selectors.new_booking_for_display(confirmed)).data) == _walked(confirmed)
    listed = booking_for_display(waitlisted.pk)
    assert render(BookingSerializer([listed], many=True).data) == b"[" + _walked(listed) + b"]"
