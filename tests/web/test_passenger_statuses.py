"""CNF, RAC and WL per passenger on the pages, as booked and now: search's "RAC n", booking RAC
from a sold-out seat map, the ticket, My bookings and PNR status."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from tests.factories import make_train, make_user, route

pytestmark = pytest.mark.django_db


def travel_date():
    return timezone.localdate() + timedelta(days=7)


@pytest.fixture
def train():
    """2A, 48 berths, one side lower sold as RAC: 47 confirm, then two share the RAC berth."""
    return make_train(
        name="Status Express",
        stops=route("Agra", "Churu"),
        classes=[{"code": "2A", "coaches": 1, "fare_per_km": "1.75", "rac_berths": 1}],
    )


def sell_general(train, *, first_alone: bool = False) -> Booking:
    """Sell every general berth (to someone else); the first booking returned, of one seat if asked."""
    others = make_user("others")
    sizes = (1, 6, 6, 6, 6, 6, 6, 6, 4) if first_alone else (6, 6, 6, 6, 6, 6, 6, 5)
    bookings = [services.book_seats(user=others, train=train, travel_date=travel_date(), seats=n) for n in sizes]
    return bookings[0]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def book_couple(user, train):
    return services.book_seats(
        user=user,
        train=train,
        travel_date=travel_date(),
        passengers=[{"name": "Ravi Rao", "age": 40, "gender": "M"}, {"name": "Meera Rao", "age": 38, "gender": "F"}],
        allow_waitlist=True,
    )


def statuses_on(html: str) -> list[str]:
    return [unescape(s).strip() for s in re.findall(r'class="passenger-status(?: [^"]*)?">(.*?)</', html, re.S)]


def test_search_shows_the_rac_places_left_once_the_berths_are_gone(client, train):
    sell_general(train)

    html = client.get("/search/", {"source": "Agra", "destination": "Churu", "date": travel_date()}).content.decode()

    assert re.search(r'<td class="availability rac"[^>]*>RAC 2</td>', html)
    assert "Book RAC" in html


def test_a_sold_out_seat_map_books_rac(user, train):
    sell_general(train)
    client = signed_in(user)
    seat_map = client.get(f"/trains/{train.pk}/{travel_date()}/seats/", {"class": "2A"}).content.decode()
    assert "You can still book: you get an RAC place" in seat_map

    response = client.post(
        f"/trains/{train.pk}/{travel_date()}/waitlist/", {"from": "Agra", "to": "Churu", "class": "2A", "seats": "2"}
    )

    booking = Booking.objects.get(user=user)
    assert response.status_code == 302 and booking.status == "RAC"
    ticket = client.get(response.url).content.decode()
    assert "You have RAC" in ticket
    assert statuses_on(ticket) == ["RAC 1", "RAC 2"]


def test_the_ticket_and_my_bookings_show_each_passenger_as_booked_and_now(user, train):
    first = sell_general(train, first_alone=True)
    couple = book_couple(user, train)
    services.cancel_booking(booking_id=first.pk, by=first.user)  # berth 1 frees: Ravi moves up to it
    client = signed_in(user)

    ticket = client.get(f"/bookings/{couple.pk}/").content.decode()
    mine = client.get("/bookings/").content.decode()

    assert statuses_on(ticket) == ["RAC 1 → CNF A1/1", "RAC 2 → RAC 1"]
    assert statuses_on(mine) == ["RAC 1 → CNF A1/1", "RAC 2 → RAC 1"]
    assert "You have RAC" in ticket  # one still shares a berth


def test_pnr_status_shows_both_statuses_per_traveller_without_names(client, user, train):
    first = sell_general(train, first_alone=True)
    couple = book_couple(user, train)
    services.cancel_booking(booking_id=first.pk, by=first.user)

    html = unescape(client.get("/pnr/", {"pnr": couple.pnr}).content.decode())

    rows = re.findall(r'<td class="booking-status">(.*?)</td><td class="current-status[^"]*">(.*?)</td>', html)
    assert rows == [("RAC 1", "CNF A1/1"), ("RAC 2", "RAC 1")]
    assert '<dd class="status status-rac">RAC' in html
    assert "Ravi" not in html
