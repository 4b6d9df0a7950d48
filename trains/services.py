"""Every write to a train: create, update, retire.

Each opens a transaction and locks the train row before it checks anything that bookings can
change. Lock order is train first, then its runs (the booking engine locks the run row): every
path takes them in that order, so a booking can't slip in between a check here and the write,
and MariaDB never sees the two locks taken the other way round.
"""

from datetime import time

from django.db import IntegrityError, transaction
from rest_framework import status

from bookings.selectors import (
    has_active_future_bookings,
    max_seats_sold_on_future_runs,
    weekdays_with_active_future_bookings,
)
from bookings.services import lock_future_runs
from irctc.errors import Conflict, DomainError
from trains import search_cache
from trains.models import EVERY_DAY_MASK, WEEKDAYS, Train, normalize_station, weekday_bit


class InvalidTrain(DomainError):
    """Fields that are fine one by one but not together; rendered like a validation error."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "validation_error"
    default_detail = "Invalid train."


class TrainNotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"
    default_detail = "No such train."


def _duplicate_number(train_number: str) -> Conflict:
    return Conflict(
        f"Train number {train_number} is already in use.",
        code="duplicate_train_number",
        fields={"train_number": [f"Train number {train_number} is already in use."]},
    )


def check_schedule(train: Train) -> None:
    """Rules across fields: distinct stations, and a same-day arrival after the departure."""
    errors = {}
    if normalize_station(train.source) == normalize_station(train.destination):
        errors["destination"] = ["The destination must differ from the source."]
    if train.arrival_day_offset == 0 and train.arrival_time <= train.departure_time:
        errors["arrival_time"] = [
            "A train arriving the same day (arrival_day_offset 0) must arrive after it departs; "
            "for an overnight journey set arrival_day_offset."
        ]
    if errors:
        raise InvalidTrain(next(iter(errors.values()))[0], fields=errors)


def check_seats_not_below_sold(train: Train, *, total_seats: int) -> None:
    sold = max_seats_sold_on_future_runs(train)
    if total_seats < sold:
        raise Conflict(
            f"{sold} seats are already sold on a future run of train {train.train_number}; "
            f"total_seats can't go below that.",
            code="seats_already_sold",
            seats_sold=sold,
        )


def check_no_bookings_on_dropped_days(train: Train) -> None:
    dropped = sorted(
        weekday
        for weekday in weekdays_with_active_future_bookings(train)
        if not train.runs_on_mask & weekday_bit(weekday)
    )
    if dropped:
        days = ", ".join(WEEKDAYS[weekday] for weekday in dropped)
        raise Conflict(
            f"Train {train.train_number} has active bookings on future {days} runs; "
            "cancel them before taking those days out of runs_on.",
            code="runs_on_has_bookings",
            weekdays=[WEEKDAYS[weekday] for weekday in dropped],
        )


def _lock_active_train(train_id: int) -> Train:
    train = Train.objects.select_for_update().filter(pk=train_id, is_active=True).first()
    if train is None:
        raise TrainNotFound()
    return train


def _save(train: Train, **save_kwargs) -> None:
    """Save, turning a unique-number race (the pre-check passed in both requests) into a 409."""
    try:
        with transaction.atomic():
            search_cache.timetable_changed()
            train.save(**save_kwargs)
    except IntegrityError as exc:
        if Train.objects.filter(train_number=train.train_number).exclude(pk=train.pk).exists():
            raise _duplicate_number(train.train_number) from exc
        raise


def create_train(
    *,
    train_number: str,
    name: str,
    source: str,
    destination: str,
    departure_time: time,
    arrival_time: time,
    total_seats: int,
    arrival_day_offset: int = 0,
    runs_on_mask: int = EVERY_DAY_MASK,
) -> Train:
    train = Train(
        train_number=train_number,
        name=name,
        source=source,
        destination=destination,
        departure_time=departure_time,
        arrival_time=arrival_time,
        arrival_day_offset=arrival_day_offset,
        total_seats=total_seats,
        runs_on_mask=runs_on_mask,
    )
    check_schedule(train)
    # Retired trains keep their number: past tickets still print it.
    if Train.objects.filter(train_number=train_number).exists():
        raise _duplicate_number(train_number)
    _save(train)
    return train


def update_train(*, train_id: int, **changes) -> Train:
    """Change some fields of an active train (PUT passes all of them, PATCH only some)."""
    with transaction.atomic():
        train = _lock_active_train(train_id)
        old_total_seats = train.total_seats
        old_runs_on_mask = train.runs_on_mask
        for field, value in changes.items():
            setattr(train, field, value)
        check_schedule(train)
        if "train_number" in changes and (
            Train.objects.filter(train_number=train.train_number).exclude(pk=train.pk).exists()
        ):
            raise _duplicate_number(train.train_number)
        if train.total_seats < old_total_seats or train.runs_on_mask != old_runs_on_mask:
            lock_future_runs(train)
        if train.total_seats < old_total_seats:
            check_seats_not_below_sold(train, total_seats=train.total_seats)
        if train.runs_on_mask != old_runs_on_mask:
            check_no_bookings_on_dropped_days(train)
        _save(train)
    return train


def retire_train(*, train_id: int) -> Train:
    """Take a train out of service. The row stays, because past bookings point at it."""
    with transaction.atomic():
        train = _lock_active_train(train_id)
        lock_future_runs(train)
        if has_active_future_bookings(train):
            raise Conflict(
                f"Train {train.train_number} has active bookings on future runs; cancel them before retiring it.",
                code="train_has_bookings",
            )
        train.is_active = False
        search_cache.timetable_changed()
        train.save(update_fields=["is_active", "updated_at"])
    return train
