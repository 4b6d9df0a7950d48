"""Small steps the browser stories share: a demo-like timetable, signing in, a search."""

from datetime import time, timedelta

from django.utils import timezone

from tests.factories import PASSWORD, make_train


def next_week():
    return timezone.localdate() + timedelta(days=7)


# number, name, source, destination, departs, arrives, day offset, seats
DEMO_TRAINS = [
    ("12952", "Mumbai Rajdhani Express", "New Delhi", "Mumbai Central", time(16, 55), time(8, 35), 1, 72),
    ("12954", "August Kranti Rajdhani", "New Delhi", "Mumbai Central", time(17, 15), time(10, 5), 1, 72),
    ("12002", "Bhopal Shatabdi Express", "New Delhi", "Bhopal", time(6, 0), time(14, 25), 0, 40),
]


def demo_trains():
    """Two trains on one route and one elsewhere, as the demo has them (small ones: fast pages).
    Returns the first, the Rajdhani."""
    fields = ("train_number", "name", "source", "destination", "departure_time", "arrival_time")
    trains = [
        make_train(**dict(zip(fields, row[:6], strict=True)), arrival_day_offset=row[6], total_seats=row[7])
        for row in DEMO_TRAINS
    ]
    return trains[0]


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
