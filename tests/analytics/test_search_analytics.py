"""Top routes and search statistics.

The tests taking `any_search_logs` are the contract: they run on the stand-in and, when
MONGO_TEST_URI is set, unchanged against a real MongoDB.
"""

import random
from datetime import UTC, datetime, timedelta

import pytest

from tests.analytics.logs import REFUSING_MONGO_URI, installed, log_entry, new_store

pytestmark = [pytest.mark.urls("tests.analytics.urls"), pytest.mark.django_db]

TOP_ROUTES = "/api/analytics/top-routes/"
SEARCH_STATS = "/api/analytics/search-stats/"


def insert(store, entries) -> None:
    store.collection().insert_many(list(entries))


def searches(source, destination, times, **fields):
    return [log_entry(source, destination, **fields) for _ in range(times)]


@pytest.mark.parametrize("path", [TOP_ROUTES, SEARCH_STATS, "/api/analytics/bookings/"])
def test_analytics_are_for_admins_only(path, search_logs, anon, user_client):
    assert anon.get(path).status_code == 401
    assert user_client.get(path).status_code == 403


def test_spellings_of_a_station_are_one_route(search_logs, user_client, admin_client):
    for source in ("Delhi", " delhi ", "DELHI", " Delhi"):
        user_client.get("/api/trains/search/", {"source": source, "destination": "Agra"})
    assert search_logs.flush(10)

    response = admin_client.get(TOP_ROUTES)

    # One route, named (no train serves these stations) as most of its searches spelled it.
    assert response.json() == [{"source": "Delhi", "destination": "Agra", "search_count": 4}]


def test_top_routes_are_most_searched_first_with_ties_by_route_name(any_search_logs, admin_client):
    insert(
        any_search_logs,
        [
            *searches("pune", "goa", 2),
            *searches("delhi", "mumbai", 5),
            *searches("agra", "jaipur", 2),
            *searches("agra", "delhi", 2),
            *searches("chennai", "madurai", 1),
        ],
    )

    response = admin_client.get(TOP_ROUTES)

    assert response.status_code == 200
    assert [(row["source"], row["destination"], row["search_count"]) for row in response.json()] == [
        ("delhi", "mumbai", 5),
        ("agra", "delhi", 2),
        ("agra", "jaipur", 2),
        ("pune", "goa", 2),
        ("chennai", "madurai", 1),
    ]


def test_top_routes_default_to_five_and_honour_limit(any_search_logs, admin_client):
    insert(any_search_logs, [entry for index in range(7) for entry in searches(f"s{index}", "x", index + 1)])

    default = admin_client.get(TOP_ROUTES).json()
    two = admin_client.get(TOP_ROUTES, {"limit": 2}).json()

    assert [row["source"] for row in default] == ["s6", "s5", "s4", "s3", "s2"]
    assert [row["source"] for row in two] == ["s6", "s5"]


def test_top_routes_window_leaves_out_older_searches(any_search_logs, admin_client):
    long_ago = datetime.now(UTC) - timedelta(days=10)
    insert(any_search_logs, [*searches("pune", "goa", 3, timestamp=long_ago), *searches("delhi", "agra", 1)])

    recent = admin_client.get(TOP_ROUTES, {"days": 7}).json()
    everything = admin_client.get(TOP_ROUTES).json()

    assert recent == [{"source": "delhi", "destination": "agra", "search_count": 1}]
    assert [row["source"] for row in everything] == ["pune", "delhi"]


def test_top_routes_leave_out_searches_that_named_no_route(any_search_logs, admin_client):
    insert(any_search_logs, [log_entry("delhi", None), log_entry(None, None)])

    assert admin_client.get(TOP_ROUTES).json() == []


def test_no_searches_means_no_top_routes(any_search_logs, admin_client):
    response = admin_client.get(TOP_ROUTES)

    assert (response.status_code, response.json()) == (200, [])


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (TOP_ROUTES, {"limit": 0}, "limit"),
        (TOP_ROUTES, {"limit": 51}, "limit"),
        (TOP_ROUTES, {"limit": "five"}, "limit"),
        (TOP_ROUTES, {"days": 0}, "days"),
        (TOP_ROUTES, {"days": 3651}, "days"),
        (TOP_ROUTES, {"days": "-1"}, "days"),
        (SEARCH_STATS, {"days": "week"}, "days"),
        (SEARCH_STATS, {"days": 99999999999999999999}, "days"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(path, params, field, search_logs, admin_client):
    response = admin_client.get(path, params)

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]


