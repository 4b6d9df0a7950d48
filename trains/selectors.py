"""Reads over trains: listings, search and the seat map of one run."""

from datetime import date, timedelta

from django.db.models import F, QuerySet
from django.utils import timezone

from bookings.selectors import available_seats_for, seat_map
from trains.models import Train, normalize_station, weekday_bit
from trains.services import InvalidTrain, TrainNotFound


def active_trains() -> QuerySet[Train]:
    return Train.objects.active().order_by("departure_time", "train_number")


def get_active_train(train_id: int) -> Train:
    train = Train.objects.active().filter(pk=train_id).first()
    if train is None:
        raise TrainNotFound()
    return train


def search_trains(*, source: str, destination: str, travel_date: date | None = None) -> QuerySet[Train]:
    """Active trains of a route, by departure time; with `travel_date`, only those running that day.

    Equality on the normalized key columns lets the database walk `train_route_idx` (checked with
    EXPLAIN on MariaDB: `ref` on source, destination, is_active); the weekday bit is tested on the
    few rows of that one route.
    """
    trains = Train.objects.filter(
        source_key=normalize_station(source), destination_key=normalize_station(destination), is_active=True
    )
    if travel_date is not None:
        trains = trains.alias(runs_that_day=F("runs_on_mask").bitand(weekday_bit(travel_date.weekday()))).filter(
            runs_that_day__gt=0
        )
    return trains.order_by("departure_time", "train_number")


def next_run_date(train: Train, *, today: date) -> date:
    """The first date from `today` on when `train` runs (a train runs at least once a week)."""
    for days_ahead in range(7):
        candidate = today + timedelta(days=days_ahead)
        if train.runs_on_date(candidate):
            return candidate
    raise ValueError(f"Train {train.train_number} runs on no weekday.")


def with_availability(trains: list[Train], *, travel_date: date | None = None) -> list[Train]:
    """Set `travel_date` and `available_seats` on each train of a page, with one availability call.

    Without `travel_date` each train is shown on its own next run.
    """
    today = timezone.localdate()
    for train in trains:
        train.travel_date = travel_date or next_run_date(train, today=today)
    free_seats = available_seats_for([(train, train.travel_date) for train in trains])
    for train in trains:
        train.available_seats = free_seats[(train.id, train.travel_date)]
    return trains


def seat_map_for(*, train: Train, travel_date: date) -> dict:
    """`{train, travel_date, total_seats, available_seats, free_seat_numbers}` of one run."""
    if not train.runs_on_date(travel_date):
        message = (
            f"Train {train.train_number} does not run on {travel_date:%A}s; it runs on {', '.join(train.runs_on)}."
        )
        raise InvalidTrain(message, fields={"date": [message]})
    return {"train": train, "travel_date": travel_date, **seat_map(train=train, travel_date=travel_date)}
