"""The Redis cache (irctc/cache.py) sends GET, MGET and SET itself: it must still read and write
exactly as Django's does, expiry included, and share entries with it."""

import os

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from irctc.cache import RedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (CI sets it)")


@pytest.fixture
def caches():
    ours = RedisCache(REDIS_URL, {"KEY_PREFIX": "redis-cache-test"})
    django = DjangoRedisCache(REDIS_URL, {"KEY_PREFIX": "redis-cache-test"})
    ours.clear()
    yield ours, django
    ours.clear()


def ttl(cache, key) -> int:
    return cache._cache.get_client().ttl(cache.make_key(key))


def test_what_one_writes_the_other_reads(caches):
    ours, django = caches
    values = {"int": 7, "dict": {"a": [1, "b"]}, "bytes": b"\x00\xff", "text": "ünï", "none": None}
    for key, value in values.items():
        ours.set(f"ours-{key}", value)
        django.set(f"django-{key}", value)
    for key, value in values.items():
        assert ours.get(f"django-{key}", "missing") == django.get(f"ours-{key}", "missing") == value
    keys = [f"ours-{key}" for key in values] + ["absent"]
    assert ours.get_many(keys) == django.get_many(keys)
    assert ours.get_many([]) == {}
    assert ours.get("absent", "default") == "default"


def test_expiry_is_set_as_django_sets_it(caches):
    ours, django = caches
    ours.set("for-a-while", 1, timeout=30)
    ours.set("for-ever", 1, timeout=None)
    ours.set("default", 1)
    django.set("django-default", 1)
    assert 0 < ttl(ours, "for-a-while") <= 30
    assert ttl(ours, "for-ever") == -1
    assert ttl(ours, "default") == ttl(django, "django-default") == 300

    ours.set("for-ever", 2, timeout=0)  # Django's meaning: expire now
    assert ours.get("for-ever") is None


def test_a_count_is_sent_in_full_when_the_server_does_not_know_the_script(caches, monkeypatch):
    from irctc import cache as irctc_cache

    ours, _django = caches
    ours.set("read", {"a": 1})
    # What a restarted server, or one whose scripts were flushed, answers to the script's hash.
    monkeypatch.setattr(irctc_cache, "_READ_AND_COUNT_SHA", "0" * 40)

    found, counts = irctc_cache.read_and_count(ours, ["read", "absent"], {"counted": 60})
    again = irctc_cache.read_and_count(ours, [], {"counted": 60})

    assert found == {"read": {"a": 1}}
    assert counts == [1]
    assert again == ({}, [2])
    assert 0 < ttl(ours, "counted") <= 60
