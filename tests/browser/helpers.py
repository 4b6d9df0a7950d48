"""Small steps the browser stories share: a demo-like timetable, signing in, a search."""

from datetime import time, timedelta

from django.utils import timezone

from tests.factories import PASSWORD, make_train


def next_week():
    return timezone.localdate() + timedelta(days=7)


def demo_trains():
    """Two trains on one route and one elsewhere, as the demo has them (small coaches, fast pages)."""
    rajdhani = make_train(
        train_number="12952",
        name="Mumbai Rajdhani Express",
        source="New Delhi",
        destination="Mumbai Central",
        departure_time=time(16, 55),
        arrival_time=time(8, 35),
        arrival_day_offset=1,
        total_seats=72,
    )
    make_train(
        train_number="12954",
        name="August Kranti Rajdhani",
        source="New Delhi",
        destination="Mumbai Central",
        departure_time=time(17, 15),
        arrival_time=time(10, 5),
        arrival_day_offset=1,
        total_seats=72,
    )
    make_train(
        train_number="12002",
        name="Bhopal Shatabdi Express",
        source="New Delhi",
        destination="Bhopal",
        departure_time=time(6, 0),
        arrival_time=time(14, 25),
        arrival_day_offset=0,
        total_seats=40,
    )
    return rajdhani


def sign_in(tab, username: str, password: str = PASSWORD, *, name: str | None = None):
    page = tab.page
    tab.visit("/signin/", name or "sign-in")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def search(tab, source: str, destination: str, travel_date, *, name: str = "search-results"):
    page = tab.page
    tab.visit("/", "home")
    page.get_by_label("From").fill(source)
    page.get_by_label("To").fill(destination)
    page.get_by_label("Travel date").fill(travel_date.isoformat())
    with tab.submitted(name):
        page.get_by_role("button", name="Search trains").click()


def open_seat_map(tab, train, travel_date, name: str = "seat-map", expect_status: int = 200):
    tab.visit(f"/trains/{train.pk}/{travel_date.isoformat()}/seats/", name, expect_status=expect_status)


def seat(page, number: int):
    return page.locator(f'label[data-seat="{number}"]')
