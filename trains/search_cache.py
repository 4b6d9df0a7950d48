"""The counters that stamp cached search answers: the timetable's, and how every counter is bumped.

Search answers are cached by the inventory (`bookings.search_cache`), stamped with generation
counters that the writes bump once they commit: one per route and run date, bumped by the
inventory's writes, and one for the timetable, here, bumped by every change to a train
(`trains.services`), which can change any search. The timetable counter lives with the schedule
because the schedule's writes bump it and trains never imports bookings; the bumping itself is
here for the same reason, and the inventory's counters are bumped through it.

The timetable counter also stamps the train timetables a process keeps (stops, times, classes,
fares: `trains.selectors.timetables`), so a search that misses the answer cache reads only the
route's trains and the seats taken from the database.

A counter the cache lost starts again at the clock in ns, which matches nothing kept. A write made
while the cache was down owes its bumps (`irctc.process_memory.owed_cache_bumps`), and its process
sends them before it next reads or bumps a counter. Once the cache is back, an answer cached before
the outage is then no longer served, except by another process until this one next uses the cache
(its next search or write, once `irctc.cache` asks Redis again).
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from irctc import process_memory
from irctc.cache import read_and_count

logger = logging.getLogger(__name__)

TIMETABLE = "search-gen:timetable"
GENERATION_SECONDS = 7 * 86400

# Counters this process failed to bump (the cache did not answer), to bump before it next uses
# them. Past the memory's limit the timetable counter is bumped instead, which every answer carries.
_owed = process_memory.owed_cache_bumps


def enabled() -> bool:
    return settings.SEARCH_CACHE_SECONDS > 0


def timetable_changed() -> None:
    """Call inside the transaction that changes a train."""
    bump_after_commit([TIMETABLE])


def current_timetable_generation():
    """The timetable's counter now, for a search that doesn't read it with a cached answer; None
    when the cache is off or down."""
    if not enabled():
        return None
    try:
        found = cache.get(TIMETABLE)
        return found if found is not None else start_counter(TIMETABLE)
    except Exception:  # noqa: BLE001
        return None


def start_counter(key: str) -> int:
    """A counter that isn't in the cache (never bumped, expired or flushed) starts at the current
    time in ns, as `_bump` starts one: what a process keeps stamped with the timetable counter
    (`trains.selectors.timetables`) must not match a counter that was lost and counts again from nothing."""
    start = time.time_ns()
    if cache.add(key, start, timeout=GENERATION_SECONDS):
        return start
    return cache.get(key, start)


def pay_owed() -> bool:
    """Send the bumps this process owes, before it reads a counter; whether there were any (a
    counter read before is then out of date). Raises what the cache raises; what could not be sent
    stays owed."""
    if not _owed:
        return False
    keys = _owed.take()
    try:
        _send_bumps(keys)
    except Exception:
        _owed.add(keys)
        raise
    return True


def bump_after_commit(keys: list[str]) -> None:
    """Bump these counters once the transaction that changes what they stamp commits."""
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


def _bump(keys: list[str]) -> None:
    keys = [*keys, *_owed.take()]
    try:
        _send_bumps(keys)
    except Exception:  # noqa: BLE001 - the write stands; its bumps are owed (see the module)
        _owed.add(keys)
        logger.exception("could not invalidate cached searches (%s); owed until the cache answers", keys)


def _send_bumps(keys: list[str]) -> None:
    # A counter starts at the current time in ns, not 0, so one that was evicted and starts
    # again can't come back to a value an entry still carries.
    read_and_count(cache, [], dict.fromkeys(keys, GENERATION_SECONDS), start=time.time_ns())
