"""Reads over the schedule: train listings and lookups.

Search and the seat map join the schedule with the inventory, so they are in `bookings.selectors`.
"""

from django.db.models import QuerySet

from trains.models import Stop, Train, normalize_station
from trains.services import TrainNotFound


def active_trains() -> QuerySet[Train]:
    return Train.objects.active().order_by("departure_time", "train_number")


def get_active_train(train_id: int) -> Train:
    train = Train.objects.active().filter(pk=train_id).first()
    if train is None:
        raise TrainNotFound()
    return train


STATION_SUGGESTIONS = 8


def stations_matching(q: str, *, limit: int = STATION_SUGGESTIONS) -> list[str]:
    """Names of the stations active trains stop at that start with `q` (any case), A to Z."""
    key = normalize_station(q)
    if not key:
        return []
    names = (
        Stop.objects.filter(station_key__startswith=key, train__is_active=True)
        .order_by("station_key")
        .values_list("station", flat=True)
        .distinct()
    )
    return list(dict.fromkeys(names))[:limit]
