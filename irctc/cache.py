"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django builds a new `redis.Redis` around its pool for every cache operation, and redis-py's
constructor (argument checks, response callbacks, event dispatcher) cost more CPU than the round
trip in the profiles of search and of a signed-in request, where the cache holds the signed-in
user and the search answer (docs/performance.md, Figures behind the code). A client is thread-safe and cheap to keep; its pool
still hands each command a connection of its own, and is per process as before.

The commands a request sends (GET, MGET, SET) go to redis-py's `execute_command` directly: its
command methods are wrapped in argument-deprecation checks that cost each call more than packing
it. And keys are not checked for memcached's limits (Django warns of keys memcached would
refuse), a cost on every key: this cache is Redis, and every key is the code's own.

Each thread has its own client holding one connection (redis-py's `single_connection_client`):
taking a connection from the pool and giving it back, with the metrics redis-py 8 records on both,
was a sizeable share of each command.

A Redis that does not answer is not asked again for a moment: after a command fails to connect or
times out (`REDIS_TIMEOUT_MS`), every command of this process fails at once for
OUTAGE_PAUSE_SECONDS, as one against a closed port does. What the cache holds can be done
without (a query instead of a cached answer or user, a request let through the throttle), but a
paused Redis would otherwise make each of a request's commands wait out its timeout.
"""

import hashlib
import threading
import time
from collections.abc import Iterable
from contextvars import ContextVar

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

OUTAGE_PAUSE_SECONDS = 1.0
_UNANSWERED = (redis.ConnectionError, redis.TimeoutError)


class _Outage:
    """Until when this process leaves Redis alone (monotonic clock)."""

    def __init__(self):
        self.until = 0.0

    def began(self) -> None:
        self.until = time.monotonic() + OUTAGE_PAUSE_SECONDS

    def check(self) -> None:
        if time.monotonic() < self.until:
            raise redis.ConnectionError("Redis did not answer a moment ago; not asked again yet")


class _WatchedRedis(redis.Redis):
    """A client that reports a command Redis did not answer (to its cache's `_Outage`)."""

    outage: _Outage

    def execute_command(self, *args, **options):
        try:
            return self._execute_command(*args, **options)
        except _UNANSWERED:
            self.outage.began()
            raise


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._threads = threading.local()
        self._outage = _Outage()

    def get_client(self, key=None, *, write=False):
        self._outage.check()
        pool = self._get_connection_pool(write)
        clients = self._threads.__dict__
        client = clients.get(id(pool))
        if client is None:
            try:
                client = _WatchedRedis(connection_pool=pool, single_connection_client=True)  # connects now
            except _UNANSWERED:
                self._outage.began()
                raise
            client.outage = self._outage
            clients[id(pool)] = client
        return client

    def get(self, key, default):
        value = self.get_client(key).execute_command("GET", key)
        return default if value is None else self._serializer.loads(value)

    def get_many(self, keys):
        keys = list(keys)
        if not keys:
            return {}
        values = self.get_client(None).execute_command("MGET", *keys)
        return {
            key: self._serializer.loads(value) for key, value in zip(keys, values, strict=True) if value is not None
        }

    def set(self, key, value, timeout):
        if timeout == 0:
            return super().set(key, value, timeout)
        command = ["SET", key, self._serializer.dumps(value)]
        if timeout is not None:
            command += ["EX", timeout]
        self.get_client(key, write=True).execute_command(*command)


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key):
        pass


def is_redis(cache) -> bool:
    """Whether `cache` is Redis, where every read is a round trip to another process: worth
    sharing between the reads of one request. The local caches read in this process, for about
    what sharing a read costs (`irctc.local_cache`)."""
    return isinstance(getattr(cache, "_cache", None), DjangoRedisCacheClient)


# Reads some keys and counts others in one command: a request's signed-in user and its throttle's
# window, or a write's search counters. Django's `add` then `incr` alone is three round trips
# (SET NX, EXISTS, INCRBY), and a pipeline cost the client more than the round trips it saved
# (its object, packing, reading each answer, its reset). A key read and absent comes back false
# (nil inside Lua), which Redis answers as nil.
_READ_AND_COUNT = """
local reads = tonumber(ARGV[1])
local values = {}
if reads > 0 then
    local found = redis.call('MGET', unpack(KEYS, 1, reads))
    for i = 1, reads do
        values[i] = found[i]
    end
end
for i = reads + 1, #KEYS do
    redis.call('SET', KEYS[i], ARGV[2], 'EX', ARGV[i - reads + 2], 'NX')
    values[i] = redis.call('INCR', KEYS[i])
end
return values
"""
_READ_AND_COUNT_SHA = hashlib.sha1(_READ_AND_COUNT.encode()).hexdigest()


def read_and_count(cache, reads: list[str], counts: dict[str, int], start: int = 0) -> tuple[dict, list[int]]:
    """`(found, values)`: what `cache` holds of the `reads` keys (as `get_many` gives it), and the
    `counts` keys' values after each was set to `start` for its seconds unless it held a value,
    then incremented. One round trip on Redis; elsewhere the cache's `get_many`, `add` and `incr`.
    Raises what the cache raises."""
    if not counts:
        return (cache.get_many(reads) if reads else {}), []
    if is_redis(cache):
        client = cache._cache
        make_key = cache.make_and_validate_key  # `cache` may be Django's proxy: looked up once
        keys = [make_key(key) for key in [*reads, *counts]]
        arguments = (len(keys), *keys, len(reads), start, *counts.values())
        redis_client = client.get_client(write=True)
        try:
            # By its hash (EVALSHA), sent as redis-py's `Script` would send it, without its wrappers.
            answer = redis_client.execute_command("EVALSHA", _READ_AND_COUNT_SHA, *arguments)
        except redis.exceptions.NoScriptError:
            # A server restarted (or its scripts flushed) since: sent in full, and kept by it again.
            answer = redis_client.execute_command("EVAL", _READ_AND_COUNT, *arguments)
        found = {
            key: client._serializer.loads(value)
            for key, value in zip(reads, answer[: len(reads)], strict=True)
            if value is not None
        }
        return found, answer[len(reads) :]
    found = cache.get_many(reads) if reads else {}
    values = []
    for key, seconds in counts.items():
        cache.add(key, start, timeout=seconds)
        try:
            values.append(cache.incr(key))
        except ValueError:
            # It expired between the two: the increment opens it again.
            cache.add(key, start + 1, timeout=seconds)
            values.append(start + 1)
    return found, values


# What one earlier round trip of this request read of some keys (`read_ahead`), for the code that
# would read them again a moment later (`get_many_read_ahead`).
_read_ahead: ContextVar[dict | None] = ContextVar("cache_read_ahead", default=None)
_ABSENT = object()


class read_ahead:  # noqa: N801 - used as a function: `with read_ahead(found, keys):`
    """Within this block, the first `get_many_read_ahead` of keys all among `keys` takes what
    `found` holds of them (what an earlier round trip of the same request read of `keys`: a view
    reads what its service will read together with the signed-in user) instead of asking the
    cache. Once only: a second read (a retried transaction's) asks the cache. The block may be
    entered again, one entry after another (a view run again on the primary after its replica
    failed): what the first took is gone, and the second asks the cache."""

    __slots__ = ("_ahead", "_token")

    def __init__(self, found: dict, keys: Iterable[str]):
        self._ahead = {key: found.get(key, _ABSENT) for key in keys}

    def __enter__(self):
        self._token = _read_ahead.set(self._ahead)
        return self

    def __exit__(self, *_exception):
        _read_ahead.reset(self._token)
        return False


def get_many_read_ahead(cache, keys: list[str]) -> dict:
    """`cache.get_many(keys)`, or what `read_ahead` holds of them if it holds them all, taken."""
    ahead = _read_ahead.get()
    if ahead is None or not all(key in ahead for key in keys):
        return cache.get_many(keys)
    values = [ahead.pop(key) for key in keys]
    return {key: value for key, value in zip(keys, values, strict=True) if value is not _ABSENT}
