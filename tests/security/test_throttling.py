"""Throttling: who is counted, what is counted, what a throttled client sees, and where counts live.

The throttle classes are in `irctc/throttling.py`; elsewhere in the suite they are switched off.
"""

import logging
import os
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient

from bookings import services
from irctc import throttling
from irctc.settings import env_rate
from tests.bookings.helpers import booking_body, tomorrow
from tests.conftest import client_for
from tests.factories import PASSWORD, make_user
from tests.operations.helpers import assert_json_error

pytestmark = pytest.mark.django_db

WRONG_LOGIN = {"username": "nobody", "password": "wrong-password"}
LOGIN = "/api/auth/login/"


def login_from(address: str, forwarded_for: str | None = None, body=WRONG_LOGIN):
    extra = {"REMOTE_ADDR": address}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return APIClient().post(LOGIN, body, **extra)


def assert_throttled(response) -> None:
    assert_json_error(response, 429, "throttled")
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 86400


# --- Sign-in, registration and refresh: per client IP ----------------------------------------


def test_sign_in_attempts_are_limited_per_client_ip(throttle_rates):
    throttle_rates(auth="3/day")

    for _ in range(3):
        assert login_from("10.0.0.1").status_code == 401

    assert_throttled(login_from("10.0.0.1"))
    # Another address has a budget of its own.
    assert login_from("10.0.0.2").status_code == 401


def test_even_the_right_password_is_refused_once_the_ip_is_throttled(throttle_rates, user):
    throttle_rates(auth="2/day")
    for _ in range(2):
        login_from("10.0.0.1")

    assert_throttled(login_from("10.0.0.1", body={"username": user.username, "password": PASSWORD}))


def test_register_login_and_refresh_share_the_ips_budget(throttle_rates, user):
    throttle_rates(auth="2/day")
    client = APIClient(REMOTE_ADDR="10.0.0.7")
    registration = {"username": "asha", "email": "asha@example.com", "password": PASSWORD}

    assert client.post("/api/auth/register/", registration).status_code == 201
    assert client.post(LOGIN, WRONG_LOGIN).status_code == 401

    assert_throttled(client.post("/api/auth/token/refresh/", {"refresh": "x"}))
    assert_throttled(client.post("/api/auth/register/", {**registration, "username": "ravi"}))
    assert_throttled(client.post("/api/login/", WRONG_LOGIN))


def test_x_forwarded_for_is_ignored_without_trusted_proxies(throttle_rates, settings):
    throttle_rates(auth="2/day")
    settings.NUM_PROXIES = 0

    for n in range(2):
        assert login_from("10.0.0.1", forwarded_for=f"203.0.113.{n}").status_code == 401

    # A script that makes up a new X-Forwarded-For for every attempt is still one client.
    assert_throttled(login_from("10.0.0.1", forwarded_for="203.0.113.99"))


def test_behind_one_proxy_the_right_most_forwarded_address_is_the_client(throttle_rates, settings):
    throttle_rates(auth="2/day")
    settings.NUM_PROXIES = 1
    proxy = "10.0.0.254"

    # Whatever the client writes to the left of what the proxy appended doesn't change who it is.
    assert login_from(proxy, forwarded_for="1.1.1.1, 198.51.100.7").status_code == 401
    assert login_from(proxy, forwarded_for="2.2.2.2, 198.51.100.7").status_code == 401
    assert_throttled(login_from(proxy, forwarded_for="3.3.3.3, 198.51.100.7"))
    assert_throttled(login_from(proxy, forwarded_for="198.51.100.7"))

    # Other clients behind the same proxy are counted apart.
    assert login_from(proxy, forwarded_for="198.51.100.8").status_code == 401


def test_behind_two_proxies_the_second_address_from_the_right_is_the_client(throttle_rates, settings):
    throttle_rates(auth="1/day")
    settings.NUM_PROXIES = 2

    assert login_from("10.0.0.254", forwarded_for="6.6.6.6, 198.51.100.7, 10.1.1.1").status_code == 401
    assert_throttled(login_from("10.0.0.254", forwarded_for="7.7.7.7, 198.51.100.7, 10.1.1.2"))
    assert login_from("10.0.0.254", forwarded_for="198.51.100.7, 198.51.100.9, 10.1.1.1").status_code == 401


# --- Booking, hold and confirm: per user -------------------------------------------------------


def test_booking_holding_and_confirming_share_one_budget_per_user(throttle_rates, user, train):
    throttle_rates(booking="3/day")
    passenger = client_for(user)
    hold = services.hold_seats(user=user, train=train, travel_date=tomorrow(), seats=1)

    assert passenger.post("/api/bookings/", booking_body(train)).status_code == 201
    assert passenger.post("/api/holds/", booking_body(train)).status_code == 201
    assert passenger.post(f"/api/holds/{hold.pk}/confirm/").status_code == 201

    assert_throttled(passenger.post("/api/bookings/", booking_body(train)))
    assert_throttled(passenger.post("/api/holds/", booking_body(train)))
    # Another passenger is not held back by the first one's scripts.
    assert client_for(make_user("ravi")).post("/api/bookings/", booking_body(train)).status_code == 201


