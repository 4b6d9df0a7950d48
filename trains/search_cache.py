"""A short-lived cache of search answers, invalidated by every write that changes one.

Many people ask for the same route and day at once; the answer (which trains, how many seats
free) can be shared for a while, because a booking re-checks the seats under the run's lock
anyway. What must not happen is that a passenger books or cancels and the next search still
shows the old figure, so each entry is stamped with generation counters, and the writes bump
them once they commit:

- one per route (two stations, in order) and run date (the day a run leaves its first stop),
  bumped by every booking, hold, confirmation, cancellation and release on a run of that date,
  for every pair of the train's stations (`bookings.services`, once it commits: `_invalidate`);
  a search checks its route on the dates of every run it may show (a journey from a later stop
  rides a run that left up to MAX_DAY_OFFSET days before). A counter per run date alone was
  bumped by a booking on any train that day, which left few answers standing while bookings
  came in; and
- one for the timetable, bumped by every change to a train (`trains.services`), which can change
  any search.

An entry is used only while the counters it was stamped with are unchanged, so a write is
visible to the very next search. The counters are read *before* the search runs: a write that
commits while the search reads the database bumps them after that read, and the entry it stores
is stale on arrival, never served.

The timetable counter also stamps the train timetables a process keeps (stops, times, classes,
fares: `trains.selectors.timetables`), so a search that misses this cache reads only the route's
trains and the seats taken from the database.

What can still be stale, for at most SEARCH_CACHE_SECONDS: seat changes made outside these
services (SQL by hand), and a timetable change that no counter announces (SQL by hand) if it moved
the train row's `updated_at` (a search reads that with the route, once this cache's entry has
gone); one that left `updated_at` alone can show for up to `trains.selectors.TIMETABLE_MEMO_SECONDS`.
Nothing marks a hold that lapses by the clock, so an answer that counts a hold is kept only until
the first such hold lapses. A search without a date shows departures still ahead of now, and is
kept only within the minute it ran in (departures are on the minute). A counter the cache lost
starts again at the clock in ns, which matches nothing kept. A cache that is down means every
search runs uncached. A write made while it was down owes its bumps, and its process sends them
before it next reads or bumps a counter (`_owed`). Once the cache is back, an answer cached before
the outage is then no longer served, except by another process until this one next uses the cache
(its next search or write, once `irctc.cache` asks Redis again).
"""

import hashlib
import logging
import threading
import time
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

TIMETABLE = "search-gen:timetable"
GENERATION_SECONDS = 7 * 86400


def _route_key(run_date: date, route: tuple[str, str]) -> str:
    # Station keys hold spaces and can be long: a digest keeps the key short and plain.
    digest = hashlib.blake2b("\0".join(route).encode(), digest_size=12).hexdigest()
    return f"search-gen:{run_date.isoformat()}:{digest}"


def enabled() -> bool:
    return settings.SEARCH_CACHE_SECONDS > 0


# Counters this process failed to bump (the cache did not answer), to bump before it next uses
# them. Past OWED_KEYS_KEPT, the timetable counter is bumped instead, which every answer carries.
OWED_KEYS_KEPT = 1000
_owed: set[str] = set()
_owed_lock = threading.Lock()


def _take_owed() -> list[str]:
    with _owed_lock:
        keys = list(_owed)
        _owed.clear()
    return keys


def _owe(keys) -> None:
    with _owed_lock:
        _owed.update(keys)
        if len(_owed) > OWED_KEYS_KEPT:
            _owed.clear()
            _owed.add(TIMETABLE)


def _pay_owed() -> None:
    """Raises what the cache raises; what could not be sent stays owed."""
    if _owed:
        keys = _take_owed()
        try:
            _send_bumps(keys)
        except Exception:
            _owe(keys)
            raise


def entry_key(request, *, dated: bool) -> str:
    # A search without a date shows each train's next departure still ahead of now, which
    # changes on the minute (departures are on the minute), so the minute is part of its key.
    # A search with a date shows the same whatever the time of day, and only the day decides
    # which dates may be searched. The host is in the pagination links.
    now = timezone.localtime()
    clock = now.date().isoformat() if dated else now.strftime("%Y-%m-%dT%H:%M")
    raw = f"{clock}|{request.get_host()}|{request.get_full_path()}"
    # v2: an entry is (count, rendered bytes); a server still running the code before that reads
    # and writes "search:" keys, which this one never reads.
    return "search-v2:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_answer(
    request, run_dates: list[date], *, route: tuple[str, str], dated: bool, also=()
) -> tuple[object | None, dict | None, dict]:
    """`(answer, stamp, found)`: the cached answer if still current, else None and the stamp to store
    a fresh one with (None when the cache is off or down). `run_dates` are the origin dates of the
    runs the search may show, `route` its two station keys (`normalize_station`), `dated` whether
    it asked for a date; `also` are other keys to read in the same round trip, and `found` what the
    cache holds of them (empty when the cache is off or down)."""
    if not enabled():
        return None, None, {}
    key = entry_key(request, dated=dated)
    generation_keys = [TIMETABLE, *(_route_key(day, route) for day in run_dates)]
    try:
        _pay_owed()
        found = cache.get_many([key, *generation_keys, *also])
        if TIMETABLE not in found:
            found[TIMETABLE] = _start_counter(TIMETABLE)
    except Exception:  # noqa: BLE001 - a cache that is down costs a search, never fails one
        return None, None, {}
    stamp = {k: found.get(k, 0) for k in generation_keys}
    others = {k: found[k] for k in also if k in found}
    entry = found.get(key)
    if entry is not None and entry["stamp"] == stamp:
        return entry["answer"], None, others
    return None, {"key": key, "stamp": stamp}, others


