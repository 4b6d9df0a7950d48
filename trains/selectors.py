"""Reads over the schedule: train listings and lookups, and the legs of a route.

Search and the seat map join the schedule with the inventory, so they are in `bookings.selectors`;
the timetable half of a search (which trains ride from one station to another, when) is here.
"""

import functools
from dataclasses import dataclass
from datetime import date, time
from time import monotonic

from django.db.models import Count, QuerySet

from irctc import fast_json
from irctc.db_router import read_connection
from trains.journeys import as_time, fare_for
from trains.models import Stop, StopPair, Train, normalize_station, weekday_bit
from trains.services import TrainNotFound

STATIONS_LIMIT = 20


def with_route(trains: QuerySet[Train]) -> QuerySet[Train]:
    """`trains` with their stops and classes fetched in two queries for the whole page, not per train."""
    return trains.prefetch_related("stops", "classes")


def active_trains() -> QuerySet[Train]:
    return with_route(Train.objects.active().order_by("departure_time", "train_number"))


def stations_matching(q: str, limit: int = STATIONS_LIMIT) -> list[dict]:
    """`[{name, trains}]`: stations whose name contains `q` (any case), most served first.

    `trains` counts active trains calling there (a train calls at a station once); ties go by name.
    """
    served = (
        Stop.objects.filter(train__is_active=True, station_key__contains=normalize_station(q))
        .values("station_key")
        .annotate(trains=Count("train_id"))
        .order_by("-trains", "station_key")[:limit]
    )
    rows = list(served)
    names = station_spellings([row["station_key"] for row in rows])
    return [{"name": names[row["station_key"]], "trains": row["trains"]} for row in rows]


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


def get_active_train(train_id: int) -> Train:
    train = with_route(Train.objects.active()).filter(pk=train_id).first()
    if train is None:
        raise TrainNotFound()
    return train


# --- Routes: the timetable half of a search ------------------------------------------------------

# How long a process keeps a route's legs while the timetable generation stays the same. Every
# change through `trains.services` bumps the generation, so this bounds only what nothing
# announces (a timetable counter lost from the cache, SQL by hand).
ROUTE_MEMO_SECONDS = 300
ROUTE_MEMO_ROUTES = 4096


@dataclass(frozen=True, slots=True)
class Leg:
    """A train's ride between two of its stops, as the timetable gives it: no date, no seats.

    `train` is the train as search shows it (its columns, `stops` and `classes` as the API
    renders them) and is shared by every leg of the train a process keeps: read it, never change it.
    """

    train: dict
    from_index: int
    to_index: int
    from_station: str
    to_station: str
    departure_time: time
    departure_day: int  # days from the run's origin date to leaving `from_station`
    arrival_time: time
    arrival_day: int  # days from the run's origin date to reaching `to_station`
    from_km: int | None
    to_km: int | None
    fares: tuple  # per class of `train["classes"]`, in order: a passenger's fare for this leg

    @property
    def train_id(self) -> int:
        return self.train["id"]

    def runs_on(self, run_date: date) -> bool:
        return bool(self.train["runs_on_mask"] & weekday_bit(run_date.weekday()))

    def has_class(self, code: str) -> bool:
        return any(travel_class["code"] == code for travel_class in self.train["classes"])


class _TimetableMemo:
    """What one process has read of the timetable while its generation is `generation`."""

    def __init__(self, generation):
        self.generation = generation
        self.routes: dict[tuple[str, str], tuple[float, list[Leg]]] = {}
        self.trains: dict[int, dict] = {}


_memo = _TimetableMemo(None)


def route_legs(source: str, destination: str, *, generation=None) -> list[Leg]:
    """Legs of active trains calling at `source` and later at `destination`, by departure time
    from `source`, then train number.

    A route's legs change only with the timetable, while its seats change with every booking:
    search asks for the legs on every request, so with `generation` (the timetable's counter in
    `trains.search_cache`, read before this) a process keeps them until the counter moves or
    ROUTE_MEMO_SECONDS pass. Without it, they are read from the database every time.
    """
    global _memo
    key = (normalize_station(source), normalize_station(destination))
    if generation is None:
        return _legs_from_database(key, trains={})
    memo = _memo
    if memo.generation != generation:
        memo = _memo = _TimetableMemo(generation)
    found = memo.routes.get(key)
    clock = monotonic()
    if found is not None and found[0] > clock:
        return found[1]
    legs = _legs_from_database(key, trains=memo.trains)
    if len(memo.routes) >= ROUTE_MEMO_ROUTES:
        memo.routes.clear()
        memo.trains.clear()
    memo.routes[key] = (clock + ROUTE_MEMO_SECONDS, legs)
    return legs


