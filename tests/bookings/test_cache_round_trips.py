"""What a search and a refused booking send to Redis: each reads what it keeps (a search its
answer, a booking, once this process has seen its journey's pool refuse, what is kept of the pool)
together with the signed-in user and the user's throttle window, before DRF authenticates: one
round trip for a cached search and one for a kept refusal. The answers, the throttles' counts and
authentication's errors stay what they were, on Redis and on the local cache, which reads in the
process and where a booking is not read early (docs/architecture.md, Request path: a booking)."""

import os
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from irctc import cache as irctc_cache
from tests.conftest import client_for
from tests.factories import make_train

pytestmark = pytest.mark.django_db

INDIA = ZoneInfo("Asia/Kolkata")
RUN_DATE = date(2027, 3, 10)
EVE = date(2027, 3, 9)  # Tatkal opens the day before the run
TATKAL_SEATS = 16
REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (CI sets it)")


@pytest.fixture
def tatkal_train():
    return make_train(classes=[{"code": "SL", "coaches": 1, "fare_per_km": "0.50", "quotas": {"TQ": TATKAL_SEATS}}])


@pytest.fixture
def redis_cache(settings):
    """The production cache (irctc.cache.RedisCache), on keys of this test's own."""
    settings.CACHES = {
        "default": {"BACKEND": "irctc.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": uuid.uuid4().hex}
    }
    yield
    cache.clear()


@pytest.fixture
def redis_commands(monkeypatch):
    """The commands this process sends to Redis, each one round trip."""
    sent = []
    real = irctc_cache._WatchedRedis.execute_command

    def counting(self, *args, **options):
        sent.append(args[0])
        return real(self, *args, **options)

    monkeypatch.setattr(irctc_cache._WatchedRedis, "execute_command", counting)
    return sent


def at_tatkal_opening():
    return time_machine.travel(datetime.combine(EVE, time(11, 0), tzinfo=INDIA), tick=False)


def asking(train, seats=4) -> dict:
    return {"train": train.id, "travel_date": str(RUN_DATE), "seats": seats, "quota": "TQ"}