@pytest.mark.parametrize(
    ("latencies", "p50", "p95", "p99"),
    [
        (list(range(1, 101)), 50, 95, 99),
        ([5.0, 1.0, 3.0], 3, 5, 5),
        ([7.5], 7.5, 7.5, 7.5),
    ],
)
def test_latency_percentiles_are_nearest_rank(latencies, p50, p95, p99, any_search_logs, admin_client):
    shuffled = list(latencies)
    random.Random(7).shuffle(shuffled)
    insert(any_search_logs, [log_entry(execution_time_ms=float(ms)) for ms in shuffled])

    stats = admin_client.get(SEARCH_STATS).json()

    assert stats["searches"] == len(latencies)
    assert (stats["p50_ms"], stats["p95_ms"], stats["p99_ms"]) == (p50, p95, p99)


def test_searches_are_counted_per_day_in_india(any_search_logs, admin_client):
    # Within the retention period, which the stand-in enforces on reads as MongoDB does in the background.
    day = datetime.now(UTC).date() - timedelta(days=3)
    utc_midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    insert(
        any_search_logs,
        [
            # 18:30 UTC is midnight in Asia/Kolkata (UTC+05:30).
            log_entry(timestamp=utc_midnight + timedelta(hours=18, minutes=29)),
            log_entry(timestamp=utc_midnight + timedelta(hours=18, minutes=30)),
            log_entry(timestamp=utc_midnight + timedelta(days=1, hours=3)),
            log_entry(timestamp=utc_midnight - timedelta(hours=1)),
        ],
    )

    stats = admin_client.get(SEARCH_STATS).json()

    assert stats["by_day"] == [
        {"date": day.isoformat(), "searches": 2},
        {"date": (day + timedelta(days=1)).isoformat(), "searches": 2},
    ]


def test_stats_window_leaves_out_older_searches(any_search_logs, admin_client):
    long_ago = datetime.now(UTC) - timedelta(days=40)
    insert(
        any_search_logs,
        [log_entry(timestamp=long_ago, execution_time_ms=900.0), log_entry(execution_time_ms=20.0)],
    )

    stats = admin_client.get(SEARCH_STATS, {"days": 30}).json()

    assert stats["searches"] == 1
    assert (stats["p50_ms"], stats["p99_ms"]) == (20.0, 20.0)
    assert len(stats["by_day"]) == 1


def test_no_searches_means_zero_and_null_percentiles(any_search_logs, admin_client):
    response = admin_client.get(SEARCH_STATS)

    assert response.status_code == 200
    assert response.json() == {"searches": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "by_day": []}


@pytest.mark.parametrize("path", [TOP_ROUTES, SEARCH_STATS])
def test_unreachable_mongodb_is_a_503_not_a_crash(path, admin_client):
    with installed(new_store(uri=REFUSING_MONGO_URI)):
        response = admin_client.get(path)

    assert response.status_code == 503
    assert response.json() == {
        "code": "service_unavailable",
        "detail": "MongoDB, which keeps the search logs, is unreachable.",
        "mongo": "down",
    }


def test_refused_searches_are_no_route_anybody_travels(any_search_logs, admin_client):
    insert(any_search_logs, searches("kota", "kota", 9, status_code=400))
    insert(any_search_logs, searches("delhi", "agra", 2))

    assert admin_client.get(TOP_ROUTES).json() == [{"source": "delhi", "destination": "agra", "search_count": 2}]


def test_a_route_searched_by_code_counts_with_its_names(search_logs, user_client, admin_client):
    from trains.models import Station

    Station.objects.create(code="AGC", name="Agra Cantt")
    user_client.get("/api/trains/search/", {"source": "Delhi", "destination": "AGC"})
    user_client.get("/api/trains/search/", {"source": "Delhi", "destination": "agra cantt"})
    assert search_logs.flush(10)

    [route] = admin_client.get(TOP_ROUTES).json()
    assert (route["destination"].casefold(), route["search_count"]) == ("agra cantt", 2)
