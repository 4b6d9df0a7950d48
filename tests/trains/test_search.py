from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings import services
from bookings.models import Hold
from tests.factories import make_train
from tests.trains.helpers import next_weekday, version_1_answer
from trains.models import WEEKDAYS

pytestmark = pytest.mark.django_db

ROUTE = {"source": "New Delhi", "destination": "Mumbai Central"}


def search(client, **params):
    return client.get("/api/trains/search/", params)


def test_search_matches_stations_ignoring_case_and_surrounding_spaces(user_client):
    train = make_train(source="New Delhi", destination="Mumbai Central")
    make_train(source="New Delhi", destination="Howrah")
    make_train(source="Mumbai Central", destination="New Delhi")

    response = search(user_client, source="  new DELHI ", destination="MUMBAI   central")

    assert response.status_code == 200, response.json()
    assert [result["id"] for result in response.json()["results"]] == [train.id]


def test_each_result_is_a_train_with_its_travel_date_and_free_seats(user_client):
    train = make_train(runs_on_mask=0b1111111)
    travel_date = next_weekday("WED")

    response = search(user_client, **ROUTE, date=travel_date.isoformat())

    result = response.json()["results"][0]
    # Version 1's fields, and version 2's added to them.
    assert set(result) >= {
        "id",
        "train_number",
        "name",
        "source",
        "destination",
        "departure_time",
        "arrival_time",
        "arrival_day_offset",
        "total_seats",
        "runs_on",
        "travel_date",
        "available_seats",
    }
    assert set(result) - set(version_1_answer(train.id)) == {
        "from_station",
        "to_station",
        "run_date",
        "departure",
        "arrival",
        "duration_minutes",
        "distance_km",
        "travel_date",
        "available_seats",
        "availability",
    }
    assert result["travel_date"] == travel_date.isoformat()
    assert result["available_seats"] == train.total_seats


def test_with_a_date_only_trains_running_that_weekday_are_found(user_client):
    weekend = make_train(runs_on_mask=0b1100000)  # SAT, SUN
    daily = make_train()
    saturday, monday = next_weekday("SAT"), next_weekday("MON")

    on_saturday = search(user_client, **ROUTE, date=saturday.isoformat()).json()
    on_monday = search(user_client, **ROUTE, date=monday.isoformat()).json()

    assert {r["id"] for r in on_saturday["results"]} == {weekend.id, daily.id}
    assert [r["id"] for r in on_monday["results"]] == [daily.id]
    assert on_monday["count"] == 1


def next_departure_date(departure_time: str):
    """Today if a daily train leaving at `departure_time` has not left yet (India time), else tomorrow."""
    now = timezone.localtime()
    today = now.date()
    return today if now.strftime("%H:%M") < departure_time else today + timedelta(days=1)


def test_without_a_date_each_train_is_shown_on_its_next_run(user_client):
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    daily = make_train()
    only_tomorrow = make_train(runs_on_mask=1 << tomorrow.weekday())

    results = {r["id"]: r for r in search(user_client, **ROUTE).json()["results"]}

    # The next departure still ahead: a daily train that already left today is shown tomorrow.
    assert results[daily.id]["travel_date"] == next_departure_date("16:30").isoformat()
    assert results[only_tomorrow.id]["travel_date"] == tomorrow.isoformat()


def test_free_seats_count_bookings_and_live_holds_but_not_expired_ones(user_client, user):
    travel_date = timezone.localdate() + timedelta(days=1)
    busy, quiet = make_train(departure_time="06:00", total_seats=10), make_train(departure_time="07:00")
    services.book_seats(user=user, train=busy, travel_date=travel_date, seats=3)
    services.hold_seats(user=user, train=busy, travel_date=travel_date, seats=2)
    expired = services.hold_seats(user=user, train=busy, travel_date=travel_date, seat_numbers=[9])
    Hold.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # Another date of the same train is another run.
    services.book_seats(user=user, train=busy, travel_date=travel_date + timedelta(days=1), seats=4)

    for params in ({"date": travel_date.isoformat()}, {}):
        results = search(user_client, **ROUTE, **params).json()["results"]
        free = {r["id"]: (r["travel_date"], r["available_seats"]) for r in results}
        if params:
            assert free == {busy.id: (str(travel_date), 5), quiet.id: (str(travel_date), quiet.total_seats)}
        else:  # today's run is empty; tomorrow's (if today's has left) is the one booked
            shown = next_departure_date("06:00")
            assert free[busy.id] == (str(shown), 10 if shown == timezone.localdate() else 5)


def test_without_a_date_free_seats_are_those_of_each_trains_next_run(user_client, user):
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    only_tomorrow = make_train(runs_on_mask=1 << tomorrow.weekday(), total_seats=10)
    services.book_seats(user=user, train=only_tomorrow, travel_date=tomorrow, seats=4)

    (result,) = search(user_client, **ROUTE).json()["results"]

    assert (result["travel_date"], result["available_seats"]) == (tomorrow.isoformat(), 6)


