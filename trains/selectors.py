"""Reads over the schedule: train listings and lookups, and the timetables search works from.

Search and the seat map join the schedule with the inventory, so they are in `bookings.selectors`;
the schedule half of a search (each train's stops, times and classes) is here.
"""

from datetime import date, time
from decimal import Decimal
from random import random
from time import monotonic
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from irctc import fast_json, process_memory
from irctc.db_router import read_connection
from irctc.exceptions import ApplicationError
from trains import statements
from trains.errors import TrainNotFound
from trains.fares import FareBreakdown, fare_breakdown
from trains.journeys import as_time, plan_journey
from trains.models import (
    Station,
    Stop,
    Train,
    arrival_day,
    codes_from_mask,
    normalize_station,
    running_days_text,
    weekday_bit,
)
from trains.pools import GENERAL_QUOTA
from trains.rendering import clock_text

STATIONS_LIMIT = 20


def with_route(trains: QuerySet[Train]) -> QuerySet[Train]:
    """`trains` with their stops and classes fetched in two queries for the whole page, not per train."""
    return trains.prefetch_related("stops", "classes")


def active_trains() -> QuerySet[Train]:
    return with_route(Train.objects.active().order_by("departure_time", "train_number"))


def stations_matching(q: str, limit: int = STATIONS_LIMIT) -> list[dict]:
    """`[{code, name, trains}]`: stations whose code starts with `q` or whose name contains it (any
    case), the station whose code `q` is first, then the most served; `code` is None for a station
    without one.

    `trains` counts active trains calling there (a train calls at a station once); ties go by name.
    """
    key = normalize_station(q)
    coded = Station.objects.filter(code__startswith=q.strip().upper()).values("key") if q.strip() else None
    matching = (
        Q(station_key__contains=key) if coded is None else Q(station_key__contains=key) | Q(station_key__in=coded)
    )
    served = (
        Stop.objects.filter(matching, train__is_active=True)
        .values("station_key")
        .annotate(trains=Count("train_id"))
        .order_by("-trains", "station_key")
    )
    rows = list(served[:limit])
    exact = Station.objects.filter(code=q.strip().upper()).values_list("key", flat=True).first() if q.strip() else None
    if exact is not None:
        rows = [row for row in served.filter(station_key=exact)] + [row for row in rows if row["station_key"] != exact]
        rows = rows[:limit]
    keys = [row["station_key"] for row in rows]
    names = station_spellings(keys)
    codes = dict(Station.objects.filter(key__in=keys).values_list("key", "code"))
    return [
        {"code": codes.get(row["station_key"]), "name": names[row["station_key"]], "trains": row["trains"]}
        for row in rows
    ]


def known_stations() -> list[tuple[str | None, str]]:
    """`[(code, name)]` of every station active trains call at: what a near miss is compared with."""
    return [(row["code"], row["name"]) for row in stations_matching("", limit=10_000)]


def station_spellings(keys) -> dict[str, str]:
    """{normalized station: its name as most active trains spell it}, for the keys trains serve."""
    counts = (
        Stop.objects.filter(train__is_active=True, station_key__in=list(keys))
        .values("station_key", "station")
        .annotate(trains=Count("train_id"))
    )
    spellings: dict[str, tuple[int, str]] = {}
    for row in counts:
        best = spellings.get(row["station_key"])
        # Most trains first; between equally common spellings, the same one every time.
        if best is None or (row["trains"], row["station"]) > best:
            spellings[row["station_key"]] = (row["trains"], row["station"])
    return {key: station for key, (_, station) in spellings.items()}


def timetable_of(train_id: int) -> dict:
    """`{train, runs_on, stops}`: an active train's timetable as people read one, each stop with its
    code (None without), arrival and departure, the day of the journey (1 on the day it leaves its
    first station) and its distance from there."""
    train = get_active_train(train_id)
    codes = dict(
        Station.objects.filter(key__in=[stop.station_key for stop in train.stop_list()]).values_list("key", "code")
    )
    stops = [
        {
            "station": stop.station,
            "code": codes.get(stop.station_key),
            "arrival_time": stop.arrival_time,
            "departure_time": stop.departure_time,
            "day": (stop.arrival_day() if stop.arrival_time is not None else stop.departure_day()) + 1,
            "distance_km": stop.distance_km,
        }
        for stop in train.stop_list()
    ]
    return {"train": train, "runs_on": running_days_text(train.runs_on), "stops": stops}


def get_active_train(train_id: int) -> Train:
    train = with_route(Train.objects.active()).filter(pk=train_id).first()
    if train is None:
        raise TrainNotFound()
    return train


def fare_quote(*, train: Train, quota: str = GENERAL_QUOTA, **route) -> FareBreakdown | None:
    """Each passenger's fare for the journey `route` names (`plan_journey`'s arguments: travel
    date, stations, class) on `train` as it is now, from its stops and classes (read with it):
    what the pages show before a passenger commits. None without a fare, or when the journey
    can't be planned (the booking itself then says why)."""
    try:
        journey = plan_journey(train=train, for_booking=False, **route)
    except ApplicationError:
        return None
    return journey.fare_breakdown(quota)


