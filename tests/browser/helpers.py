"""Small steps the browser stories share: a demo-like timetable, signing in, a search."""

from datetime import time, timedelta

from django.utils import timezone
from django.utils.http import urlencode

from tests.factories import PASSWORD, make_train


def next_week():
    return timezone.localdate() + timedelta(days=7)


def _stop(station, arrives, departs, day_offset, km):
    return {
        "station": station,
        "arrival_time": arrives,
        "departure_time": departs,
        "day_offset": day_offset,
        "distance_km": km,
    }


RAJDHANI_STOPS = [
    _stop("New Delhi", None, time(16, 55), 0, 0),
    _stop("Kota Junction", time(21, 30), time(21, 40), 0, 465),
    _stop("Vadodara Junction", time(3, 45), time(3, 55), 1, 993),
    _stop("Mumbai Central", time(8, 35), None, 1, 1384),
]
# One coach of each (64 + 72 seats): small seat maps, fast pages.
RAJDHANI_CLASSES = [
    {"code": "3A", "coaches": 1, "fare_per_km": "2.40"},
    {"code": "SL", "coaches": 1, "fare_per_km": "0.90"},
]


def demo_trains():
    """The Rajdhani (New Delhi - Kota - Vadodara - Mumbai Central, 3A and SL), another train on
    the same line and one elsewhere, as the demo has them. Returns the Rajdhani."""
    rajdhani = make_train(
        train_number="12952", name="Mumbai Rajdhani Express", stops=RAJDHANI_STOPS, classes=RAJDHANI_CLASSES
    )
    make_train(
        train_number="12954",
        name="August Kranti Rajdhani",
        stops=[
            _stop("New Delhi", None, time(17, 15), 0, 0),
            _stop("Kota Junction", time(22, 5), time(22, 15), 0, 465),
            _stop("Vadodara Junction", time(5, 0), time(5, 10), 1, 993),
            _stop("Mumbai Central", time(10, 5), None, 1, 1384),
        ],
        classes=[{"code": "SL", "coaches": 1, "fare_per_km": "0.90"}],
    )
    make_train(
        train_number="12002",
        name="Bhopal Shatabdi Express",
        stops=[_stop("New Delhi", None, time(6, 0), 0, 0), _stop("Bhopal", time(14, 25), None, 0, 702)],
        classes=[{"code": "CC", "coaches": 1, "fare_per_km": "1.50"}],
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


def open_seat_map(
    tab,
    train,
    travel_date,
    name="seat-map",
    *,
    source="Kota Junction",
    to="Vadodara Junction",
    code="SL",
    expect_status=200,
):
    query = urlencode({"from": source, "to": to, "class": code})
    tab.visit(f"/trains/{train.pk}/{travel_date.isoformat()}/seats/?{query}", name, expect_status=expect_status)


def seat(page, number: int):
    return page.locator(f'label[data-seat="{number}"]')
