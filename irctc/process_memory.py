"""What a process keeps in memory from one request to the next, in one place with one reset.

Each is a copy of something whose truth is elsewhere (the database, the token's signature), kept
because reading it again on every request was a large share of that request's work; each says
below how it learns that its truth changed. A test starts from empty memory with `reset()`, since
ids are reused from one test to the next. Shared between a process's threads: every container
takes its own lock to change, and readers only ever see whole entries.
"""

import threading
from collections.abc import Hashable, Iterable
from time import monotonic


class KeptItems:
    """A dict bounded to `limit` entries. Past it, the oldest entry goes (`evict="oldest"`) or all
    of them do (`evict="all"`: cheaper where every entry is as likely to be used again)."""

    def __init__(self, limit: int, *, evict: str = "oldest"):
        if evict not in ("oldest", "all"):
            raise ValueError(f"evict is 'oldest' or 'all', not {evict!r}")
        self.limit = limit
        self.evict = evict
        self._items: dict = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, default=None):
        return self._items.get(key, default)

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            if len(self._items) >= self.limit and key not in self._items:
                if self.evict == "all":
                    self._items.clear()
                else:
                    del self._items[next(iter(self._items))]
            self._items[key] = value

    def pop(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)


class OwedKeys:
    """Keys to act on later (counters a cache that was down did not bump). Past `limit` keys, they
    are replaced by `overflow_key`, which stands for all of them."""

    def __init__(self, limit: int, overflow_key: str):
        self.limit = limit
        self.overflow_key = overflow_key
        self._keys: set[str] = set()
        self._lock = threading.Lock()

    def add(self, keys: Iterable[str]) -> None:
        with self._lock:
            self._keys.update(keys)
            if len(self._keys) > self.limit:
                self._keys = {self.overflow_key}

    def take(self) -> list[str]:
        with self._lock:
            keys, self._keys = list(self._keys), set()
        return keys

    def clear(self) -> None:
        with self._lock:
            self._keys = set()

    def snapshot(self) -> set[str]:
        return set(self._keys)

    def __bool__(self) -> bool:
        return bool(self._keys)


class GenerationMemo:
    """Values kept while a generation (a counter that a change to their source bumps) stands, each
    with the version it was read at and its own expiry. A new generation starts an empty memo:
    `current(generation)` hands out the memo of that generation, replacing an older one whole."""

    class Generation:
        def __init__(self, generation):
            self.generation = generation
            self.values: dict = {}
            # Apart from the values: an (expiry, version, value) tuple would stay tracked by the
            # garbage collector, which the values themselves are built to avoid.
            self.versions: dict = {}
            self.expires: dict = {}

        def clear(self) -> None:
            self.values.clear()
            self.versions.clear()
            self.expires.clear()

    def __init__(self):
        self._memo = self.Generation(None)

    def current(self, generation) -> "GenerationMemo.Generation":
        memo = self._memo
        if memo.generation != generation:
            memo = self._memo = self.Generation(generation)
        return memo

    def clear(self) -> None:
        self._memo = self.Generation(None)


class KeptValue:
    """One value kept for at most `seconds`, and only while the generation it was read under stands.

    `note(generation)` tells it the generation a request saw (the timetable counter, read with a
    cached search answer): a value read under another one goes, and the next value `put` is read
    under this one (it is read after the generation was seen, so it is at least as new).
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._kept: tuple | None = None  # (value, generation, kept until)
        self._seen = None
        self._lock = threading.Lock()

    def get(self):
        kept = self._kept
        if kept is None or kept[2] <= monotonic():
            return None
        return kept[0]

    def put(self, value) -> None:
        with self._lock:
            self._kept = (value, self._seen, monotonic() + self.seconds)

    def note(self, generation) -> None:
        if generation is None or (generation == self._seen and (self._kept is None or self._kept[1] == generation)):
            return
        with self._lock:
            self._seen = generation
            if self._kept is not None and self._kept[1] != generation:
                self._kept = None

    def clear(self) -> None:
        with self._lock:
            self._kept, self._seen = None, None


# Trains a booking starts from (`bookings.selectors.train_for_booking`), enough for every train
# that sells at once. A train saved or deleted in this process is forgotten at once (a signal,
# `bookings.apps`); one changed by another process is caught under the run lock by its row's
# `updated_at`.
kept_trains = KeptItems(2048, evict="oldest")

# Train timetables search reads (`trains.selectors.timetables`), kept while the timetable counter
# of `trains.search_cache` and each train row's `updated_at` stand.
timetables = GenerationMemo()
TIMETABLE_LIMIT = 20_000

# Access tokens this process verified, by their bytes: (expiry as a Unix time, token). The same
# bytes verify the same way until the expiry, which is checked on every use
# (`accounts.authentication`).
verified_tokens = KeptItems(50_000, evict="all")

# Search-cache counters a write could not bump while the cache was down, sent before this process
# next reads or bumps one (`trains.search_cache`); past the limit, the timetable counter, which
# every cached answer carries, is bumped instead.
owed_cache_bumps = OwedKeys(1000, overflow_key="search-gen:timetable")

# Station codes (`trains.stations`): {code: station name}, read whole. Forgotten when this process
# writes a code, when a search sees the timetable counter (which every change of a train, and so of
# its stops' codes, bumps) at another value than when they were read, and after a minute anyway
# (a process that answers no search).
station_codes = KeptValue(60)

# Seats this process last saw free in a quota's pool for a journey, and when (monotonic):
# {(train, run date, class, quota, from index, to index): (seats free, seen at)}. Only ever a
# reason to skip the early refusal's read (`bookings.inventory.refusals`), never one to refuse.
pool_observations = KeptItems(4096, evict="all")

_ALL = (kept_trains, timetables, verified_tokens, owed_cache_bumps, station_codes, pool_observations)


def reset() -> None:
    """Forget everything every process keeps (tests: ids are reused from one test to the next)."""
    for memory in _ALL:
        memory.clear()
