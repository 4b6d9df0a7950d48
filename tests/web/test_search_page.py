"""The search page: codes, a suggestion for a near miss, the day asked for, other days, the way
back, sorting and departure windows, running days, and each train's timetable."""

import re
from datetime import time, timedelta
from html import unescape

import pytest
from django.utils import timezone

from tests.factories import make_train
from trains.models import Station, mask_from_codes

pytestmark = pytest.mark.django_db


def stop(station, arrives, departs, day, km):
    return {
        "station": station,
        "arrival_time": arrives,
        "departure_time": departs,
        "day_offset": day,
        "distance_km": km,
    }


@pytest.fixture
def line(db):
    """Two trains New Delhi - Kota: a fast dear one leaving late, a slow cheap one leaving early."""
    make_train(
        train_number="12951",
        name="Mumbai Rajdhani",
        stops=[stop("New Delhi", None, time(16, 55), 0, 0), stop("Kota", time(21, 30), None, 0, 465)],
        classes=[{"code": "3A", "coaches": 1, "fare_per_km": "2.40"}],
    )
    make_train(
        train_number="12903",
        name="Golden Temple Mail",
        runs_on_mask=mask_from_codes(["MON", "WED", "FRI"]),
        stops=[stop("New Delhi", None, time(7, 10), 0, 0), stop("Kota", time(15, 0), None, 0, 465)],
        classes=[{"code": "SL", "coaches": 1, "fare_per_km": "0.50"}],
    )
    Station.objects.create(code="NDLS", name="New Delhi")
    Station.objects.create(code="KOTA", name="Kota")


def a_day(weekday: str):
    today = timezone.localdate()
    return today + timedelta(
        days=(["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"].index(weekday) - today.weekday()) % 7 + 7
    )


def trains_shown(html: str) -> list[str]:
    return re.findall(r'data-train="(\d{5})"', html)


def test_without_a_date_the_page_asks_for_one(client, line):
    response = client.get("/search/", {"source": "New Delhi", "destination": "Kota"})

    assert response.status_code == 400
    assert "Choose the day you travel." in response.content.decode()


def test_the_date_box_starts_today_and_refuses_the_past_and_beyond_the_window(client):
    html = client.get("/").content.decode()
    today = timezone.localdate()
    assert f'min="{today.isoformat()}"' in html and f'value="{today.isoformat()}"' in html
    assert f'max="{(today + timedelta(days=60)).isoformat()}"' in html


def test_stations_by_code_sorted_by_departure_with_running_days(client, line):
    html = client.get(
        "/search/", {"source": "ndls", "destination": "KOTA", "date": a_day("WED").isoformat()}
    ).content.decode()

    assert trains_shown(html) == ["12903", "12951"]
    assert "Runs Mon Wed Fri" in html and "Runs Daily" in html
    assert 'href="/trains/' in html  # train names link to their timetables


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("departure", ["12903", "12951"]),
        ("arrival", ["12903", "12951"]),
        ("duration", ["12951", "12903"]),
        ("fare", ["12903", "12951"]),
    ],
)
def test_sorting(client, line, sort, order):
    query = {"source": "New Delhi", "destination": "Kota", "date": a_day("WED").isoformat(), "sort": sort}
    assert trains_shown(client.get("/search/", query).content.decode()) == order


def test_a_departure_window_keeps_the_trains_leaving_in_it(client, line):
    query = {"source": "New Delhi", "destination": "Kota", "date": a_day("WED").isoformat(), "departs": "afternoon"}
    html = client.get("/search/", query).content.decode()
    assert trains_shown(html) == ["12951"]
    assert "Showing the 1 leaving in the time chosen." in html


def test_other_days_and_the_way_back(client, line):
    day = a_day("WED")
    html = unescape(
        client.get("/search/", {"source": "New Delhi", "destination": "Kota", "date": day.isoformat()}).content.decode()
    )

    assert f"date={(day - timedelta(days=1)).isoformat()}" in html
    assert f"date={(day + timedelta(days=1)).isoformat()}" in html
    assert "source=Kota&destination=New+Delhi" in html


def test_no_previous_day_before_today(client, line):
    today = timezone.localdate()
    html = unescape(
        client.get(
            "/search/", {"source": "New Delhi", "destination": "Kota", "date": today.isoformat()}
        ).content.decode()
    )
    assert f"date={(today - timedelta(days=1)).isoformat()}" not in html


def test_a_near_miss_suggests_the_station(client, line):
    html = unescape(
        client.get(
            "/search/", {"source": "New Delhy", "destination": "Kota", "date": a_day("WED").isoformat()}
        ).content.decode()
    )

    assert "Did you mean" in html
    assert re.search(r'<a href="/search/\?[^"]*source=New\+Delhi[^"]*">New Delhi</a>', html)


def test_the_timetable_page_lists_every_stop_with_day_and_distance(client):
    train = make_train(
        train_number="12952",
        name="Rajdhani",
        stops=[
            stop("Mumbai Central", None, time(17, 0), 0, 0),
            stop("Kota", time(2, 0), time(2, 10), 1, 920),
            stop("New Delhi", time(8, 32), None, 1, 1386),
        ],
    )
    Station.objects.create(code="BCT", name="Mumbai Central")

    html = client.get(f"/trains/{train.pk}/").content.decode()

    rows = [
        re.sub(r"<[^>]+>", " ", row).split() for row in re.findall(r'<tr class="timetable-stop">(.*?)</tr>', html, re.S)
    ]
    assert rows == [
        ["1", "Mumbai", "Central", "BCT", "Starts", "17:00", "1", "0"],
        ["2", "Kota", "02:00", "02:10", "2", "920"],
        ["3", "New", "Delhi", "08:32", "Ends", "2", "1386"],
    ]
    assert client.get("/trains/999999/").status_code == 404
