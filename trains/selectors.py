"""Reads over the schedule: train listings and lookups.

Search and the seat map join the schedule with the inventory, so they are in `bookings.selectors`.
"""

from django.db.models import QuerySet

from trains.models import Train
from trains.services import TrainNotFound


def active_trains() -> QuerySet[Train]:
    return Train.objects.active().order_by("departure_time", "train_number")


def get_active_train(train_id: int) -> Train:
    train = Train.objects.active().filter(pk=train_id).first()
    if train is None:
        raise TrainNotFound()
    return train
