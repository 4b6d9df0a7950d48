"""Refusing, before the run lock, a booking that cannot get a seat.

When a Tatkal quota opens, most requests arrive after its pool is gone. Each would otherwise
queue for the run's lock behind the bookings that still sell, only to read under it that nothing
is free and roll back: the refusals then cost the sales their lock, and each refusal costs as much
as a sale. `refusing_early` wraps a booking's transaction: before the lock it raises the refusal
the lock would give (`SoldOut`, `WaitlistFull`) when what the journey's pool holds now says so;
otherwise the booking queues for the lock as before, which decides every booking let through.

What it reads is what search shows for the journey, class and quota
(`search_availability.page_availability`): seats free in the pool, and the status that says whether
the waitlist has room. A request is refused only when that leaves no doubt: fewer seats free than
travellers and no waitlist asked for (or a quota that sells confirmed seats only), or a waitlist
already full.

Why a refusal given here is safe: seats are freed only by a write on the run (a cancellation, a
released or expired hold, a train change) or by a hold lapsing by the clock. The read is made
without the lock, from committed rows (connections read committed data; SQLite readers see the
last commit), so a refusal is the one the lock would have given to a request that arrived when
the read ran; a write that commits during the request is one it could equally have queued behind.
A refusal is never given on a train changed since this process read it (its row's `updated_at`),
nor on a run nobody has booked (nothing is taken on it).

What it keeps, and how stale that can be: the read's result is kept in the search cache, stamped
with the same counters as a search answer (the timetable's and the run's route on its date), which
every booking, hold, confirmation, cancellation, release and train change bumps once it commits;
so the next request after a write reads again. A kept result lapses when the first hold it counts
lapses (nothing announces that) and after `SEARCH_CACHE_SECONDS` at most, like a search answer.
The counters are read before the rows, so a write that commits in between leaves a result that is
stale on arrival and never used. What the search cache itself can be stale about (SQL by hand,
bumps owed while the cache was down: `bookings.search_cache`) applies here too, for as long.

What it costs a sale: nothing on a journey this process has never seen refused under the lock
(no read, no cache round trip). Once it has, one cache read per booking, and the rows again only
when the kept result is gone (a write since) and this process last saw the pool close to empty or
a while ago (`irctc.process_memory.pool_observations`). Skipping the look is always safe: the lock
decides.
"""

from datetime import datetime
from time import monotonic
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from bookings import search_cache
from bookings.errors import SoldOut, WaitlistFull
from bookings.inventory import search_availability
from bookings.inventory.quotas import CONFIRMED_ONLY
from bookings.models import TrainRun
from irctc import process_memory
from trains.journeys import Journey
from trains.rendering import class_data

# A pool this process saw with at least this many seats free, this recently, sells the booking's
# travellers (at most four for Tatkal) many times over before it could be gone: the lock decides.
PLENTY_FREE = 64
PLENTY_FOR_SECONDS = 1.0


class refusing_early:  # noqa: N801 - used as a function: `with refusing_early(...), transaction.atomic():`
    """Around a booking's transaction: on entering, raise the refusal the run lock would give a
    booking of `count` travellers on `journey` from `quota` if what its pool holds now leaves no
    doubt (else the booking goes on to the lock, which decides); on leaving with a refusal the lock
    gave, remember that this journey's pool is close to empty, so that this process looks before
    queueing from then on.

    A journey this process never saw refused costs nothing more: no read, no cache round trip.
    """

    __slots__ = ("journey", "quota", "count", "allow_waitlist", "key")

    def __init__(self, journey: Journey, quota: str, count: int, allow_waitlist: bool):
        self.journey, self.quota, self.count, self.allow_waitlist = journey, quota, count, allow_waitlist
        self.key = _pool_key(journey, quota)

    def __enter__(self):
        seen = process_memory.pool_observations.get(self.key)
        if seen is None:
            return self
        journey = self.journey
        kept, stamp = search_cache.kept_value(_cache_key(self.key), journey.run_date, _route(journey))
        # The cache's own expiry ends a kept entry at the lapse too, but by its clock, in whole seconds.
        entry = kept[0] if kept is not None and (kept[1] is None or timezone.now() < kept[1]) else None
        if entry is None:
            if seen[0] >= PLENTY_FREE and monotonic() - seen[1] < PLENTY_FOR_SECONDS:
                return self
            entry, changes_at = _pool_now(journey, self.quota)
            if entry is None:
                return self
            process_memory.pool_observations.put(self.key, (entry["available_seats"], monotonic()))
            search_cache.store(stamp, (entry, changes_at), changes_at=changes_at)
        _refuse(entry, self.quota, self.count, self.allow_waitlist)
        return self

    def __exit__(self, kind, error, _traceback):
        if isinstance(error, SoldOut | WaitlistFull):
            free = error.extra.get("available_seats", 0)
            process_memory.pool_observations.put(self.key, (free, monotonic()))
        return False


