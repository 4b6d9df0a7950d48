"""A passenger's stories, in a real browser: book, see, cancel; and what they are told when not."""

import json

import pytest
from django.conf import settings as django_settings

from accounts.services import issue_tokens
from bookings import services
from bookings.models import Booking, Hold
from tests.browser.helpers import demo_trains, next_week, open_seat_map, search, seat, sign_in
from tests.factories import PASSWORD, make_user


def test_new_passenger_books_two_seats_sees_the_ticket_and_cancelling_frees_them(tab):
    train = demo_trains()
    travel_date = next_week()
    page = tab.page

    tab.visit("/register/", "register")
    page.get_by_label("Username").fill("asha")
    page.get_by_label("Email").fill("asha@example.com")
    page.get_by_label("Password").fill("Str0ng-pass-phrase")
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    assert page.get_by_role("button", name="Sign out").is_visible()

    # The station box suggests stations as one types (htmx fills its datalist).
    tab.visit("/", "home-signed-in")
    page.get_by_label("From").press_sequentially("new d")
    page.wait_for_function("document.querySelector('#stations-from option[value=\"New Delhi\"]') !== null")

    # An intermediate journey: Kota to Vadodara, two stops inside the Rajdhani's route.
    search(tab, "Kota Junction", "Vadodara Junction", travel_date)
    results = page.locator("li.result")
    assert results.count() == 2
    first = results.first
    assert "Mumbai Rajdhani Express" in first.inner_text()
    assert first.locator(".departure").inner_text() == "21:40"
    assert first.locator(".arrival").inner_text().startswith("03:45")
    assert first.locator(".duration").inner_text() == "6 h 05 min"
    sleeper = first.locator('tr[data-class="SL"]')
    # Fares with their charges: SL 528 km x 0.90 = 475 + 20 reservation = 495; 3A 528 km x 2.40 =
    # 1267 + 40 reservation + 5% GST = 1372.35, rounded up to 1375.
    assert "72" in sleeper.inner_text() and "₹495" in sleeper.inner_text()
    assert "₹1,375" in first.locator('tr[data-class="3A"]').inner_text()

    with tab.submitted("seat-map"):
        sleeper.get_by_role("link", name="Seats in SL on Mumbai Rajdhani Express").click()
    assert "Kota Junction → Vadodara Junction" in page.locator(".lead").inner_text()
    assert page.get_by_role("group", name="Coach S1").is_visible()
    assert seat(page, 3).get_attribute("title") == "Coach S1, berth 3 (Upper)"
    seat(page, 3).click()
    page.keyboard.press("Tab")  # the seat map works from the keyboard too: tab to berth 4, space ticks it
    page.keyboard.press("Space")
    assert page.locator("#chosen-count").inner_text() == "2 seats chosen: 3, 4."
    tab.check("seat-map-chosen")

    with tab.submitted("passengers"):
        page.get_by_role("button", name="Continue to passengers").click()
    # What the seats will cost, before anything is held.
    assert "Reservation charge\t20.00" in page.locator("table.fare-breakdown").inner_text()
    assert "₹990" in page.locator("tr.fare-total").inner_text()
    travellers = [("Asha Rao", "34", "Female", "Upper"), ("Ravi Rao", "36", "Male", "Lower")]
    for index, (name, age, gender, berth) in enumerate(travellers):
        passenger = page.get_by_role("group", name=f"Passenger {index + 1}")
        passenger.get_by_label("Full name").fill(name)
        passenger.get_by_label("Age").fill(age)
        passenger.get_by_label("Gender").select_option(label=gender)
        passenger.get_by_label("Berth preference").select_option(label=berth)
    with tab.submitted("hold"):
        page.get_by_role("button", name="Hold these seats").click()
    assert [row.inner_text().split("\t") for row in page.locator("tr.traveller").all()] == [
        ["1", "Asha Rao", "34 F", "S1", "3 UB (asked for UB)"],
        ["2", "Ravi Rao", "36 M", "S1", "4 LB (asked for LB)"],
    ]
    assert "₹990" in page.locator("tr.fare-total").inner_text()
    countdown = page.locator(".countdown-left")
    first_reading = countdown.inner_text()
    page.wait_for_function(f"document.querySelector('.countdown-left').textContent !== {json.dumps(first_reading)}")

    with tab.submitted("ticket"):
        page.get_by_role("button", name="Confirm booking").click()
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.CONFIRMED
    assert page.locator("h1 .pnr").inner_text() == booking.pnr
    assert [row.locator(".berth").inner_text() for row in page.locator("tr.traveller").all()] == ["3 UB", "4 LB"]
    assert [row.locator(".coach-name").inner_text() for row in page.locator("tr.traveller").all()] == ["S1", "S1"]
    assert [p.name for p in booking.passengers.order_by("position")] == ["Asha Rao", "Ravi Rao"]
    assert "₹990" in page.locator("tr.fare-total").inner_text() and booking.fare == 990

    tab.visit("/bookings/", "my-bookings")
    row = page.locator(f'[data-list="upcoming"] [data-pnr="{booking.pnr}"]')
    assert "Confirmed" in row.inner_text() and "S1-3 UB, S1-4 LB" in row.inner_text()

    with tab.submitted("cancel-confirmation"):
        row.get_by_role("link", name=f"Cancel {booking.pnr}").click()
    with tab.submitted("ticket-cancelled"):
        page.get_by_role("button", name="Yes, cancel the ticket").click()
    assert "This ticket is cancelled" in page.locator("main").inner_text()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED

    open_seat_map(tab, train, travel_date, "seat-map-after-cancel")
    assert not seat(page, 3).evaluate("label => label.classList.contains('taken')")
    assert page.locator("#seat-3").is_enabled() and page.locator("#seat-4").is_enabled()

    # Anyone with the PNR can check the ticket; no names on it.
    tab.visit(f"/pnr/?pnr={booking.pnr}", "pnr-status")
    assert "Cancelled" in page.locator(".panel").inner_text()
    assert "Asha" not in page.locator(".panel").inner_text()


