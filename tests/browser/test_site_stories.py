"""Issue 30's stories in a real browser: search that helps, a hold that has run out, phone widths,
My bookings, the dashboard's figures, and the API page's advice. `tab.visit` and
`tab.submitted` check every page at desktop width and at 375 px (no horizontal scroll, axe)."""

from datetime import time, timedelta

from django.utils import timezone

from bookings import services
from bookings.models import Hold
from tests.browser.helpers import demo_trains, next_week, seat, sign_in
from tests.factories import make_train, make_user
from trains.models import Station
from web.templatetags.money import inr

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def coded_stations():
    for code, name in (
        ("NDLS", "New Delhi"),
        ("KOTA", "Kota Junction"),
        ("BRC", "Vadodara Junction"),
        ("BCT", "Mumbai Central"),
    ):
        Station.objects.create(code=code, name=name)


def test_search_by_code_swap_sort_other_days_near_miss_and_timetable(tab):
    demo_trains()
    coded_stations()
    make_train(
        train_number="12910",
        name="Late Slow Passenger",
        stops=[
            {
                "station": "New Delhi",
                "arrival_time": None,
                "departure_time": time(23, 0),
                "day_offset": 0,
                "distance_km": 0,
            },
            {
                "station": "Mumbai Central",
                "arrival_time": time(23, 30),
                "departure_time": None,
                "day_offset": 1,
                "distance_km": 1384,
            },
        ],
        classes=[{"code": "SL", "coaches": 1, "fare_per_km": "0.30"}],
    )
    travel_date = next_week()
    page = tab.page

    tab.visit("/", "home")
    date_box = page.get_by_label("Travel date")
    assert date_box.get_attribute("min") == timezone.localdate().isoformat()
    assert date_box.input_value() == timezone.localdate().isoformat()  # visible, never assumed
    date_box.fill(travel_date.isoformat())
    # Some ICU versions put a comma after the weekday.
    assert page.locator("#date-words").inner_text().replace(",", "") == travel_date.strftime("%A %-d %B %Y")
    page.get_by_label("From").fill("BCT")
    page.get_by_label("To").fill("ndls")
    page.get_by_role("button", name="Swap from and to").click()
    assert (page.get_by_label("From").input_value(), page.get_by_label("To").input_value()) == ("ndls", "BCT")
    with tab.submitted("search-by-code"):
        page.get_by_role("button", name="Search trains").click()
    assert page.locator("#results-heading").inner_text().startswith("3 trains from New Delhi to Mumbai Central")
    assert [r.get_attribute("data-train") for r in page.locator("li.result").all()] == ["12952", "12954", "12910"]
    assert "Runs Daily" in page.locator("li.result").first.inner_text()

    page.get_by_label("Sort by").select_option(label="Fare")
    with tab.submitted("search-sorted-by-fare"):
        page.get_by_role("button", name="Search trains").click()
    # The late passenger is the cheapest; the two Rajdhanis' sleepers cost the same: by departure.
    assert [r.get_attribute("data-train") for r in page.locator("li.result").all()] == ["12910", "12952", "12954"]
    page.get_by_label("Sort by").select_option(label="Duration")
    page.get_by_label("Departing").select_option(label="18:00 – 24:00")
    with tab.submitted("search-evening-by-duration"):
        page.get_by_role("button", name="Search trains").click()
    assert [r.get_attribute("data-train") for r in page.locator("li.result").all()] == ["12910"]
    assert "Showing the 1 leaving in the time chosen." in page.locator("main").inner_text()

    with tab.submitted("search-next-day"):
        page.get_by_role("link", name=f"{(travel_date + timedelta(days=1)):%a %-d %b} →").click()
    assert page.get_by_label("Travel date").input_value() == (travel_date + timedelta(days=1)).isoformat()
    with tab.submitted("search-return"):
        page.locator(".return-link").click()
    assert page.locator("#results-heading").inner_text().startswith("0 trains from Mumbai Central to New Delhi") or (
        "from Mumbai Central to New Delhi" in page.locator("#results-heading").inner_text()
    )

    tab.visit(f"/search/?source=New+Delhy&destination=Bhopal&date={travel_date.isoformat()}", "search-near-miss")
    with tab.submitted("search-suggested"):
        page.locator(".suggestions").get_by_role("link", name="New Delhi").click()
    assert page.locator("li.result").count() == 1
    with tab.submitted("timetable"):
        page.get_by_role("link", name="Bhopal Shatabdi Express", exact=True).click()
    rows = page.locator("tr.timetable-stop")
    assert rows.count() == 2 and "NDLS" in rows.first.inner_text() and "702" in rows.last.inner_text()


def test_without_a_date_the_search_asks_for_one(tab):
    demo_trains()
    tab.visit("/search/?source=New+Delhi&destination=Bhopal", "search-without-date", expect_status=400)
    assert "Choose the day you travel." in tab.page.locator("main").inner_text()


