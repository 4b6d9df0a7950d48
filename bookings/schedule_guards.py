"""The inventory's answer to a train change: refuse what would strand a sold seat of a future run.

`trains` announces a change with `trains.signals` (inside its transaction, the train row locked,
nothing written yet); these receivers, connected in `BookingsConfig.ready`, lock the train's
future runs (`bookings.inventory.locking.lock_future_runs`) and raise a conflict
(`bookings.errors`) when the change would take a seat, a weekday or a stretch of the route away
from a booking. Taking the run locks after the train's keeps the one lock order of the whole
system (train, then runs), and a booking in flight finishes before the check reads.

A future run is one whose origin date is at most 3 days ago (a run that left then may still be
on its way); a future booking is a CONFIRMED or WAITLISTED booking on one whose journey has not
begun (travel_date from today).
"""

from datetime import timedelta

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from bookings.errors import ClassHasBookings, RunsOnHasBookings, SeatsAlreadySold, StopsHaveBookings, TrainHasBookings
from bookings.inventory.locking import lock_future_runs
from bookings.models import RAC_PLACE_BASE, Booking, Hold, SeatAllocation, is_rac_place
from trains.models import MAX_DAY_OFFSET, WEEKDAYS, Train, normalize_station, weekday_bit
from trains.pools import Pools, pools_of

ACTIVE = [Booking.Status.CONFIRMED, Booking.Status.RAC, Booking.Status.WAITLISTED]


def _earliest_future_run_date():
    return timezone.localdate() - timedelta(days=MAX_DAY_OFFSET)


def future_bookings(train: Train) -> QuerySet[Booking]:
    return Booking.objects.filter(
        run__train=train,
        run__run_date__gte=_earliest_future_run_date(),
        travel_date__gte=timezone.localdate(),
        status__in=ACTIVE,
    )


def live_future_holds(train: Train) -> QuerySet[Hold]:
    return Hold.objects.live().filter(
        run__train=train, run__run_date__gte=_earliest_future_run_date(), travel_date__gte=timezone.localdate()
    )


def highest_seat_taken_by_class(train: Train) -> dict[str, int]:
    """{class code: the highest seat number a future booking or a live hold occupies} (RAC places
    are not seats)."""
    rows = (
        _future_allocations(train)
        .filter(seat_number__lte=RAC_PLACE_BASE)
        .order_by()
        .values("class_code")
        .annotate(highest=Max("seat_number"))
    )
    return {row["class_code"]: row["highest"] for row in rows}


def seats_taken_in(train: Train, code: str) -> set[int]:
    """The seat numbers of class `code` a future booking or a live hold occupies on some segment."""
    return set(_future_allocations(train).filter(class_code=code).values_list("seat_number", flat=True).distinct())


def _future_allocations(train: Train) -> QuerySet[SeatAllocation]:
    now, today = timezone.now(), timezone.localdate()
    return SeatAllocation.objects.filter(run__train=train, run__run_date__gte=_earliest_future_run_date()).filter(
        Q(booking__travel_date__gte=today)
        | Q(
            hold__travel_date__gte=today,
            hold__expires_at__gt=now,
            hold__booking__isnull=True,
            hold__released_at__isnull=True,
        )
    )


def classes_with_bookings(train: Train) -> set[str]:
    booked = future_bookings(train).order_by().values_list("class_code", flat=True).distinct()
    held = live_future_holds(train).order_by().values_list("class_code", flat=True).distinct()
    return set(booked) | set(held)


def weekdays_with_future_bookings(train: Train) -> set[int]:
    """The weekdays (`date.weekday()`) of the origin dates of future runs with bookings."""
    run_dates = future_bookings(train).order_by().values_list("run__run_date", flat=True).distinct()
    return {run_date.weekday() for run_date in run_dates}


def _route_shape(stops: list[dict]) -> list[tuple[str, int]]:
    """What a booking depends on: which station is stop i, and on which day the train leaves it."""
    return [(normalize_station(stop["station"]), stop["day_offset"]) for stop in stops]


