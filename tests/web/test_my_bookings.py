"""My bookings: upcoming journeys apart from past ones, each seat with its coach, a cancelled
booking's count said in words, amounts grouped the Indian way."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from tests.factories import make_train, make_user, route

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_upcoming_and_past_journeys_with_coach_berths_and_indian_amounts():
    train = make_train(
        classes=[{"code": "SL", "coaches": 2, "fare_per_km": "90.00"}], stops=route("Agra", "Kota", km_apart=1372)
    )
    user = make_user("asha")
    today = timezone.localdate()
    past = services.book_seats(user=user, train=train, travel_date=today + timedelta(days=5), seats=1, class_code="SL")
    # A journey made last week: as the booking reads once its day has gone.
    Booking.objects.filter(pk=past.pk).update(travel_date=today - timedelta(days=7))
    soon = services.book_seats(user=user, train=train, travel_date=today + timedelta(days=2), seats=2, class_code="SL")
    later = services.book_seats(user=user, train=train, travel_date=today + timedelta(days=9), seats=2, class_code="SL")
    services.cancel_booking(booking_id=later.pk, by=user)

    html = signed_in(user).get("/bookings/").content.decode()

    upcoming, past_part = html.split('id="past-heading"')
    assert upcoming.index(soon.pnr) < upcoming.index(later.pnr)  # soonest first
    assert past.pnr in past_part and past.pnr not in upcoming
    assert "S1-1 LB, S1-2 MB" in upcoming
    assert "2 seats, cancelled" in upcoming
    assert "₹2,47,000" in upcoming  # 2 x (1372 km x ₹90 + ₹20 reservation)