def cache_keys_read_early(journey: Journey, quota: str) -> list[str]:
    """The cache keys `refusing_early` will read for a booking of `journey` from `quota` (none on a
    journey this process never saw refused), for a view to read ahead with its own
    (`irctc.cache.read_ahead`)."""
    key = _pool_key(journey, quota)
    if process_memory.pool_observations.get(key) is None:
        return []
    return search_cache.kept_value_keys(_cache_key(key), journey.run_date, _route(journey))


def _pool_key(journey: Journey, quota: str) -> tuple:
    return (
        journey.train.pk,
        journey.run_date,
        journey.class_code,
        quota,
        journey.from_stop.index,
        journey.to_stop.index,
    )


def _route(journey: Journey) -> tuple[str, str]:
    return journey.from_stop.station_key, journey.to_stop.station_key


def _cache_key(key: tuple) -> str:
    train_id, run_date, code, quota, from_index, to_index = key
    return f"refusal-v1:{train_id}:{run_date.isoformat()}:{code}:{quota}:{from_index}:{to_index}"


def _refuse(entry: dict, quota: str, count: int, allow_waitlist: bool) -> None:
    available = entry["available_seats"]
    if available >= count or entry["status"] == search_availability.NOT_OPEN:
        return
    if not allow_waitlist or quota in CONFIRMED_ONLY:
        raise SoldOut(f"Only {available} seat(s) free for this journey.", available_seats=available)
    if entry["status"] == search_availability.REGRET:
        raise WaitlistFull(
            "The waitlist has room for 0 more seat(s).", available_seats=available, waitlist_seats_left=0
        )


class _Ride(NamedTuple):
    """The journey as `page_availability` reads a search's leg: its train, stops and one class."""

    train_id: int
    from_index: int
    to_index: int
    timetable: object


class _OneClass(NamedTuple):
    classes: tuple[dict, ...]


def _pool_now(journey: Journey, quota: str) -> tuple[dict | None, datetime | None]:
    """`(entry, changes_at)`: search's entry for the journey's class in `quota` as the committed rows
    say now, and when the first hold it counts lapses; `(None, None)` where no refusal may be given
    (no run yet, or the train changed since this process read it)."""
    train = journey.train
    found = (
        TrainRun.objects.filter(train_id=train.pk, run_date=journey.run_date)
        .values_list("pk", "train__updated_at")
        .first()
    )
    if found is None or found[1] != train.updated_at:
        return None, None
    run_id = found[0]
    now = timezone.localtime()
    ride = _Ride(
        train.pk, journey.from_stop.index, journey.to_stop.index, _OneClass((class_data(journey.train_class),))
    )
    ride_key = (train.pk, journey.run_date)
    seats = search_availability.seats_taken([(run_id, ride, ride_key)], quota, now, connection)
    entries, _opens = search_availability.page_availability(
        [(ride, journey.run_date)], {ride_key: run_id}, seats, quota, now, connection
    )
    return entries[ride_key][0], seats.lapses.get(ride_key)