def refuse_stranding_changes(
    sender, *, train, stops, classes, runs_on_mask, previous_stops, previous_classes, **kwargs
) -> None:
    seats_now = {travel_class["code"]: travel_class["seats"] for travel_class in previous_classes}
    seats_proposed = {travel_class["code"]: travel_class["seats"] for travel_class in classes}
    removed = sorted(set(seats_now) - set(seats_proposed))
    lowered = sorted(code for code, seats in seats_proposed.items() if seats < seats_now.get(code, seats))
    pools_now = {travel_class["code"]: _pools(travel_class) for travel_class in previous_classes}
    repooled = {
        code: (pools_now[code], pools)
        for code, pools in ((travel_class["code"], _pools(travel_class)) for travel_class in classes)
        if code in pools_now and pools != pools_now[code] and not (pools.plain and pools_now[code].plain)
    }
    dropped_days = train.runs_on_mask & ~runs_on_mask
    route_changed = _route_shape(stops) != _route_shape(previous_stops)
    if not (removed or lowered or repooled or dropped_days or route_changed):
        return
    lock_future_runs(train)
    if removed:
        _refuse_removing_booked_classes(train, removed)
    if lowered:
        _refuse_seats_below_sold(train, {code: seats_proposed[code] for code in lowered})
    for code, (before, after) in sorted(repooled.items()):
        _refuse_moving_sold_seats_between_pools(train, code, before, after)
    if dropped_days:
        _refuse_dropping_booked_weekdays(train, dropped_days)
    if route_changed and (future_bookings(train).exists() or live_future_holds(train).exists()):
        raise StopsHaveBookings(
            f"Train {train.train_number} has bookings on future runs: its stops can't be added, removed, "
            "reordered or moved to another day until they are cancelled (times and distances may change)."
        )


def _refuse_removing_booked_classes(train: Train, removed: list[str]) -> None:
    booked = sorted(set(removed) & classes_with_bookings(train))
    if booked:
        raise ClassHasBookings(
            f"Train {train.train_number} has bookings in {', '.join(booked)} on future runs; "
            "cancel them before removing the class.",
            classes=booked,
        )


def _refuse_seats_below_sold(train: Train, proposed_seats: dict[str, int]) -> None:
    highest = highest_seat_taken_by_class(train)
    for code, seats in proposed_seats.items():
        sold = highest.get(code, 0)
        if seats < sold:
            raise SeatsAlreadySold(
                f"Seat {sold} of {code} is sold on a future run of train {train.train_number}; "
                f"the class can't go below {sold} seats.",
                seats_sold=sold,
                **{"class": code},
            )


def _pools(travel_class: dict) -> Pools:
    return pools_of(
        travel_class["code"],
        travel_class["seats"],
        travel_class["quota_tq"],
        travel_class["quota_ss"],
        travel_class["quota_ld"],
        travel_class["rac_berths"],
    )


def _place(pools: Pools, seat: int) -> tuple[str, bool | int] | None:
    """Which pool a seat number is in, and whether it is an RAC berth; for an RAC place, the berth
    it is on; None past the class's seats or places."""
    if is_rac_place(seat):
        place = seat - RAC_PLACE_BASE
        return ("RAC", pools.rac_berths[(place - 1) // 2]) if place <= 2 * len(pools.rac_berths) else None
    return (pools.quota_of(seat), pools.is_rac(seat)) if seat <= pools.total else None


def _refuse_moving_sold_seats_between_pools(train: Train, code: str, before: Pools, after: Pools) -> None:
    """A seat sold from one pool must stay in it: a run's pools are fixed while anyone holds a seat
    of it, so a change of quotas, RAC berths or coaches that would move one is refused."""
    moved = sorted(seat for seat in seats_taken_in(train, code) if _place(before, seat) != _place(after, seat))
    if moved:
        raise SeatsAlreadySold(
            f"Seat {_seat_name(moved[0])} of {code} is sold on a future run of train {train.train_number} and "
            "this change would move it to another quota, make it an RAC berth or take its RAC berth away; "
            "cancel its booking first.",
            code="quota_seats_sold",
            seat_numbers=moved[:20],
            **{"class": code},
        )


def _seat_name(seat: int) -> str:
    return f"RAC {seat - RAC_PLACE_BASE}" if is_rac_place(seat) else str(seat)


def _refuse_dropping_booked_weekdays(train: Train, dropped_mask: int) -> None:
    dropped = sorted(day for day in weekdays_with_future_bookings(train) if dropped_mask & weekday_bit(day))
    if dropped:
        days = [WEEKDAYS[day] for day in dropped]
        raise RunsOnHasBookings(
            f"Train {train.train_number} has active bookings on future {', '.join(days)} runs; "
            "cancel them before taking those days out of runs_on.",
            weekdays=days,
        )


def refuse_retiring_a_booked_train(sender, *, train, **kwargs) -> None:
    lock_future_runs(train)
    if future_bookings(train).exists():
        raise TrainHasBookings(
            f"Train {train.train_number} has active bookings on future runs; cancel them before retiring it."
        )