def timetable_generation(stamp: dict | None):
    """The timetable's counter as `cached_answer` read it (None without a cache): a process may keep
    what it read of the timetable for as long as the counter stays the same
    (`trains.selectors.timetables`)."""
    return None if stamp is None else stamp["stamp"][TIMETABLE]


def current_timetable_generation():
    """The timetable's counter now, for a search that doesn't go through `cached_answer` (the
    pages); None when the cache is off or down."""
    if not enabled():
        return None
    try:
        found = cache.get(TIMETABLE)
        return found if found is not None else _start_counter(TIMETABLE)
    except Exception:  # noqa: BLE001
        return None


def _start_counter(key: str) -> int:
    """A counter that isn't in the cache (never bumped, expired or flushed) starts at the current
    time in ns, as `_bump` starts one: what a process keeps stamped with the timetable counter
    (`trains.selectors.timetables`) must not match a counter that was lost and counts again from nothing."""
    start = time.time_ns()
    if cache.add(key, start, timeout=GENERATION_SECONDS):
        return start
    return cache.get(key, start)


def store(stamp: dict | None, answer, *, changes_at: datetime | None = None) -> None:
    """Keep `answer` under `stamp` for SEARCH_CACHE_SECONDS, or until `changes_at` if sooner (when
    a hold it counts lapses: nothing announces that)."""
    if stamp is None:
        return
    seconds = settings.SEARCH_CACHE_SECONDS
    if changes_at is not None:
        seconds = min(seconds, int((changes_at - timezone.now()).total_seconds()))
        if seconds <= 0:
            return
    try:
        cache.set(stamp["key"], {"stamp": stamp["stamp"], "answer": answer}, timeout=seconds)
    except Exception:  # noqa: BLE001 - not caching costs the next search a query, nothing more
        pass


def run_changed(run_date: date, station_keys: list[str]) -> None:
    """Call inside the transaction that changes seats on the run that left on `run_date` of a
    train calling at these stations (their keys, in the train's order)."""
    routes = [(boarding, alighting) for i, boarding in enumerate(station_keys) for alighting in station_keys[i + 1 :]]
    _invalidate([_route_key(run_date, route) for route in routes])


def timetable_changed() -> None:
    """Call inside the transaction that changes a train."""
    _invalidate([TIMETABLE])


def _invalidate(keys: list[str]) -> None:
    # Bumped after the commit: a search that ran during the transaction read the counter, then
    # the old rows, and what it cached must not be served. Inside an enclosing transaction (an
    # Idempotency-Key claim, a train change's, a test's) the commit may come much later, or
    # never (a test's), so the counter is bumped now as well, and the change shows at once.
    # A transaction of its own commits within milliseconds, and its rows are the old ones until
    # it does: one bump, after it, is all it needs (a booking's took two Redis round trips).
    if enabled():
        if len(connection.atomic_blocks) > 1:
            _bump(keys)
        transaction.on_commit(lambda: _bump(keys))


# SET NX then INCR, for each key: one command for all, where a pipeline of two commands a key
# cost the client about twice the CPU (its object, packing, reading two answers, its reset).
_BUMP_SCRIPT = """
for _, key in ipairs(KEYS) do
    redis.call('SET', key, ARGV[1], 'EX', ARGV[2], 'NX')
    redis.call('INCR', key)
end
"""
_bump_script = None


def _bump(keys: list[str]) -> None:
    keys = [*keys, *_take_owed()]
    try:
        _send_bumps(keys)
    except Exception:  # noqa: BLE001 - the write stands; its bumps are owed (see the module)
        _owe(keys)
        logger.exception("could not invalidate cached searches (%s); owed until the cache answers", keys)


def _send_bumps(keys: list[str]) -> None:
    # A counter starts at the current time in ns, not 0, so one that was evicted and starts
    # again can't come back to a value an entry still carries.
    global _bump_script
    start = time.time_ns()
    client = getattr(cache, "_cache", None)
    if isinstance(client, RedisCacheClient):
        # One round trip for all, not Django's EXISTS + INCR apiece.
        redis = client.get_client(write=True)
        if _bump_script is None:
            _bump_script = redis.register_script(_BUMP_SCRIPT)  # sent by its hash (EVALSHA)
        redis_keys = [cache.make_and_validate_key(key) for key in keys]
        _bump_script(keys=redis_keys, args=[start, GENERATION_SECONDS], client=redis)
        return
    for key in keys:
        cache.add(key, start, timeout=GENERATION_SECONDS)
        cache.incr(key)
