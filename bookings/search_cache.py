"""A short-lived cache of search answers, invalidated by every write that changes one.

Many people ask for the same route and day at once; the answer (which trains, how many seats
free) can be shared for a while, because a booking re-checks the seats under the run's lock
anyway. What must not happen is that a passenger books or cancels and the next search still
shows the old figure, so each entry is stamped with generation counters, and the writes bump
them once they commit:

- one per route (two stations, in order) and run date (the day a run leaves its first stop),
  here, bumped by every booking, hold, confirmation, cancellation and release on a run of that
  date, for every pair of the train's stations (`bookings.services`, once it commits:
  `run_changed`); a search checks its route on the dates of every run it may show (a journey
  from a later stop rides a run that left up to MAX_DAY_OFFSET days before). A counter per run
  date alone was bumped by a booking on any train that day, which left few answers standing
  while bookings came in; and
- one for the timetable, bumped by every change to a train (`trains.search_cache`, which also
  bumps these counters: the schedule's writes bump counters too, and trains never imports
  bookings).

An entry is used only while the counters it was stamped with are unchanged, so a write is
visible to the very next search. The counters are read *before* the search runs: a write that
commits while the search reads the database bumps them after that read, and the entry it stores
is stale on arrival, never served.

An entry is keyed by what was asked (the two stations' keys, the date, the class and the page),
not by the request's address, so the API and the passenger site share it; what differs between
them (the API's links to the next and previous pages) is added by each.

What can still be stale, for at most SEARCH_CACHE_SECONDS: seat changes made outside these
services (SQL by hand), and a timetable change that no counter announces (SQL by hand) if it moved
the train row's `updated_at` (a search reads that with the route, once this cache's entry has
gone); one that left `updated_at` alone can show for up to `trains.selectors.TIMETABLE_MEMO_SECONDS`.
Nothing marks a hold that lapses by the clock, so an answer that counts a hold is kept only until
the first such hold lapses. A search without a date shows departures still ahead of now, and is
kept only within the minute it ran in (departures are on the minute). A cache that is down means
every search runs uncached, and the counters a write could not bump are owed
(`trains.search_cache`).
"""

import hashlib
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from irctc.cache import get_many_read_ahead
from trains.search_cache import TIMETABLE, bump_after_commit, enabled, pay_owed, start_counter
from trains.stations import timetable_generation_seen


def _route_key(run_date: date, route: tuple[str, str]) -> str:
    # Station keys hold spaces and can be long: a digest keeps the key short and plain.
    digest = hashlib.blake2b("\0".join(route).encode(), digest_size=12).hexdigest()
    return f"search-gen:{run_date.isoformat()}:{digest}"


def entry_key(asked: tuple, *, dated: bool) -> str:
    """The key of the answer to `asked` (the search's normalized parameters, page included)."""
    # A search without a date shows each train's next departure still ahead of now, which
    # changes on the minute (departures are on the minute), so the minute is part of its key.
    # A search with a date shows the same whatever the time of day, and only the day decides
    # which dates may be searched.
    now = timezone.localtime()
    clock = now.date().isoformat() if dated else now.strftime("%Y-%m-%dT%H:%M")
    # v4: fares with their charges, and the quota among what was asked; a server still running
    # the code before that reads and writes "search-v3:" keys (fares without charges), which this
    # one never reads. v3 made an entry (count, the rendered results), keyed by what was asked.
    return "search-v4:" + hashlib.sha256(repr((clock, *asked)).encode()).hexdigest()


def answer_keys(asked: tuple, run_dates: list[date], *, route: tuple[str, str], dated: bool) -> list[str]:
    """The keys of the answer to `asked` (`entry_key`) and of the counters it is stamped with, which
    `cached_answer` reads in one round trip (a view may read them ahead, with its own:
    `irctc.cache.read_ahead`). `run_dates` are the origin dates of the runs the search may show,
    `route` its two station keys (`normalize_station`), `dated` whether it asked for a date."""
    return [entry_key(asked, dated=dated), TIMETABLE, *(_route_key(day, route) for day in run_dates)]


def cached_answer(keys: list[str]) -> tuple[object | None, dict | None]:
    """`(answer, stamp)`: the cached answer under `keys` (`answer_keys`) if still current, else None
    and the stamp to store a fresh one with (None when the cache is off or down)."""
    if not enabled():
        return None, None
    key, generation_keys = keys[0], keys[1:]
    try:
        found = _read_stamped(keys)
        if TIMETABLE not in found:
            found[TIMETABLE] = start_counter(TIMETABLE)
    except Exception:  # noqa: BLE001 - a cache that is down costs a search, never fails one
        return None, None
    # The codes a search is parsed with are kept while this counter stands (`trains.stations`).
    timetable_generation_seen(found[TIMETABLE])
    stamp = {k: found.get(k, 0) for k in generation_keys}
    entry = found.get(key)
    if entry is not None and entry["stamp"] == stamp:
        return entry["answer"], None
    return None, {"key": key, "stamp": stamp}


def _read_stamped(keys: list[str]) -> dict:
    """What the cache holds of `keys` (an entry's, then its counters'), or what this request read
    of them ahead; raises what the cache raises."""
    # Counters read ahead of bumps this process owed until now would miss its own writes.
    return cache.get_many(keys) if pay_owed() else get_many_read_ahead(cache, keys)


def kept_value(key: str, run_date: date, route: tuple[str, str]) -> tuple[object | None, dict | None]:
    """`(value, stamp)`: what `store` kept under `key` for the run that left on `run_date`, seen
    from `route` (two station keys), while no write on that run's route and no timetable change
    has been announced since; else None and the stamp to store a fresh value with (None when the
    cache is off or down). The same counters as a search's, read before what they stamp."""
    if not enabled():
        return None, None
    keys = kept_value_keys(key, run_date, route)
    generation_keys = keys[1:]
    try:
        found = _read_stamped(keys)
    except Exception:  # noqa: BLE001 - a cache that is down costs a read, never a request
        return None, None
    stamp = {k: found.get(k, 0) for k in generation_keys}
    entry = found.get(key)
    if entry is not None and entry["stamp"] == stamp:
        return entry["answer"], None
    return None, {"key": key, "stamp": stamp}


def kept_value_keys(key: str, run_date: date, route: tuple[str, str]) -> list[str]:
    """The keys `kept_value` reads, in one round trip: a view may read them ahead, with its own
    (`irctc.cache.read_ahead`)."""
    return [key, TIMETABLE, _route_key(run_date, route)]


def timetable_generation(stamp: dict | None):
    """The timetable's counter as `cached_answer` read it (None without a cache): a process may keep
    what it read of the timetable for as long as the counter stays the same
    (`trains.selectors.timetables`)."""
    return None if stamp is None else stamp["stamp"][TIMETABLE]


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
    bump_after_commit([_route_key(run_date, route) for route in routes])
