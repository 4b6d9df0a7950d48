"""Search answers are shared for a few seconds, and every write that changes one is visible to the
very next search of that route: bookings, cancellations, holds and their release or confirmation,
train changes. (tests/conftest.py turns the cache on for every test.)"""

import json
import threading
import time
from datetime import date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings import search_cache, services
from bookings.selectors import SearchQuery, cached_search
from irctc import process_memory
from tests.bookings.helpers import booking_body, tomorrow
from tests.concurrency.test_booking_races import ON_MARIADB
from tests.conftest import client_for
from tests.factories import make_train, make_user
from tests.trains.helpers import next_weekday, rajdhani_body
from trains import search_cache as counters

pytestmark = pytest.mark.django_db

ROUTE = {"source": "New Delhi", "destination": "Mumbai Central"}


def free_seats(client, train, **params) -> int:
    params.setdefault("date", tomorrow().isoformat())
    response = client.get("/api/trains/search/", {**ROUTE, **params})
    assert response.status_code == 200, response.content
    (result,) = [r for r in response.json()["results"] if r["id"] == train.id]
    return result["available_seats"]


def test_a_repeated_search_is_answered_from_the_cache(user_client, train, django_assert_num_queries):
    assert free_seats(user_client, train) == 50
    with django_assert_num_queries(0):
        assert free_seats(user_client, train) == 50


def test_a_booking_shows_in_the_very_next_search(user_client, user, train):
    assert free_seats(user_client, train) == 50
    assert user_client.post("/api/bookings/", booking_body(train, 3)).status_code == 201

    assert free_seats(user_client, train) == 47


def test_a_booking_on_another_route_that_day_leaves_this_routes_answer_standing(
    user_client, user, train, django_assert_num_queries
):
    # Bookings on other routes come in all the time; an answer each of them threw away would
    # rarely be served.
    elsewhere = make_train(source="Chennai Central", destination="Howrah")
    assert free_seats(user_client, train) == 50
    services.book_seats(user=user, train=elsewhere, travel_date=tomorrow(), seats=2)

    with django_assert_num_queries(0):
        assert free_seats(user_client, train) == 50


@pytest.mark.django_db(transaction=True)
def test_a_booking_that_commits_on_its_own_shows_in_the_very_next_search():
    # No transaction around the booking's own, as in production: its counter is bumped once,
    # after the commit, and that bump is what the next search sees.
    user, train = make_user("committer"), make_train()
    client = client_for(user)
    assert free_seats(client, train) == 50
    assert client.post("/api/bookings/", booking_body(train, 3), format="json").status_code == 201
    assert free_seats(client, train) == 47
    booking_id = client.post("/api/bookings/", booking_body(train, 1), format="json").json()["id"]
    assert free_seats(client, train) == 46
    assert client.post(f"/api/bookings/{booking_id}/cancel/").status_code == 200
    assert free_seats(client, train) == 47


def test_a_cancellation_shows_in_the_very_next_search(user_client, user, train):
    booking = user_client.post("/api/bookings/", booking_body(train, 3)).json()
    assert free_seats(user_client, train) == 47
    assert user_client.post(f"/api/bookings/{booking['id']}/cancel/").status_code == 200

    assert free_seats(user_client, train) == 50


def test_holds_their_release_and_confirmation_show_in_the_very_next_search(user, train):
    client = client_for(user)
    assert free_seats(client, train) == 50
    hold = services.hold_seats(user=user, train=train, travel_date=tomorrow(), seats=2)
    assert free_seats(client, train) == 48
    services.release_hold(hold_id=hold.pk, by=user)
    assert free_seats(client, train) == 50
    hold = services.hold_seats(user=user, train=train, travel_date=tomorrow(), seats=4)
    assert free_seats(client, train) == 46
    services.confirm_hold(hold_id=hold.pk, by=user)
    assert free_seats(client, train) == 46


def test_a_hold_that_lapses_on_its_own_shows_in_the_first_search_after_it_lapses(settings, user, train):
    # Nothing announces a lapse (no write happens), so an answer that counts a hold is kept only
    # until that hold lapses, however long answers are kept otherwise.
    settings.SEARCH_CACHE_SECONDS = 600
    settings.HOLD_SECONDS = 2
    client = client_for(user)
    hold = services.hold_seats(user=user, train=train, travel_date=tomorrow(), seats=2)
    assert free_seats(client, train) == 48
    assert free_seats(client, train) == 48  # kept meanwhile

    time.sleep(max(0.0, (hold.expires_at - timezone.now()).total_seconds()) + 0.05)
    assert free_seats(client, train) == 50


def test_an_answer_without_a_date_is_kept_only_within_its_minute_one_with_a_date_all_day(monkeypatch):
    # Without a date a search shows departures still ahead of now, and they leave on the minute;
    # with one it shows the same all day.
    moments = iter(
        datetime(2026, 12, 8, 16, minute, second, tzinfo=timezone.get_current_timezone())
        for minute, second in [(54, 1), (54, 59), (55, 0), (54, 1), (55, 0), (59, 59)]
    )
    monkeypatch.setattr(search_cache.timezone, "localtime", lambda *args, **kwargs: next(moments))
    asked = ("new delhi", "mumbai central", None, None, 0, 20)

    undated = [search_cache.entry_key(asked, dated=False) for _ in range(3)]
    assert undated[0] == undated[1] != undated[2]
    dated = [search_cache.entry_key(asked, dated=True) for _ in range(3)]
    assert len(set(dated)) == 1


def test_a_search_without_a_date_sees_a_booking_on_the_next_run(user_client, user, train):
    next_run = user_client.get("/api/trains/search/", ROUTE).json()["results"][0]
    assert next_run["available_seats"] == 50
    services.book_seats(user=user, train=train, travel_date=date.fromisoformat(next_run["travel_date"]), seats=5)

    assert user_client.get("/api/trains/search/", ROUTE).json()["results"][0]["available_seats"] == 45


