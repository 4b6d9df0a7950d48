"""Quotas on the pages: the quota chosen in search, availability as Indian Railways print it, the
Tatkal window, the seat map of one quota's berths, and a passenger a quota doesn't take told so
next to their name."""

import re
from datetime import date, datetime, time
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from bookings import services
from bookings.models import Booking, Hold
from tests.factories import make_train, route
from trains.pools import pools_of

pytestmark = pytest.mark.django_db

INDIA = ZoneInfo("Asia/Kolkata")
RUN_DATE = date(2027, 3, 10)
EVE = date(2027, 3, 9)  # the day before the run: Tatkal opens then


def at(day: date, hour: int, minute: int = 0):
    """Freeze the clock at this India time."""
    return time_machine.travel(datetime.combine(day, time(hour, minute), tzinfo=INDIA), tick=False)


@pytest.fixture
def express():
    """Agra - Churu, 400 km, superfast: 3A and SL with seats set aside for TQ, SS and LD, and RAC in SL."""
    return make_train(
        name="Quota Express",
        stops=route("Agra", "Bharatpur", "Churu", km_apart=200),
        superfast=True,
        classes=[
            {"code": "3A", "coaches": 1, "fare_per_km": "1.20", "quotas": {"TQ": 8, "SS": 4, "LD": 2}},
            {"code": "SL", "coaches": 1, "fare_per_km": "0.45", "quotas": {"TQ": 8, "SS": 4}, "rac_berths": 2},
        ],
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def availability(html: str) -> dict[str, str]:
    """Each class row of a search result: {class: availability as shown}."""
    return dict(re.findall(r'<tr data-class="(\w+)"[^>]*>.*?<td class="availability[^"]*"[^>]*>(.*?)</td>', html, re.S))


def search(client, **query) -> str:
    response = client.get("/search/", {"source": "Agra", "destination": "Churu", "date": RUN_DATE, **query})
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_search_offers_the_quotas_and_shows_general_availability_by_default(client, express):
    with at(EVE, 9):
        html = search(client)

    assert re.search(r'<select name="quota"[^>]*>.*Tatkal \(TQ\).*Ladies \(LD\)', html, re.S)
    pools_3a, pools_sl = pools_of("3A", 64, 8, 4, 2), pools_of("SL", 72, 8, 4, 0, 2)
    assert availability(html) == {
        "3A": f"AVAILABLE {len(pools_3a.seats['GN'])}",
        "SL": f"AVAILABLE {len(pools_sl.seats['GN'])}",
    }


def test_tatkal_before_it_opens_says_when_it_opens_by_class(client, express):
    # AC classes open at 10:00, the others at 11:00, the day before the run.
    with at(EVE, 9, 59):
        assert availability(search(client, quota="TQ")) == {"3A": "opens 10:00", "SL": "opens 11:00"}
    # A cached answer lapses when Tatkal opens, by Redis's clock, which a frozen one doesn't move.
    cache.clear()
    with at(EVE, 10, 30):
        assert availability(search(client, quota="TQ")) == {"3A": "AVAILABLE 8", "SL": "opens 11:00"}


def test_tatkal_fares_show_the_tatkal_charge_before_anything_is_chosen(client, express):
    with at(EVE, 11):
        html = search(client, quota="TQ", **{"class": "3A"})

    # 400 km in 3A at 1.20: base 480, Tatkal 30% = 144 (within 300-400? no: at least 300).
    row = re.search(r'<tr data-class="3A".*?</tr>', html, re.S).group(0)
    assert "<dt>Tatkal</dt><dd>300</dd>" in row
    assert "<dt>Base</dt><dd>480</dd>" in row
    assert 'href="/trains/' in row and "quota=TQ" in row  # the seat map of the Tatkal berths


def test_a_quota_the_class_lacks_is_regret_and_offers_no_seat_map(client, express):
    with at(EVE, 9):
        html = search(client, quota="LD")

    assert availability(html) == {"3A": "AVAILABLE 2", "SL": "REGRET"}
    sleeper = re.search(r'<tr data-class="SL".*?</tr>', html, re.S).group(0)
    assert "<a " not in sleeper


def test_a_sold_out_general_quota_shows_the_waitlist_number_the_next_passenger_gets(client, user, express):
    general = len(pools_of("3A", 64, 8, 4, 2).seats["GN"])
    with at(EVE, 9):
        for seats in [6] * (general // 6) + [general % 6, 3]:
            if seats:
                services.book_seats(
                    user=user, train=express, travel_date=RUN_DATE, class_code="3A", seats=seats, allow_waitlist=True
                )

        assert availability(search(client, **{"class": "3A"}))["3A"] == "WL 4"


def seat_map(client, train, **query) -> tuple[int, str]:
    response = client.get(f"/trains/{train.pk}/{RUN_DATE}/seats/", query)
    return response.status_code, unescape(response.content.decode())


def test_the_tatkal_seat_map_before_opening_says_when_and_offers_no_seat(client, express):
    with at(EVE, 10, 30):
        status, html = seat_map(client, express, **{"class": "SL", "quota": "TQ"})

    assert status == 200
    assert "Tatkal is not open yet" in html
    assert "opens at 11:00 on Tue 9 Mar 2027" in html
    assert "Continue to passengers" not in html


def test_the_tatkal_seat_map_lets_one_choose_only_tatkal_berths_four_at_most(client, express):
    tatkal = pools_of("SL", 72, 8, 4, 0, 2).seats["TQ"]
    with at(EVE, 11):
        status, html = seat_map(client, express, **{"class": "SL", "quota": "TQ"})

    assert status == 200
    choosable = {int(n) for n in re.findall(r'name="seat" value="(\d+)" id="seat-\d+" class="seat-input">', html)}
    assert choosable == set(tatkal)
    assert 'data-max-seats="4"' in html
    assert re.search(r'data-quota="TQ" aria-current="page"', html)  # the quota tabs: GN, TQ, SS
    assert re.findall(r'data-quota="(\w+)"(?: aria-current="page")?><abbr', html) == ["GN", "TQ", "SS"]
    assert 'name="quota" value="TQ"' in html  # carried to the passengers page


def test_the_general_seat_map_shows_rac_berths_and_other_quotas_apart(client, express):
    pools = pools_of("SL", 72, 8, 4, 0, 2)
    with at(EVE, 9):
        _status, html = seat_map(client, express, **{"class": "SL"})

    rac = {int(n) for n in re.findall(r'class="seat rac" data-seat="(\d+)"', html)}
    others = {int(n) for n in re.findall(r'class="seat quota" data-seat="(\d+)"', html)}
    assert rac == set(pools.rac_berths)
    assert others == set(pools.seats["TQ"]) | set(pools.seats["SS"])
    assert "RAC (shared by two)" in html


def passengers_post(client, train, quota, seats, people):
    data = {
        "from": "Agra",
        "to": "Churu",
        "class": "3A",
        "quota": quota,
        "seat": [str(seat) for seat in seats],
        "form-TOTAL_FORMS": str(len(people)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": "6",
    }
    for index, (name, age, gender) in enumerate(people):
        data.update({f"form-{index}-name": name, f"form-{index}-age": str(age), f"form-{index}-gender": gender})
    return client.post(f"/trains/{train.pk}/{RUN_DATE}/passengers/", data)


def test_a_passenger_the_senior_quota_does_not_take_is_told_next_to_their_name(user, express):
    senior = pools_of("3A", 64, 8, 4, 2).seats["SS"]
    with at(EVE, 9):
        response = passengers_post(
            signed_in(user), express, "SS", senior[:2], [("Asha Rao", 47, "F"), ("Ravi Rao", 52, "M")]
        )

    assert response.status_code == 400
    html = unescape(response.content.decode())
    fieldsets = re.findall(r'<fieldset class="passenger">(.*?)</fieldset>', html, re.S)
    assert "passenger-error" not in fieldsets[0]
    assert re.search(r'class="alert alert-error passenger-error".*Ravi Rao is 52.*from 60', fieldsets[1], re.S)
    assert "Senior citizens (SS): lower berths for men aged 60 or more, women aged 45 or more" in html
    assert 'value="Ravi Rao"' in html  # what was typed stays
    assert not Hold.objects.exists()


def test_the_ladies_quota_names_the_man_it_refuses(user, express):
    ladies = pools_of("3A", 64, 8, 4, 2).seats["LD"]
    with at(EVE, 9):
        response = passengers_post(
            signed_in(user), express, "LD", ladies, [("Meera Shah", 30, "F"), ("Arjun Shah", 32, "M")]
        )

    assert response.status_code == 400
    assert "Arjun Shah can&#x27;t travel on the ladies&#x27; quota (LD)" in response.content.decode()
    assert not Hold.objects.exists()


def test_a_tatkal_hold_before_the_window_opens_is_refused_with_the_opening(user, express):
    tatkal = pools_of("3A", 64, 8, 4, 2).seats["TQ"]
    with at(EVE, 9, 59):
        response = passengers_post(signed_in(user), express, "TQ", tatkal[:1], [("Kiran Das", 40, "M")])

    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert 'data-code="tatkal_not_open"' in html
    assert "opens at 2027-03-09 10:00 (India time)" in html
    assert not Hold.objects.exists()


def test_a_tatkal_booking_from_the_pages_charges_the_tatkal_fare(user, express):
    tatkal = pools_of("3A", 64, 8, 4, 2).seats["TQ"]
    with at(EVE, 10):
        client = signed_in(user)
        response = passengers_post(client, express, "TQ", tatkal[:2], [("Kiran Das", 40, "M"), ("Lata Das", 38, "F")])
        assert response.status_code == 302, unescape(response.content.decode())
        hold_page = unescape(client.get(response.url).content.decode())
        assert "Tatkal (TQ) quota" in hold_page
        assert re.search(r'Tatkal charge</th><td class="amount">300.00', hold_page)
        ticket = client.get(client.post(f"{response.url}confirm/").url)

    booking = Booking.objects.get()
    assert (booking.quota, booking.status) == ("TQ", "CONFIRMED")
    # 480 + 40 + 45 + 300 = 865, GST 43.25 -> 908.25 -> 910 a passenger.
    assert booking.fare == 1820
    assert '<dd class="quota">Tatkal (TQ)</dd>' in ticket.content.decode()


def test_another_class_s_tab_keeps_the_quota_where_that_class_has_it(client, express):
    with at(EVE, 9):
        _status, tatkal = seat_map(client, express, **{"class": "SL", "quota": "TQ"})
        _status, ladies = seat_map(client, express, **{"class": "3A", "quota": "LD"})

    assert re.search(r'<a href="\?from=Agra&to=Churu&class=3A&quota=TQ">3A</a>', tatkal)
    assert re.search(r'<a href="\?from=Agra&to=Churu&class=SL">SL</a>', ladies)  # SL has no LD: general
