"""Quotas and RAC in a real browser: Tatkal before and after it opens, a Tatkal booking with its
charge, a senior citizens' booking refused for a passenger too young, told next to their name, and
RAC booked from a sold-out seat map, with each passenger's status as booked and now."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core.cache import cache
from django.utils import timezone

from bookings import services
from bookings.models import Booking, Hold
from tests.browser.helpers import RAJDHANI_STOPS, seat, sign_in
from tests.factories import make_train, make_user
from trains.pools import pools_of

INDIA = ZoneInfo("Asia/Kolkata")


def quota_rajdhani():
    """The Rajdhani of the other browser tests, its classes setting seats aside and selling RAC."""
    return make_train(
        train_number="12952",
        name="Mumbai Rajdhani Express",
        superfast=True,
        stops=RAJDHANI_STOPS,
        classes=[
            {"code": "3A", "coaches": 1, "fare_per_km": "2.40", "quotas": {"TQ": 8, "SS": 4, "LD": 2}, "rac_berths": 2},
            {"code": "SL", "coaches": 1, "fare_per_km": "0.90", "quotas": {"TQ": 12, "SS": 6}, "rac_berths": 7},
        ],
    )


def clock_at(day, hour: int, minute: int = 0):
    """The server's clock from this India time on, running (the hold's countdown needs it to)."""
    return time_machine.travel(datetime.combine(day, time(hour, minute), tzinfo=INDIA), tick=True)


def search_in_quota(tab, travel_date, quota_label: str, name: str):
    page = tab.page
    tab.visit("/", f"{name}-home")
    page.get_by_label("From").fill("Kota Junction")
    page.get_by_label("To").fill("Vadodara Junction")
    page.get_by_label("Travel date").fill(travel_date.isoformat())
    page.get_by_label("Quota").select_option(label=quota_label)
    with tab.submitted(name):
        page.get_by_role("button", name="Search trains").click()


def availability(page, code: str) -> str:
    return page.locator(f'li.result tr[data-class="{code}"] td.availability').inner_text()


def test_tatkal_says_when_it_opens_then_books_with_its_charge(tab):
    run_date = timezone.localdate() + timedelta(days=10)
    eve = run_date - timedelta(days=1)
    quota_rajdhani()
    make_user("kiran")
    page = tab.page

    with clock_at(eve, 9, 30):
        sign_in(tab, "kiran", name="tatkal-sign-in")
        search_in_quota(tab, run_date, "Tatkal (TQ)", "search-tatkal-not-open")
        assert availability(page, "3A") == "opens 10:00"
        assert availability(page, "SL") == "opens 11:00"
        with tab.submitted("seat-map-tatkal-not-open"):
            page.get_by_role("link", name="Seats in 3A on Mumbai Rajdhani Express").click()
        notice = page.locator("#tatkal-not-open").inner_text()
        assert "opens at 10:00 on" in notice
        assert page.get_by_role("button", name="Continue to passengers").count() == 0

    # A cached answer lapses when Tatkal opens, by Redis's clock, which a travelled one doesn't move.
    cache.clear()
    with clock_at(eve, 10, 5):
        search_in_quota(tab, run_date, "Tatkal (TQ)", "search-tatkal-open")
        assert availability(page, "3A") == "AVAILABLE 8"
        assert availability(page, "SL") == "opens 11:00"
        # The fare's charges, one click away: 528 km x 2.40 = 1267, Tatkal 30% = 380.10.
        fare = page.locator('li.result tr[data-class="3A"] details.fare-details')
        fare.locator("summary").click()
        assert "Tatkal\n380.10" in fare.inner_text()
        tab.check("search-tatkal-fare")

        with tab.submitted("seat-map-tatkal"):
            page.get_by_role("link", name="Seats in 3A on Mumbai Rajdhani Express").click()
        tatkal = pools_of("3A", 64, 8, 4, 2, 2).seats["TQ"]
        assert page.locator("input.seat-input:enabled").count() == len(tatkal)
        assert seat(page, 1).evaluate("label => label.classList.contains('quota')")
        for number in tatkal[:2]:
            seat(page, number).click()
        with tab.submitted("passengers-tatkal"):
            page.get_by_role("button", name="Continue to passengers").click()
        assert "Tatkal (TQ): at most 4 passengers" in page.locator("#quota-rules").inner_text()
        for index, (name, age, gender) in enumerate([("Kiran Das", "41", "Male"), ("Lata Das", "38", "Female")]):
            passenger = page.get_by_role("group", name=f"Passenger {index + 1}")
            passenger.get_by_label("Full name").fill(name)
            passenger.get_by_label("Age").fill(age)
            passenger.get_by_label("Gender").select_option(label=gender)
        with tab.submitted("hold-tatkal"):
            page.get_by_role("button", name="Hold these seats").click()
        assert "Tatkal charge\t380.10" in page.locator("table.fare-breakdown").inner_text()
        with tab.submitted("ticket-tatkal"):
            page.get_by_role("button", name="Confirm booking").click()

    booking = Booking.objects.get()
    assert (booking.quota, booking.status) == ("TQ", Booking.Status.CONFIRMED)
    assert page.locator("dd.quota").inner_text() == "Tatkal (TQ)"


def test_the_senior_citizens_quota_names_the_passenger_it_refuses(tab):
    travel_date = timezone.localdate() + timedelta(days=7)
    train = quota_rajdhani()
    make_user("asha")
    page = tab.page
    sign_in(tab, "asha")

    tab.visit(
        f"/trains/{train.pk}/{travel_date.isoformat()}/seats/?from=Kota+Junction&to=Vadodara+Junction&class=SL",
        "seat-map-quotas",
    )
    quota_tabs = page.get_by_role("navigation", name="Quotas of SL").locator("a").all()
    assert [" ".join(quota_tab.inner_text().split()) for quota_tab in quota_tabs] == [
        "GN General",
        "TQ Tatkal",
        "SS Senior citizen",
    ]
    assert page.locator("label.seat.rac").count() == 7
    with tab.submitted("seat-map-senior"):
        page.get_by_role("link", name="SS Senior citizen").click()
    senior = pools_of("SL", 72, 12, 6, 0, 7).seats["SS"]
    for number in senior[:2]:
        seat(page, number).click()
    with tab.submitted("passengers-senior"):
        page.get_by_role("button", name="Continue to passengers").click()
    for index, (name, age, gender) in enumerate([("Asha Rao", "47", "Female"), ("Ravi Rao", "52", "Male")]):
        passenger = page.get_by_role("group", name=f"Passenger {index + 1}")
        passenger.get_by_label("Full name").fill(name)
        passenger.get_by_label("Age").fill(age)
        passenger.get_by_label("Gender").select_option(label=gender)
    with tab.submitted("passengers-senior-refused", expect_status=400):
        page.get_by_role("button", name="Hold these seats").click()

    refused = page.get_by_role("group", name="Passenger 2").locator(".passenger-error")
    assert "Ravi Rao is 52; the senior citizens' quota (SS) is from 60" in refused.inner_text()
    assert page.get_by_role("group", name="Passenger 1").locator(".passenger-error").count() == 0
    assert page.get_by_role("group", name="Passenger 2").get_by_label("Full name").input_value() == "Ravi Rao"
    assert not Hold.objects.exists()


def test_rac_from_a_sold_out_seat_map_then_each_passenger_s_status_as_booked_and_now(tab):
    travel_date = timezone.localdate() + timedelta(days=7)
    train = make_train(
        train_number="12952",
        name="Mumbai Rajdhani Express",
        stops=RAJDHANI_STOPS,
        classes=[{"code": "2A", "coaches": 1, "fare_per_km": "1.75", "rac_berths": 1}],
    )
    others = make_user("others")
    # 47 general berths: the first booking of one, so cancelling it frees one berth.
    first, *_ = [
        services.book_seats(user=others, train=train, travel_date=travel_date, seats=seats)
        for seats in (1, 6, 6, 6, 6, 6, 6, 6, 4)
    ]
    make_user("ravi")
    page = tab.page
    sign_in(tab, "ravi", name="rac-sign-in")

    tab.visit(
        f"/trains/{train.pk}/{travel_date.isoformat()}/seats/?from=Kota+Junction&to=Vadodara+Junction&class=2A",
        "seat-map-rac",
    )
    assert "You can still book: you get an RAC place" in page.locator("#sold-out").inner_text()
    page.get_by_label("Passengers").fill("2")
    with tab.submitted("ticket-rac"):
        page.get_by_role("button", name="Book RAC or waitlist").click()
    assert "You have RAC" in page.locator("main").inner_text()
    assert page.locator("td.passenger-status").all_inner_texts() == ["RAC 1", "RAC 2"]

    services.cancel_booking(booking_id=first.pk, by=others)
    booking = Booking.objects.get(user__username="ravi")
    tab.visit(f"/bookings/{booking.pk}/", "ticket-rac-moved-up")
    assert page.locator("td.passenger-status").all_inner_texts() == ["RAC 1 → CNF A1/1", "RAC 2 → RAC 1"]
    tab.visit("/bookings/", "my-bookings-rac")
    assert page.locator("p.passenger-statuses").inner_text() == "RAC 1 → CNF A1/1, RAC 2 → RAC 1"
    tab.visit(f"/pnr/?pnr={booking.pnr}", "pnr-status-rac")
    assert page.locator("td.current-status").all_inner_texts() == ["CNF A1/1", "RAC 1"]
    assert page.locator("td.booking-status").all_inner_texts() == ["RAC 1", "RAC 2"]