def test_an_expired_hold_offers_no_confirm_and_choosing_again_keeps_the_names(tab):
    train = demo_trains()
    travel_date = next_week()
    passenger = make_user("asha")
    hold = services.hold_seats(
        user=passenger,
        train=train,
        travel_date=travel_date,
        seat_numbers=[11, 12],
        from_station="Kota Junction",
        to_station="Vadodara Junction",
        class_code="SL",
        passengers=[
            {"name": "Asha Rao", "age": 68, "gender": "F", "berth_preference": "LB"},
            {"name": "Ravi Rao", "age": 34, "gender": "M", "berth_preference": "UB"},
        ],
    )
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    page = tab.page
    sign_in(tab, "asha")

    tab.visit(f"/holds/{hold.pk}/", "hold-expired")
    assert page.get_by_role("button", name="Confirm booking").count() == 0
    assert "This hold has expired" in page.locator("main").inner_text()
    with tab.submitted("seat-map-again"):
        page.get_by_role("link", name="Choose seats again").click()
    seat(page, 19).click()
    seat(page, 20).click()
    with tab.submitted("passengers-again"):
        page.get_by_role("button", name="Continue to passengers").click()
    first, second = page.get_by_role("group", name="Passenger 1"), page.get_by_role("group", name="Passenger 2")
    assert first.get_by_label("Full name").input_value() == "Asha Rao"
    assert first.get_by_label("Age").input_value() == "68"
    assert second.get_by_label("Full name").input_value() == "Ravi Rao"
    assert second.get_by_label("Berth preference").input_value() == "UB"


def test_a_live_hold_stops_offering_confirm_when_its_countdown_runs_out(tab):
    train = demo_trains()
    passenger = make_user("ravi")
    hold = services.hold_seats(user=passenger, train=train, travel_date=next_week(), seat_numbers=[5], class_code="SL")
    page = tab.page
    sign_in(tab, "ravi")
    # A few seconds left: the page counts them down from the server's clock.
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() + timedelta(seconds=3))

    page.goto(f"{tab.base_url}/holds/{hold.pk}/")
    assert page.get_by_role("button", name="Confirm booking").is_visible()
    page.wait_for_function("document.querySelector('.hold-actions').hidden === true", timeout=10_000)
    assert not page.get_by_role("button", name="Confirm booking").is_visible()
    assert page.get_by_role("link", name="Choose seats again").is_visible()
    tab.check("hold-ran-out")


def test_my_bookings_at_phone_width_upcoming_and_past_with_coaches_and_grouped_fares(tab):
    train = demo_trains()
    passenger = make_user("meera")
    upcoming = services.book_seats(
        user=passenger, train=train, travel_date=next_week(), seats=2, class_code="3A", from_station="New Delhi"
    )
    cancelled = services.book_seats(user=passenger, train=train, travel_date=next_week(), seats=3, class_code="SL")
    services.cancel_booking(booking_id=cancelled.pk, by=passenger)
    page = tab.page
    sign_in(tab, "meera")

    tab.visit("/bookings/", "my-bookings")
    card = page.locator(f'[data-list="upcoming"] [data-pnr="{upcoming.pnr}"]')
    assert "Seats: B1-1 LB, B1-2 MB" in card.inner_text()
    assert f"₹{inr(upcoming.fare)}" in card.inner_text() and "," in inr(upcoming.fare)
    assert "3 seats, cancelled" in page.locator(f'[data-pnr="{cancelled.pnr}"]').inner_text()
    page.set_viewport_size(PHONE)
    for element in (card.locator(".status"), card.get_by_role("link", name=f"Cancel {upcoming.pnr}")):
        box = element.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    page.set_viewport_size(DESKTOP)


def test_the_seat_map_shows_one_coach_at_a_time_with_a_picker(tab):
    train = make_train(
        train_number="12001",
        name="Long Sleeper",
        stops=[
            {
                "station": "New Delhi",
                "arrival_time": None,
                "departure_time": time(22, 0),
                "day_offset": 0,
                "distance_km": 0,
            },
            {
                "station": "Bhopal",
                "arrival_time": time(7, 0),
                "departure_time": None,
                "day_offset": 1,
                "distance_km": 702,
            },
        ],
        classes=[{"code": "SL", "coaches": 12, "fare_per_km": "0.45"}],
    )
    page = tab.page
    tab.visit(f"/trains/{train.pk}/{next_week().isoformat()}/seats/?class=SL", "seat-map-coaches")
    assert page.get_by_role("group", name="Coach S1").is_visible()
    assert not page.get_by_role("group", name="Coach S2").is_visible()
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollHeight") < 2500
    page.get_by_label("Coach").select_option(label="Coach S5 (72 free)")
    assert page.get_by_role("group", name="Coach S5").is_visible()
    assert not page.get_by_role("group", name="Coach S1").is_visible()
    page.locator('label[data-seat="300"]').click()  # S5, berth 12
    assert page.locator("#chosen-count").inner_text() == "1 seat chosen: 300."
    page.set_viewport_size(DESKTOP)
    tab.check("seat-map-coach-picker")


def test_the_api_page_says_how_to_authorise(tab):
    page = tab.page
    page.goto(f"{tab.base_url}/api/docs/")
    page.get_by_text("press Authorize", exact=False).first.wait_for()
    assert "POST /api/auth/login/" in page.locator(".information-container").inner_text()