def test_reading_bookings_does_not_use_the_booking_budget(throttle_rates, admin_client, train):
    throttle_rates(booking="1/day")

    for _ in range(5):
        assert admin_client.get("/api/bookings/").status_code == 200
    assert admin_client.get("/api/bookings/my/").status_code == 200

    assert admin_client.post("/api/bookings/", booking_body(train)).status_code == 201
    assert_throttled(admin_client.post("/api/bookings/", booking_body(train)))


def test_a_cancel_or_release_is_never_held_back_by_the_booking_budget(throttle_rates, user, train):
    throttle_rates(booking="1/day")
    passenger = client_for(user)
    booking = passenger.post("/api/bookings/", booking_body(train)).json()
    hold = services.hold_seats(user=user, train=train, travel_date=tomorrow() + timedelta(days=1), seat_numbers=[1])

    assert passenger.post(f"/api/bookings/{booking['id']}/cancel/").status_code == 200
    assert passenger.delete(f"/api/holds/{hold.pk}/").status_code == 204


# --- Everything else: per user, or per IP when anonymous ---------------------------------------


def test_other_requests_are_limited_per_user(throttle_rates, user, train):
    throttle_rates(user="3/day")
    passenger = client_for(user)

    for _ in range(3):
        assert passenger.get("/api/auth/me/").status_code == 200

    assert_throttled(passenger.get("/api/trains/"))
    assert client_for(make_user("ravi")).get("/api/auth/me/").status_code == 200


def test_booking_writes_do_not_use_the_general_budget(throttle_rates, user, train):
    throttle_rates(user="1/day")
    passenger = client_for(user)

    for _ in range(3):
        assert passenger.post("/api/bookings/", booking_body(train)).status_code == 201


def test_anonymous_requests_are_limited_per_ip(throttle_rates):
    throttle_rates(anon="2/day")
    anonymous = APIClient(REMOTE_ADDR="192.0.2.1")

    for _ in range(2):
        assert anonymous.get("/api/schema/").status_code == 200

    # JSON, although the schema view otherwise answers in YAML (it did until this test).
    assert_throttled(anonymous.get("/api/schema/"))
    assert APIClient(REMOTE_ADDR="192.0.2.2").get("/api/schema/").status_code == 200
    # Health is never throttled: a load balancer must not see a throttled app as down.
    assert anonymous.get("/api/health/").status_code == 200


def test_the_429_is_json_with_a_whole_number_retry_after(throttle_rates):
    throttle_rates(auth="1/min")
    login_from("10.0.0.1")

    response = login_from("10.0.0.1")

    body = assert_json_error(response, 429, "throttled")
    assert "second" in body["detail"]
    assert 1 <= int(response["Retry-After"]) <= 60


@pytest.mark.parametrize("value", ["off", "OFF", "none", ""])
def test_off_switches_a_throttle_off(monkeypatch, value):
    monkeypatch.setenv("THROTTLE_AUTH", value)

    assert env_rate("THROTTLE_AUTH", "10/min") is None


def test_with_every_rate_off_nothing_is_throttled(throttle_rates):
    throttle_rates()

    assert {login_from("10.0.0.1").status_code for _ in range(30)} == {401}


# --- Where the counts live -------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (CI sets it)")


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    cache.clear()
    yield
    cache.clear()


@needs_redis
def test_throttling_works_against_redis(redis_cache, throttle_rates):
    throttle_rates(auth="2/day")

    for _ in range(2):
        assert login_from("10.0.0.1").status_code == 401

    assert_throttled(login_from("10.0.0.1"))
    assert any(key.startswith(b":1:throttle:auth:10.0.0.1:") for key in _redis_keys())


@needs_redis
def test_workers_with_their_own_redis_clients_share_one_count(redis_cache, throttle_rates, monkeypatch):
    """Two gunicorn workers each hold their own client; the limit holds across both."""
    throttle_rates(auth="4/day")
    worker_one, worker_two = RedisCache(REDIS_URL, {}), RedisCache(REDIS_URL, {})

    for worker in [worker_one, worker_two, worker_one, worker_two]:
        monkeypatch.setattr(throttling, "cache", worker)
        assert login_from("10.0.0.1").status_code == 401

    key = next(key.decode() for key in _redis_keys() if b"throttle:auth:10.0.0.1" in key).removeprefix(":1:")
    assert worker_one.get(key) == worker_two.get(key) == 4
    monkeypatch.setattr(throttling, "cache", worker_two)
    assert_throttled(login_from("10.0.0.1"))


def _redis_keys() -> list[bytes]:
    return cache._cache.get_client().keys("*throttle*")


def test_a_cache_outage_lets_requests_through_rather_than_failing_them(settings, caplog):
    # Nothing listens on port 1: every cache call fails at once, as when Redis is down.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    settings.THROTTLE_RATES = {"auth": "1/day", "booking": "1/day", "user": "1/day", "anon": "1/day"}

    with caplog.at_level(logging.WARNING, logger="irctc.throttling"):
        responses = [login_from("10.0.0.1") for _ in range(3)]

    assert [response.status_code for response in responses] == [401, 401, 401]
    assert "Throttle cache unavailable" in caplog.text