def test_a_page_far_past_the_end_is_empty_with_the_true_count(user_client):
    make_train()

    for offset in (1, 10**30):
        body = search(user_client, **ROUTE, offset=offset).json()
        assert (body["count"], body["results"]) == (1, [])


def test_results_are_ordered_by_departure_time_then_number(user_client):
    late = make_train(train_number="10003", departure_time="22:15")
    early_b = make_train(train_number="10002", departure_time="05:00")
    early_a = make_train(train_number="10001", departure_time="05:00")
    noon = make_train(train_number="10000", departure_time="12:00")

    # On a date: without one, each train shows on its next departure, and from 05:00 to 12:00
    # the early trains' next departure is tomorrow's (this failed every morning).
    response = search(user_client, **ROUTE, date=(timezone.localdate() + timedelta(days=1)).isoformat())

    assert [r["id"] for r in response.json()["results"]] == [early_a.id, early_b.id, noon.id, late.id]


def test_search_is_paginated_with_limit_and_offset(user_client):
    trains = [make_train(departure_time=f"{hour:02d}:00") for hour in range(5, 20)]

    on = {"date": (timezone.localdate() + timedelta(days=1)).isoformat()}  # see the test above
    first = search(user_client, **ROUTE, **on).json()
    page = search(user_client, **ROUTE, **on, limit=3, offset=3).json()

    assert first["count"] == 15 and len(first["results"]) == 15 and first["next"] is None
    assert [r["id"] for r in page["results"]] == [t.id for t in trains[3:6]]
    assert page["next"] and page["previous"]


def test_limit_defaults_to_20_and_is_capped_at_100(user_client):
    for index in range(101):
        make_train(departure_time=f"{index // 60:02d}:{index % 60:02d}")

    assert len(search(user_client, **ROUTE).json()["results"]) == 20
    capped = search(user_client, **ROUTE, limit=500).json()
    assert capped["count"] == 101 and len(capped["results"]) == 100


@pytest.mark.parametrize(("param", "value"), [("limit", "abc"), ("limit", "0"), ("offset", "-1"), ("offset", "x")])
def test_bad_limit_or_offset_is_a_400(user_client, param, value):
    response = search(user_client, **ROUTE, **{param: value})

    assert response.status_code == 400
    assert param in response.json()["fields"]


def test_missing_stations_are_named(user_client):
    response = search(user_client)

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"source", "destination"}


def test_missing_destination_alone_is_named(user_client):
    response = search(user_client, source="New Delhi", destination="  ")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"destination"}


@pytest.mark.parametrize("source", ["New\x00Delhi", "x" * 65])
def test_a_station_no_train_could_have_is_a_400_not_a_crash(user_client, source):
    response = search(user_client, source=source, destination="Mumbai Central")

    assert response.status_code == 400
    assert "source" in response.json()["fields"]


def test_same_source_and_destination_is_a_400(user_client):
    response = search(user_client, source="Delhi", destination=" delhi")

    assert response.status_code == 400
    assert "destination" in response.json()["fields"]


def test_a_date_in_the_past_is_a_400(user_client):
    yesterday = timezone.localdate() - timedelta(days=1)

    response = search(user_client, **ROUTE, date=yesterday.isoformat())

    assert response.status_code == 400
    assert "past" in response.json()["fields"]["date"][0]


def test_today_is_a_valid_date(user_client):
    make_train()

    response = search(user_client, **ROUTE, date=timezone.localdate().isoformat())

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_date_beyond_the_booking_window_is_a_400(user_client, settings):
    settings.BOOKING_WINDOW_DAYS = 10
    too_far = timezone.localdate() + timedelta(days=11)

    response = search(user_client, **ROUTE, date=too_far.isoformat())

    assert response.status_code == 400
    assert "date" in response.json()["fields"]


@pytest.mark.parametrize(
    "value", ["tomorrow", "2030-13-01", "2030-2-3", "03/02/2030", "2030-02-30", "2030-02-03T00:00"]
)
def test_a_malformed_date_is_a_400(user_client, settings, value):
    settings.BOOKING_WINDOW_DAYS = 100_000  # so only the format can be the reason

    response = search(user_client, **ROUTE, date=value)

    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.json()["fields"]["date"][0]


def test_search_needs_a_signed_in_user(anon):
    assert search(anon, **ROUTE).status_code == 401


def test_no_match_is_an_empty_page(user_client):
    response = search(user_client, source="Nowhere", destination="Elsewhere")

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_query_count_does_not_grow_with_the_page_size(user_client, django_assert_max_num_queries):
    make_train(source="Pune", destination="Hyderabad")
    for index in range(30):
        make_train(departure_time=f"06:{index:02d}")
    travel_date = next_weekday(WEEKDAYS[0])

    with CaptureQueriesContext(connection) as one_result:
        response = search(user_client, source="Pune", destination="Hyderabad", date=travel_date.isoformat())
    assert response.json()["count"] == 1

    with django_assert_max_num_queries(len(one_result)):
        response = search(user_client, **ROUTE, date=travel_date.isoformat(), limit=30)
    assert len(response.json()["results"]) == 30