def test_a_seat_booked_through_the_json_api_is_taken_on_the_seat_map(tab):
    train = demo_trains()
    travel_date = next_week()
    passenger = make_user("api-user")
    response = tab.page.request.post(
        f"{tab.base_url}/api/holds/",
        data={
            "train": train.pk,
            "travel_date": travel_date.isoformat(),
            "from_station": "Kota Junction",
            "to_station": "Vadodara Junction",
            "class": "SL",
            "seat_numbers": [7],
        },
        headers={"Authorization": f"Bearer {issue_tokens(passenger)['access']}"},
    )
    assert response.status == 201, response.text()
    hold_id = response.json()["id"]
    confirmed = tab.page.request.post(
        f"{tab.base_url}/api/holds/{hold_id}/confirm/",
        headers={"Authorization": f"Bearer {issue_tokens(passenger)['access']}"},
    )
    assert confirmed.status == 201, confirmed.text()

    open_seat_map(tab, train, travel_date, "seat-map-api-booking")
    page = tab.page
    assert seat(page, 7).evaluate("label => label.classList.contains('taken')")
    assert page.locator("#seat-7").is_disabled()
    assert page.locator("#seat-8").is_enabled()
    assert "71 of 72 seats free" in page.locator("#seat-help").inner_text()
    # Seats are sold per segment: the same berth is free before Kota, taken across it.
    open_seat_map(tab, train, travel_date, "seat-map-before-kota", source="New Delhi", to="Kota Junction")
    assert page.locator("#seat-7").is_enabled()
    open_seat_map(tab, train, travel_date, "seat-map-whole-route", source="New Delhi", to="Mumbai Central")
    assert page.locator("#seat-7").is_disabled()


