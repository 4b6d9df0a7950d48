"""Search by quota: each class's seats free in the quota's pool and its status, as IRCTC shows it."""

from datetime import datetime

import pytest
from django.core.cache import cache

from bookings import search_cache, services
from tests.bookings.test_quotas import (
    EVE,
    INDIA,
    RUN_DATE,
    at,
    people,
    sleeper,
    user_client,  # noqa: F401 - the fixture, authenticated without a token
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def availability(client, train, **params) -> dict:
    query = {"source": train.source, "destination": train.destination, "date": str(RUN_DATE), **params}
    response = client.get("/api/trains/search/", query)
    assert response.status_code == 200, response.json()
    (result,) = response.json()["results"]
    (entry,) = result["availability"]
    return entry


def test_tatkal_is_not_open_before_its_hour_then_available(user_client):  # noqa: F811
    train = sleeper(quotas={"TQ": 10})

    with at(EVE, 10, 59, 59):
        before = availability(user_client, train, quota="TQ")
    # The cached answer lapses at the opening (next test); a frozen clock can't age Redis's keys.
    cache.clear()
    with at(EVE, 11, 0, 1):
        after = availability(user_client, train, quota="TQ")

    assert (before["quota"], before["status"], before["available_seats"]) == ("TQ", "NOT_OPEN", 10)
    assert (after["status"], after["available_seats"]) == ("AVAILABLE", 10)


def test_an_answer_saying_not_open_is_cached_until_tatkal_opens(user_client, monkeypatch):  # noqa: F811
    train = sleeper(quotas={"TQ": 10})
    kept_until = []
    store = search_cache.store
    monkeypatch.setattr(
        search_cache,
        "store",
        lambda stamp, answer, *, changes_at=None: (
            kept_until.append(changes_at) or store(stamp, answer, changes_at=changes_at)
        ),
    )

    with at(EVE, 10, 30):
        availability(user_client, train, quota="TQ")
        availability(user_client, train)

    assert kept_until == [datetime(2027, 3, 9, 11, 0, tzinfo=INDIA), None]


def test_general_availability_counts_the_general_pool_only(user_client):  # noqa: F811
    train = sleeper(quotas={"TQ": 10, "SS": 4}, rac_berths=3)

    with at(EVE, 12):
        services.book_seats(user=make_user("rider"), train=train, travel_date=RUN_DATE, seats=5)
        entry = availability(user_client, train)

    assert entry == {
        "class": "SL",
        "available_seats": 72 - 10 - 4 - 3 - 5,
        "fare": entry["fare"],
        "fare_breakdown": entry["fare_breakdown"],
        "quota": "GN",
        "status": "AVAILABLE",
        "rac_available": 6,
        "waitlist_next": None,
        "charted": False,
    }


def test_a_sold_out_quota_shows_the_next_waitlist_number_then_regret(user_client):  # noqa: F811
    train = sleeper(quotas={"TQ": 10})  # 62 GN seats: a GN waitlist of 12
    rider = make_user("rider")
    with at(EVE, 12):
        for seats in (6,) * 10 + (2,):
            services.book_seats(user=rider, train=train, travel_date=RUN_DATE, seats=seats)
        services.book_seats(user=rider, train=train, travel_date=RUN_DATE, seats=6, allow_waitlist=True)
        waiting = availability(user_client, train)
        services.book_seats(user=rider, train=train, travel_date=RUN_DATE, seats=6, allow_waitlist=True)
        full = availability(user_client, train)
        tatkal = availability(user_client, train, quota="TQ")

    assert (waiting["status"], waiting["available_seats"], waiting["waitlist_next"]) == ("WAITLIST", 0, 7)
    assert (full["status"], full["available_seats"], full["waitlist_next"]) == ("REGRET", 0, None)
    assert (tatkal["status"], tatkal["available_seats"]) == ("AVAILABLE", 10)


def test_confirmed_only_quotas_and_quotas_a_class_lacks_say_regret(user_client):  # noqa: F811
    train = sleeper(quotas={"LD": 2})
    with at(EVE, 12):
        services.book_seats(
            user=make_user("rider"),
            train=train,
            travel_date=RUN_DATE,
            quota="LD",
            passengers=people((30, "F"), (40, "F")),
        )
        ladies = availability(user_client, train, quota="LD")
        seniors = availability(user_client, train, quota="SS")

    assert (ladies["status"], ladies["available_seats"]) == ("REGRET", 0)
    assert (seniors["status"], seniors["available_seats"]) == ("REGRET", 0)


def test_an_unknown_quota_is_a_400(user_client):  # noqa: F811
    train = sleeper()
    with at(EVE, 12):
        response = user_client.get(
            "/api/trains/search/", {"source": train.source, "destination": train.destination, "quota": "XX"}
        )

    assert response.status_code == 400
    assert "quota" in response.json()["fields"]
