"""Bookings and holds render their train without DRF's field walk; it must be exactly what the serializer says."""

from datetime import time, timedelta

import pytest
from rest_framework.renderers import JSONRenderer

from bookings import services
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
