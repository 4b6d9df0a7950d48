"""The fare with its charges on the pages: before the passenger commits (passengers, hold) and on the ticket."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bookings import services
from tests.factories import make_train, route

pytestmark = pytest.mark.django_db


def travel_date():
    return timezone.localdate() + timedelta(days=7)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rajdhani():
    # 400 km in 3A at 1.20 a km, superfast: 480 + 40 + 45 = 565, GST 28.25 -> 593.25 -> 595
    return make_train(
        stops=route("Agra", "Bharatpur", "Churu", km_apart=200),
        classes=[{"code": "3A", "coaches": 1, "fare_per_km": "1.20"}],
        superfast=True,
    )


def fare_rows(page: str) -> dict[str, str]:
    """The fare table of a page: {row heading: amount}."""
    table = re.search(r'<table class="fare-breakdown">(.*?)</table>', page, re.S)
    assert table, "no fare breakdown on the page"
    return {
        heading.strip(): amount.strip()
        for heading, amount in re.findall(r'<th scope="row">(.*?)</th><td class="amount">(.*?)</td>', table.group(1))
    }


BREAKDOWN_OF_TWO = {
    "Base fare": "480.00",
    "Reservation charge": "40.00",
    "Superfast charge": "45.00",
    "Tatkal charge": "0.00",
    "GST": "28.25",
    "Fare per passenger (rounded up to ₹5)": "595",
    "Total for 2 passengers": "₹1190",
}


def test_the_passengers_page_shows_the_fare_before_anything_is_held(user, rajdhani):
    page = signed_in(user).get(
        f"/trains/{rajdhani.pk}/{travel_date().isoformat()}/passengers/", {"seat": ["1", "2"], "class": "3A"}
    )

    assert page.status_code == 200
    assert fare_rows(page.content.decode()) == BREAKDOWN_OF_TWO


def test_the_hold_page_shows_the_fare_the_confirmation_charges(user, rajdhani):
    hold = services.hold_seats(user=user, train=rajdhani, travel_date=travel_date(), seat_numbers=[3, 4])
    client = signed_in(user)

    page = client.get(f"/holds/{hold.pk}/")
    assert fare_rows(page.content.decode()) == BREAKDOWN_OF_TWO

    ticket = client.get(client.post(f"/holds/{hold.pk}/confirm/").url)
    assert fare_rows(ticket.content.decode()) == BREAKDOWN_OF_TWO


def test_the_ticket_shows_the_fare_as_charged(user, rajdhani):
    booking = services.book_seats(user=user, train=rajdhani, travel_date=travel_date(), seats=1)

    page = signed_in(user).get(f"/bookings/{booking.pk}/").content.decode()

    rows = fare_rows(page)
    assert (rows["Superfast charge"], rows["Total for 1 passenger"]) == ("45.00", "₹595")


def test_a_journey_without_a_fare_shows_no_fare_table(user):
    train = make_train(stops=route("Agra", "Churu"), classes=[{"code": "SL", "coaches": 1}])
    booking = services.book_seats(user=user, train=train, travel_date=travel_date(), seats=1)

    page = signed_in(user).get(f"/bookings/{booking.pk}/").content.decode()

    assert "fare-breakdown" not in page