_LEG_COLUMNS = (
    "id",
    "train_number",
    "name",
    "source",
    "destination",
    "departure_time",
    "arrival_time",
    "arrival_day_offset",
    "total_seats",
    "runs_on_mask",
    "stops_json",
    "classes_json",
    "from_index",
    "from_station",
    "from_departure",
    "from_day",
    "from_km",
    "to_index",
    "to_station",
    "to_arrival",
    "to_departure",
    "to_day",
    "to_km",
)


@functools.cache
def _legs_sql(index_column: str) -> str:
    return (
        "SELECT t.id, t.train_number, t.name, t.source, t.destination, t.departure_time, t.arrival_time,"
        " t.arrival_day_offset, t.total_seats, t.runs_on_mask, t.stops_json, t.classes_json,"
        " a.{index}, a.station, a.departure_time, a.day_offset, a.distance_km,"
        " b.{index}, b.station, b.arrival_time, b.departure_time, b.day_offset, b.distance_km"
        f" FROM {StopPair._meta.db_table} sp"
        f" INNER JOIN {Stop._meta.db_table} a ON a.train_id = sp.train_id AND a.{{index}} = sp.from_index"
        f" INNER JOIN {Stop._meta.db_table} b ON b.train_id = sp.train_id AND b.{{index}} = sp.to_index"
        f" INNER JOIN {Train._meta.db_table} t ON t.id = sp.train_id"
        " WHERE sp.from_key = %s AND sp.to_key = %s AND t.is_active = %s"
    ).replace("{index}", index_column)


def _legs_from_database(key: tuple[str, str], *, trains: dict[int, dict]) -> list[Leg]:
    """One statement: the trains with stops at both stations in that order are one range of
    `StopPair`'s unique key; their two stops and the train are looked up by key."""
    database = read_connection()
    with database.cursor() as cursor:
        cursor.execute(_legs_sql(database.ops.quote_name("index")), [*key, True])
        rows = [dict(zip(_LEG_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    legs = []
    for row in rows:
        train = trains.get(row["id"])
        if train is None:
            train = trains[row["id"]] = _train_as_searched(row)
        departure, arrival = as_time(row["from_departure"]), as_time(row["to_arrival"])
        to_departure = as_time(row["to_departure"])
        arrival_day = row["to_day"]
        if to_departure is not None and arrival > to_departure:
            arrival_day -= 1  # reached the day before it is left
        legs.append(
            Leg(
                train=train,
                from_index=row["from_index"],
                to_index=row["to_index"],
                from_station=row["from_station"],
                to_station=row["to_station"],
                departure_time=departure,
                departure_day=row["from_day"],
                arrival_time=arrival,
                arrival_day=arrival_day,
                from_km=row["from_km"],
                to_km=row["to_km"],
                fares=tuple(
                    fare_for(fare_per_km=option["fare_per_km"], from_km=row["from_km"], to_km=row["to_km"])
                    for option in train["classes"]
                ),
            )
        )
    legs.sort(key=lambda leg: (leg.departure_time, leg.train["train_number"]))
    return legs


def _train_as_searched(row: dict) -> dict:
    return {
        "id": row["id"],
        "train_number": row["train_number"],
        "name": row["name"],
        "source": row["source"],
        "destination": row["destination"],
        "departure_time": as_time(row["departure_time"]),
        "arrival_time": as_time(row["arrival_time"]),
        "arrival_day_offset": row["arrival_day_offset"],
        "total_seats": row["total_seats"],
        "runs_on_mask": row["runs_on_mask"],
        "stops": fast_json.loads(row["stops_json"]),  # as the API shows them (`Train.stops_json`)
        "classes": fast_json.loads(row["classes_json"]),  # likewise (`Train.classes_json`)
    }