# --- Timetables: the schedule half of a search ---------------------------------------------------

# How long a process keeps a train's timetable while the timetable generation and the train row's
# `updated_at` stay the same. Every change through `trains.services` (the API, the admin) moves
# both, and search reads `updated_at` with the route anyway, so this bounds only changes that
# announce themselves by neither (SQL by hand that leaves `updated_at` alone). It was 300 s when
# nothing else caught a change: every worker then read its whole timetable again every few
# minutes, a large share of search's work under a steady load (docs/performance.md, round 6).
TIMETABLE_MEMO_SECONDS = 3600


class StopTimes(NamedTuple):
    station: str
    arrival_time: time | None
    departure_time: time | None
    day_offset: int
    distance_km: int | None

    def arrival_day(self) -> int | None:
        return arrival_day(self.arrival_time, self.departure_time, self.day_offset)


# A process keeps every train's timetable, so what it keeps is made of plain tuples, strings,
# numbers and dicts of those: the garbage collector stops tracking such objects. When each stop
# was a dataclass, a full collection walked every one of them with the GIL held, a stall of every
# request in flight (docs/performance.md, round 5). Only the Timetable itself stays tracked.
class Timetable(NamedTuple):
    """One train as search needs it. `head` is the train as the API shows it up to its stops
    (`stops_json` holds those rendered, `classes` the classes after them), `stops` the times of each
    stop as `StopTimes` fields, `fare_rates` the classes' rates per km. Shared by every search a
    process answers: read it, never change it.
    """

    head: dict
    stops_json: str
    classes: tuple[dict, ...]
    stops: tuple[tuple, ...]  # StopTimes' fields: a tuple subclass would stay tracked
    runs_on_mask: int
    fare_rates: tuple[Decimal | None, ...]
    active: bool

    @property
    def train_id(self) -> int:
        return self.head["id"]

    @property
    def train_number(self) -> str:
        return self.head["train_number"]

    def runs_on(self, run_date: date) -> bool:
        return bool(self.runs_on_mask & weekday_bit(run_date.weekday()))

    def has_class(self, code: str) -> bool:
        return any(travel_class["code"] == code for travel_class in self.classes)

    def train_data(self) -> dict:
        """`train_data(train)` (the API's train), from what was rendered when the train was written:
        the stops as that JSON text (`fast_json.fragment`, for `fast_json.render`), not parsed and
        rendered again for every journey a search shows."""
        return {**self.head, "stops": fast_json.fragment(self.stops_json), "classes": self.classes}


def timetables(versions: dict[int, str], *, generation=None) -> dict[int, Timetable]:
    """{train id: its timetable} for the trains of `versions` (retired ones included, `active`
    False), which gives each train's `updated_at` as the route statement read it.

    Search needs the timetable of every train on a route for every request, and a timetable
    changes only with the train row: with `generation` (the timetable's counter in
    `trains.search_cache`, read before this) a process keeps each train's
    (`irctc.process_memory.timetables`) while the counter and
    the train's `updated_at` stay the same or, at the latest, TIMETABLE_MEMO_SECONDS pass (each
    train lapses at its own moment in the last half of that), and looks for the trains it lacks
    in the cache (stored there under the same generation and version by whichever process read
    them first), then in the database. Without it, all are read from the database.

    What is read is at least as new as the version it is kept under (it is read after the
    route), so a change that commits in between costs one more read, never a stale timetable.
    """
    if generation is None:
        return _timetables_from_database(set(versions))
    memo = process_memory.timetables.current(generation)
    clock = monotonic()
    kept_versions, expires = memo.versions, memo.expires
    found, missing = {}, {}
    for train_id, version in versions.items():
        kept = memo.values.get(train_id)
        if kept is not None and kept_versions[train_id] == version and expires[train_id] > clock:
            found[train_id] = kept
        else:
            missing[train_id] = version
    if missing:
        read = _shared_timetables(missing, generation)
        fresh = _timetables_from_database(missing.keys() - read.keys())
        _share(fresh, missing, generation)
        read.update(fresh)
        if len(memo.values) + len(read) > process_memory.TIMETABLE_LIMIT:
            memo.clear()
        memo.values.update(read)
        memo.versions.update((train_id, missing[train_id]) for train_id in read)
        # Each train's own expiry, somewhere in the last half of the bound: timetables read together
        # (a fresh worker reads most of them within a minute) would otherwise all lapse together
        # and be read again in one burst, which every search in flight waits behind.
        memo.expires.update((train_id, clock + TIMETABLE_MEMO_SECONDS * (1.0 - random() / 2)) for train_id in read)
        found.update(read)
    return found


def _shared_key(generation, train_id: int, version: str) -> str:
    # v4: the train shows `superfast` (a process running the code before reads and writes v3 keys,
    # never these; v3 began stamping them with the train's version). The version is `updated_at`
    # as text: no spaces in a cache key.
    return f"timetable-v4:{generation}:{train_id}:{version.replace(' ', 'T')}"


