"""Reads over the schedule: train listings and lookups.

Search and the seat map join the schedule with the inventory, so they are in `bookings.selectors`.
"""

from django.db.models import Count, QuerySet

from trains.models import Stop, Train, normalize_station
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