def test_train_changes_show_in_the_very_next_search(user_client, admin_client, train):
    assert free_seats(user_client, train) == 50
    assert admin_client.patch(f"/api/trains/{train.id}/", {"total_seats": 80}).status_code == 200
    assert free_seats(user_client, train) == 80

    new_train = admin_client.post(
        "/api/trains/",
        {
            **ROUTE,
            "train_number": "19999",
            "name": "New Express",
            "departure_time": "07:00",
            "arrival_time": "19:00",
            "total_seats": 10,
        },
    )
    assert new_train.status_code == 201, new_train.content
    ids = [r["id"] for r in user_client.get("/api/trains/search/", ROUTE).json()["results"]]
    assert new_train.json()["id"] in ids

    assert admin_client.delete(f"/api/trains/{train.id}/").status_code == 204
    ids = [r["id"] for r in user_client.get("/api/trains/search/", ROUTE).json()["results"]]
    assert train.id not in ids


def test_an_answer_computed_before_a_booking_committed_is_never_served(user_client, user, train):
    # A search takes its stamp, then reads the database; a booking commits in between, so what
    # the search read may predate it. The entry it stores must not be served afterwards.
    assert user_client.get("/api/trains/search/", {**ROUTE, "date": tomorrow().isoformat()}).status_code == 200
    cache.clear()
    answer, stamp = cached_search(SearchQuery(**ROUTE, limit=20, travel_date=tomorrow()))  # as free_seats asks
    assert answer is None
    stale = [{"id": train.id, "available_seats": 50}]
    services.book_seats(user=user, train=train, travel_date=tomorrow(), seats=1)
    search_cache.store(stamp, (1, json.dumps(stale).encode()))

    assert free_seats(user_client, train) == 49


def test_with_the_cache_down_searches_still_answer_fresh(settings, user_client, user, train):
    working = settings.CACHES
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    try:
        settings.AUTH_USER_CACHE_SECONDS = 0
        assert free_seats(user_client, train) == 50
        services.book_seats(user=user, train=train, travel_date=tomorrow(), seats=2)
        assert free_seats(user_client, train) == 48
    finally:
        settings.CACHES = working


@pytest.mark.mariadb
@pytest.mark.skipif(not ON_MARIADB, reason="needs DB_ENGINE=mysql: a second connection reading during a write")
@pytest.mark.django_db(transaction=True)
def test_a_search_during_the_booking_transaction_is_invalidated_by_the_commit():
    # The search runs on another connection while the booking's transaction is open: it sees
    # the bump made inside the transaction but the seats from before it, and caches that. Only
    # the bump made once the booking commits keeps that answer from being served.
    user, train = make_user("racer"), make_train()
    client = client_for(user)
    assert free_seats(client, train) == 50
    seen_during = []

    def search_meanwhile():
        try:
            seen_during.append(free_seats(client_for(user), train))
        finally:
            close_old_connections()
            connection.close()

    with transaction.atomic():
        services.book_seats(user=user, train=train, travel_date=tomorrow(), seats=2)
        searcher = threading.Thread(target=search_meanwhile)
        searcher.start()
        searcher.join(timeout=30)

    assert seen_during == [50]
    assert free_seats(client, train) == 48


def test_a_booking_from_the_origin_shows_in_the_next_search_from_a_later_stop_a_day_later(admin_client, user):
    # Kota is reached the day after the run leaves Mumbai: a search from Kota on Tuesday shows
    # Monday's run, whose counter is the Monday one.
    created = admin_client.post("/api/trains/", rajdhani_body())
    assert created.status_code == 201, created.content
    train_id, monday = created.json()["id"], next_weekday("MON")
    client = client_for(user)

    def free_3a_from_kota() -> int:
        response = client.get(
            "/api/trains/search/",
            {"source": "Kota", "destination": "New Delhi", "date": (monday + timedelta(days=1)).isoformat()},
        )
        (journey,) = [r for r in response.json()["results"] if r["id"] == train_id]
        return next(c["available_seats"] for c in journey["availability"] if c["class"] == "3A")

    before = free_3a_from_kota()
    booked = client.post(
        "/api/bookings/",
        {
            "train": train_id,
            "travel_date": monday.isoformat(),
            "class": "3A",
            "seats": 2,
            "from_station": "Mumbai Central",
            "to_station": "New Delhi",
        },
    )
    assert booked.status_code == 201, booked.content

    assert free_3a_from_kota() == before - 2


def test_when_more_bumps_are_owed_than_kept_every_answer_is_renewed(monkeypatch, user_client, user, train):
    # A write whose bumps the cache did not take owes them (trains/search_cache.py); past what a
    # process keeps, it owes the timetable counter instead, which every answer carries.
    elsewhere = make_train(source="Chennai Central", destination="Howrah")
    assert free_seats(user_client, train) == 50
    owed = process_memory.owed_cache_bumps
    monkeypatch.setattr(owed, "limit", 0)  # the booking owes one counter
    send_bumps = counters._send_bumps

    def unanswered(keys):
        raise ConnectionError("the cache did not answer")

    monkeypatch.setattr(counters, "_send_bumps", unanswered)
    try:
        services.book_seats(user=user, train=elsewhere, travel_date=tomorrow(), seats=1)
        assert owed.snapshot() == {counters.TIMETABLE}
    finally:
        monkeypatch.setattr(counters, "_send_bumps", send_bumps)

    with CaptureQueriesContext(connection) as queries:
        assert free_seats(user_client, train) == 50
    assert queries, "the answer cached before was served"
    assert owed.snapshot() == set()