def _shared_timetables(versions: dict[int, str], generation) -> dict[int, Timetable]:
    """The timetables another process has already read at this generation and version (the cache
    holds them for every worker: a fresh worker would otherwise read each train from the database
    itself)."""
    try:
        found = cache.get_many([_shared_key(generation, *train) for train in versions.items()])
    except Exception:  # noqa: BLE001 - a cache that is down costs a read, never a search
        return {}
    return {timetable.train_id: timetable for timetable in found.values() if isinstance(timetable, Timetable)}


def _share(read: dict[int, Timetable], versions: dict[int, str], generation) -> None:
    if not read:
        return
    try:
        cache.set_many(
            {_shared_key(generation, train_id, versions[train_id]): timetable for train_id, timetable in read.items()},
            timeout=TIMETABLE_MEMO_SECONDS,
        )
    except Exception:  # noqa: BLE001
        pass


def _timetables_from_database(train_ids: set[int]) -> dict[int, Timetable]:
    if not train_ids:
        return {}
    database = read_connection()
    ids = sorted(train_ids)
    with database.cursor() as cursor:
        cursor.execute(statements.timetable_trains(len(ids)), ids)
        trains = cursor.fetchall()
        cursor.execute(statements.timetable_stops(database.vendor, len(ids)), ids)
        stops: dict[int, list[tuple]] = {}
        for train_id, station, arrival, departure, day_offset, distance_km in cursor.fetchall():
            stops.setdefault(train_id, []).append(
                (station, as_time(arrival), as_time(departure), day_offset, distance_km)
            )
    found = {}
    for row in trains:
        train = dict(zip(statements.TIMETABLE_TRAIN_COLUMNS, row, strict=False))
        runs_on_mask, superfast = train.pop("runs_on_mask"), train.pop("superfast")
        classes = tuple(fast_json.loads(row[-1]))  # as the API shows them (`Train.classes_json`)
        found[train["id"]] = Timetable(
            head={
                **train,
                "departure_time": clock_text(as_time(train["departure_time"])),
                "arrival_time": clock_text(as_time(train["arrival_time"])),
                "runs_on": tuple(codes_from_mask(runs_on_mask)),
                "superfast": bool(superfast),  # MariaDB's driver gives 1 or 0
            },
            stops_json=row[-2],  # as the API shows them (`Train.stops_json`)
            classes=classes,
            stops=tuple(stops.get(train["id"], ())),
            runs_on_mask=runs_on_mask,
            fare_rates=tuple(None if c["fare_per_km"] is None else Decimal(str(c["fare_per_km"])) for c in classes),
            active=bool(row[-3]),
        )
    return found


_new_tuple = tuple.__new__


class Leg(NamedTuple):
    """A train's ride between two of its stops, as the timetable gives it: no date, no seats."""

    timetable: Timetable
    from_index: int
    to_index: int
    board: StopTimes
    alight: StopTimes

    @classmethod
    def of(cls, timetable: Timetable, from_index: int, to_index: int) -> "Leg":
        # tuple.__new__ directly: a search builds a leg per train, and a NamedTuple's own __new__
        # (or a frozen dataclass's __init__) cost several times as much.
        stops = timetable.stops
        board, alight = _new_tuple(StopTimes, stops[from_index]), _new_tuple(StopTimes, stops[to_index])
        return _new_tuple(cls, (timetable, from_index, to_index, board, alight))

    @property
    def train_id(self) -> int:
        return self.timetable.train_id

    def fare_breakdowns(self, quota: str = GENERAL_QUOTA) -> list[FareBreakdown | None]:
        """A passenger's fare with its charges for this leg in `quota`, per class, in the order of
        `timetable.classes` (`Journey.fare_breakdown`, with the rates parsed once)."""
        from_km, to_km = self.board.distance_km, self.alight.distance_km
        timetable = self.timetable
        if from_km is None or to_km is None:
            return [None] * len(timetable.fare_rates)
        distance, superfast = to_km - from_km, timetable.head["superfast"]
        return [
            fare_breakdown(
                class_code=travel_class["code"],
                fare_per_km=rate,
                distance_km=distance,
                superfast=superfast,
                quota=quota,
            )
            for travel_class, rate in zip(timetable.classes, timetable.fare_rates, strict=True)
        ]


def legs_between(pairs, *, generation=None) -> list[Leg]:
    """The legs of active trains for `(train id, from index, to index, the train's updated_at as
    text)` (`StopPair` rows with their train's), by departure from the first stop, then train
    number."""
    pairs = list(pairs)
    known = timetables({train_id: version for train_id, _from, _to, version in pairs}, generation=generation)
    legs = [
        Leg.of(known[train_id], from_index, to_index)
        for train_id, from_index, to_index, _version in pairs
        if train_id in known and known[train_id].active and to_index < len(known[train_id].stops)
    ]
    legs.sort(key=lambda leg: (leg.board.departure_time, leg.timetable.train_number))
    return legs