def test_an_expired_hold_says_so_and_confirms_nothing(tab, settings):
    settings.HOLD_SECONDS = 2
    train = demo_trains()
    travel_date = next_week()
    make_user("meera")
    page = tab.page
    sign_in(tab, "meera")
    open_seat_map(tab, train, travel_date)
    seat(page, 10).click()
    with tab.submitted("passengers-one"):
        page.get_by_role("button", name="Continue to passengers").click()
    page.get_by_label("Full name").fill("Meera Iyer")
    page.get_by_label("Age").fill("29")
    page.get_by_label("Gender").select_option(label="Female")
    page.get_by_label("Berth preference").select_option(label="Side lower")
    with page.expect_navigation():
        page.get_by_role("button", name="Hold these seats").click()
    page.locator(".countdown-expired").wait_for(state="visible", timeout=django_settings.HOLD_SECONDS * 1000 + 5000)
    assert page.locator(".countdown-left").inner_text() == "0:00"
    tab.check("hold-expired-countdown")

    # The page no longer offers Confirm; a confirmation sent anyway (a page that missed the clock)
    # is refused by the server.
    assert not page.get_by_role("button", name="Confirm booking").is_visible()
    with tab.submitted("hold-expired", expect_status=410):
        page.locator(".hold-actions form").first.evaluate("form => form.submit()")
    assert "Your hold has expired" in page.get_by_role("alert").inner_text()
    assert Booking.objects.count() == 0
    assert Hold.objects.get().booking_id is None
    open_seat_map(tab, train, travel_date, "seat-map-after-expiry")
    assert page.locator("#seat-10").is_enabled()


def test_a_sold_out_run_offers_the_waitlist_and_the_ticket_shows_the_position(tab):
    train = demo_trains()
    travel_date = next_week()
    other = make_user("early-bird")
    for _ in range(12):
        services.book_seats(
            user=other,
            train=train,
            travel_date=travel_date,
            seats=6,
            from_station="Kota Junction",
            to_station="Vadodara Junction",
            class_code="SL",
        )
    make_user("late")
    page = tab.page
    sign_in(tab, "late")
    open_seat_map(tab, train, travel_date, "seat-map-sold-out")
    assert "Sold out" in page.locator("#sold-out").inner_text()
    page.get_by_label("Passengers").fill("2")
    with tab.submitted("ticket-waitlisted"):
        page.get_by_role("button", name="Join the waitlist").click()
    assert "position 1" in page.locator("main").inner_text()
    assert Booking.objects.filter(user__username="late", status=Booking.Status.WAITLISTED).count() == 1


def test_validation_messages_sit_next_to_their_fields(tab):
    demo_trains()
    page = tab.page
    tab.visit("/", "home")
    page.get_by_label("From").fill("New Delhi")
    page.get_by_label("Travel date").fill("2020-01-01")
    with tab.submitted("search-invalid", expect_status=400):
        page.get_by_role("button", name="Search trains").click()
    assert "Give the station to travel to." in page.locator("#id_destination_error").inner_text()
    assert "is in the past" in page.locator("#id_date_error").inner_text()
    assert page.get_by_label("To").get_attribute("aria-invalid") == "true"

    make_user("taken")
    tab.visit("/register/", "register")
    page.get_by_label("Username").fill("taken")
    page.get_by_label("Email").fill("someone@example.com")
    page.get_by_label("Password").fill("12345678")
    with tab.submitted("register-invalid", expect_status=400):
        page.get_by_role("button", name="Register").click()
    assert "password is entirely numeric" in page.locator("#id_password_error").inner_text()

    tab.visit("/pnr/?pnr=12", "pnr-invalid", expect_status=400)
    assert "10 digits" in page.locator("#id_pnr_error").inner_text()


def test_a_departed_journey_and_an_unknown_page_are_explained(tab):
    train = demo_trains()
    tab.visit(f"/trains/{train.pk}/2020-01-01/seats/", "seat-map-past", expect_status=400)
    assert "is in the past" in tab.page.locator("#journey-error").inner_text()
    tab.visit("/no-such-page/", "not-found", expect_status=404)
    assert tab.page.get_by_role("heading", level=1).inner_text() == "Page not found"
    api = tab.page.request.get(f"{tab.base_url}/api/no-such-endpoint/")
    assert api.status == 404 and api.json()["code"] == "not_found"


@pytest.mark.parametrize(("path", "role"), [("/bookings/", "USER"), ("/dashboard/", "ADMIN")])
def test_signed_out_visitors_are_sent_to_sign_in_and_back(tab, path, role):
    tab.page.goto(tab.base_url + path)
    assert tab.page.url.startswith(f"{tab.base_url}/signin/?next=")
    make_user("returning", role=role)
    tab.page.get_by_label("Username or email").fill("returning@example.com")
    tab.page.get_by_label("Password").fill(PASSWORD)
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Sign in").click()
    # Back where they were going.
    assert tab.page.url == tab.base_url + path