def sell_out(client, train):
    for _ in range(TATKAL_SEATS // 4):
        assert client.post("/api/bookings/", asking(train), format="json").status_code == 201


@needs_redis
def test_a_kept_refusal_is_one_redis_round_trip_with_the_user_and_its_throttle(
    redis_cache, redis_commands, tatkal_train, user, settings
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "booking": "100/min"}
    with at_tatkal_opening():
        client = client_for(user)  # a token of that day
        sell_out(client, tatkal_train)
        under_lock = client.post("/api/bookings/", asking(tatkal_train), format="json")
        from_rows = client.post("/api/bookings/", asking(tatkal_train), format="json")  # then kept
        redis_commands.clear()
        kept = client.post("/api/bookings/", asking(tatkal_train), format="json")

    assert under_lock.status_code == from_rows.status_code == kept.status_code == 409
    assert under_lock.json() == from_rows.json() == kept.json()
    assert kept.json()["code"] == "sold_out"
    assert redis_commands == ["EVALSHA"]


@needs_redis
def test_a_sale_reads_nothing_early_and_sends_what_it_did_before(
    redis_cache, redis_commands, tatkal_train, user, settings
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "booking": "100/min"}
    with at_tatkal_opening():
        client = client_for(user)
        assert client.post("/api/bookings/", asking(tatkal_train), format="json").status_code == 201
        redis_commands.clear()
        sold = client.post("/api/bookings/", asking(tatkal_train), format="json")

    assert sold.status_code == 201
    # The user with its throttle window, then the sale's counter bumps after the commit.
    assert redis_commands == ["EVALSHA", "EVALSHA"]


@pytest.fixture(params=[pytest.param("redis", marks=needs_redis), "local"])
def either_cache(request):
    """Redis (where reads are read ahead) or the local cache (where they are not)."""
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    return request.param


def test_refusals_spend_the_booking_budget_once_each(either_cache, tatkal_train, user, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "booking": "8/min"}
    with at_tatkal_opening():
        client = client_for(user)
        statuses = [client.post("/api/bookings/", asking(tatkal_train), format="json").status_code for _ in range(9)]

    # Four sales, one refusal under the lock, three early (on Redis the last two read ahead), then throttled.
    assert statuses == [201] * 4 + [409] * 4 + [429]


def test_a_booking_s_errors_are_answered_after_authentication(either_cache, tatkal_train, user, anon):
    with at_tatkal_opening():
        client = client_for(user)  # a token of that day
        sell_out(client, tatkal_train)
        assert client.post("/api/bookings/", asking(tatkal_train), format="json").status_code == 409

        no_token = anon.post("/api/bookings/", asking(tatkal_train), format="json")
        bad_token = anon.post(
            "/api/bookings/", asking(tatkal_train), format="json", HTTP_AUTHORIZATION="Bearer not-a-token"
        )
        no_token_bad_body = anon.post("/api/bookings/", "{", content_type="application/json")
        bad_body = client.post("/api/bookings/", "{", content_type="application/json")
        bad_field = client.post("/api/bookings/", {**asking(tatkal_train), "seats": 0}, format="json")
        no_train = client.post("/api/bookings/", {**asking(tatkal_train), "train": 999999}, format="json")

    assert no_token.status_code == bad_token.status_code == no_token_bad_body.status_code == 401
    assert bad_body.status_code == 400
    assert bad_body.json()["code"] == "parse_error"
    assert bad_field.status_code == 400
    assert "seats" in bad_field.json()["fields"]
    assert no_train.status_code == 400
    assert "train" in no_train.json()["fields"]


def test_what_is_read_ahead_is_taken_once_and_only_for_keys_read_ahead():
    cache.set("kept", 1)
    cache.set("other", 2)
    with irctc_cache.read_ahead({"kept": "read ahead"}, ["kept", "absent"]):
        cache.set("kept", "changed since")
        assert irctc_cache.get_many_read_ahead(cache, ["kept", "other"]) == {"kept": "changed since", "other": 2}
        assert irctc_cache.get_many_read_ahead(cache, ["kept", "absent"]) == {"kept": "read ahead"}
        assert irctc_cache.get_many_read_ahead(cache, ["kept", "absent"]) == {"kept": "changed since"}
    with irctc_cache.read_ahead({"kept": "read ahead"}, ["kept"]):
        pass
    assert irctc_cache.get_many_read_ahead(cache, ["kept"]) == {"kept": "changed since"}


def test_a_read_ahead_is_not_used_once_this_process_has_sent_bumps_it_owed(monkeypatch):
    """A write this process made while the cache was down bumps its counters when the cache is back,
    before any counter is read again: counters read ahead of that would miss the write."""
    from django.db import transaction

    from bookings import search_cache
    from trains import search_cache as counters

    route = ("new delhi", "mumbai central")
    keys = search_cache.kept_value_keys("refusal-test", RUN_DATE, route)
    _nothing, stamp = search_cache.kept_value("refusal-test", RUN_DATE, route)
    search_cache.store(stamp, "sold out")
    read_before_the_write = cache.get_many(keys)

    def cache_down(_keys):
        raise ConnectionError("the cache does not answer")

    with monkeypatch.context() as down:
        down.setattr(counters, "_send_bumps", cache_down)
        with transaction.atomic():
            search_cache.run_changed(RUN_DATE, list(route))  # a cancellation, say: owed

    with irctc_cache.read_ahead(read_before_the_write, keys):
        kept, _stamp = search_cache.kept_value("refusal-test", RUN_DATE, route)

    assert kept is None
    with irctc_cache.read_ahead(read_before_the_write, keys):  # nothing owed: taken as read
        assert search_cache.kept_value("refusal-test", RUN_DATE, route)[0] == "sold out"


def searching(client):
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    return client.get("/api/trains/search/", {"source": "New Delhi", "destination": "Mumbai Central", "date": day})


@needs_redis
def test_a_cached_search_is_one_redis_round_trip_with_the_user_and_its_throttle(
    redis_cache, redis_commands, train, user, settings
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "user": "100/min"}
    client = client_for(user)
    computed = searching(client)  # then kept
    redis_commands.clear()
    kept = searching(client)

    assert computed.status_code == kept.status_code == 200
    assert kept.json() == computed.json()
    assert [result["id"] for result in kept.json()["results"]] == [train.id]
    assert redis_commands == ["EVALSHA"]


def test_searches_spend_the_user_budget_once_each(either_cache, train, user, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "user": "3/min"}
    client = client_for(user)

    assert [searching(client).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_search_run_again_after_its_replica_failed_answers_from_the_primary(either_cache, train, user, monkeypatch):
    """`read_from_replica` runs the view again when a read fails on the replica: what the first
    run read ahead is gone, and the second reads again (docs/operations.md, Read replicas)."""
    from django.db import OperationalError

    from bookings import selectors
    from irctc import db_router

    client = client_for(user)
    expected = searching(client).json()  # computed on the primary, then kept
    real, failures = selectors.search_trains, []

    def replica_fails_once(*args, **kwargs):
        if not failures:
            failures.append("the replica")
            raise OperationalError("Lost connection to server during query")
        return real(*args, **kwargs)

    monkeypatch.setattr(db_router, "replica_for", lambda _user: "default")  # as if a replica served reads
    monkeypatch.setattr(db_router.replicas, "mark_down", lambda _alias: None)
    monkeypatch.setattr(selectors, "search_trains", replica_fails_once)
    again = searching(client)

    assert failures == ["the replica"]
    assert again.status_code == 200
    assert again.json() == expected


def test_what_is_read_ahead_is_gone_when_the_block_is_entered_again():
    cache.set("kept", "now")
    ahead = irctc_cache.read_ahead({"kept": "read ahead"}, ["kept"])
    with ahead:
        assert irctc_cache.get_many_read_ahead(cache, ["kept"]) == {"kept": "read ahead"}
    with ahead:  # the view run again
        assert irctc_cache.get_many_read_ahead(cache, ["kept"]) == {"kept": "now"}
