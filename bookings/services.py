"""Every write on runs, bookings and holds.

Each operation runs in one transaction whose first statement locks the run's row
(`_lock_run`); everything it then reads or writes about that run happens under that lock. Two
consequences matter on MariaDB:

- Lock order is always the run first, then its bookings and holds, on every path, so two
  operations can wait for each other but never deadlock.
- Connections read committed data (`isolation_level` in settings; SQLite serializes writers
  anyway), so whatever a transaction reads after taking the lock includes every write of the
  transaction that held it before, even if the caller's own transaction read earlier (the
  idempotency wrapper validates the request before the service runs).

Expired holds need no background job: every operation that allocates on a run first sweeps the
run's expired holds under the lock, and the freed seats go to the run's waitlist first, exactly
as if the hold had been released, because a waiting passenger expects them.
"""

import itertools
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError

from accounts.models import User
from bookings.models import Booking, Hold, SeatAllocation, TrainRun
from irctc.errors import Conflict, Gone
from trains import search_cache
from trains.models import Train

MAX_SEATS_PER_BOOKING = 6
PNR_ATTEMPTS = 5


class RunBusy(Conflict):
    default_code = "run_busy"
    default_detail = "This run changed while the request was being handled; try again."


class SoldOut(Conflict):
    default_code = "sold_out"
    default_detail = "Not enough free seats on this run."


class WaitlistFull(Conflict):
    default_code = "waitlist_full"
    default_detail = "The waitlist of this run is full."


class SeatsUnavailable(Conflict):
    default_code = "seats_unavailable"
    default_detail = "Some of these seats are already held or booked."


class AlreadyCancelled(Conflict):
    default_code = "already_cancelled"
    default_detail = "This booking is already cancelled."


class JourneyPast(Conflict):
    default_code = "journey_past"
    default_detail = "The journey date of this booking has passed."


class HoldExpired(Gone):
    default_code = "hold_expired"
    default_detail = "This hold has expired; its seats were released."


class HoldAlreadyConfirmed(Conflict):
    default_code = "hold_already_confirmed"
    default_detail = "This hold has already been turned into a booking."


# --- Runs and locking --------------------------------------------------------------------------


def validate_journey(*, train: Train, travel_date: date) -> None:
    """The train is bookable on `travel_date`: active, running that weekday, inside the window."""
    if not train.is_active:
        raise ValidationError({"train": ["This train is not in service."]})
    today = timezone.localdate()
    if travel_date < today:
        raise ValidationError({"travel_date": ["The travel date is in the past."]})
    if travel_date > today + timedelta(days=settings.BOOKING_WINDOW_DAYS):
        raise ValidationError(
            {"travel_date": [f"Bookings open {settings.BOOKING_WINDOW_DAYS} days before the journey."]}
        )
    if not train.runs_on_date(travel_date):
        raise ValidationError({"travel_date": [f"Train {train.train_number} does not run on {travel_date:%A}s."]})


def get_or_create_run(*, train: Train, travel_date: date) -> TrainRun:
    """The run of `train` on `travel_date`, created if this is its first use.

    Two first uses at once both miss the row and both insert; the loser gets IntegrityError from
    the unique constraint and reads the winner's row instead. Called outside any transaction, so
    that second read sees the committed row.
    """
    for _ in range(3):
        try:
            run, _created = TrainRun.objects.get_or_create(train=train, travel_date=travel_date)
            return run
        except IntegrityError:
            run = TrainRun.objects.filter(train=train, travel_date=travel_date).first()
            if run is not None:
                return run
    raise RunBusy()


def _lock_run(run_id: int) -> TrainRun:
    """Lock a run's row for the rest of the transaction, and read its train as it is now.

    This is the one place the lock is taken, and it is always taken before any booking, hold or
    seat of the run is touched: run first, then its rows, everywhere, so there is no deadlock.
    The train is read separately, without a lock: locking it here too would serialize bookings
    on every run of the train and take the train after the run, against the order train
    changes use (`lock_future_runs`).
    """
    run = TrainRun.objects.select_for_update().get(pk=run_id)
    # Whatever the caller changes on this run, cached searches of its date must not outlive it.
    search_cache.runs_changed(run.travel_date)
    run.train = Train.objects.get(pk=run.train_id)
    return run


def lock_future_runs(train: Train) -> None:
    """Lock every run of `train` from today on, for a change to the train that depends on them.

    The caller holds the train's lock; runs follow it, in id order, as everywhere. A booking in
    flight on one of them finishes first, and a booking that starts later sees the change: it
    re-reads the train under its run lock, and a brand-new run can't be inserted while the
    train row is locked (InnoDB's foreign-key check waits for it).
    """
    list(
        TrainRun.objects.select_for_update()
        .filter(train=train, travel_date__gte=timezone.localdate())
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Seats -------------------------------------------------------------------------------------


def _taken_seats(run: TrainRun) -> set[int]:
    return set(SeatAllocation.objects.filter(run=run).values_list("seat_number", flat=True))


def free_blocks(*, taken: set[int], total_seats: int) -> list[tuple[int, int]]:
    """The seats 1..total_seats not in `taken`, as ascending `(first, last)` ranges."""
    blocks, first = [], 1
    for seat in [*sorted(seat for seat in taken if 1 <= seat <= total_seats), total_seats + 1]:
        if seat > first:
            blocks.append((first, seat - 1))
        first = seat + 1
    return blocks


def choose_seats(*, taken: set[int], total_seats: int, count: int) -> list[int] | None:
    """The seats a group of `count` gets: the lowest contiguous free block, else the lowest free.

    None when fewer than `count` seats are free.
    """
    return choose_from_blocks(free_blocks(taken=taken, total_seats=total_seats), count)


def choose_from_blocks(blocks: list[tuple[int, int]], count: int) -> list[int] | None:
    """`choose_seats`, given the free seats as `free_blocks` describes them."""
    for first, last in blocks:
        if last - first + 1 >= count:
            return list(range(first, first + count))
    lowest = list(itertools.islice((seat for first, last in blocks for seat in range(first, last + 1)), count))
    return lowest if len(lowest) == count else None


@dataclass(frozen=True)
class OpenSeats:
    blocks: list[tuple[int, int]]  # free seats, as `free_blocks` gives them
    taken: int  # allocations on the run, whatever their seat number
    expired_hold_seats: int  # of those, seats of holds that have expired


def _open_seats(run: TrainRun) -> OpenSeats:
    """What `_taken_seats` tells a new allocation, in one statement that returns a few rows.

    Reading every taken seat of a busy run (up to 1,000 rows, each parsed by the pure-Python
    driver) under the run lock was the longest step of a booking. The database instead returns
    one row per gap between taken seats (each taken seat with the next one, `LEAD`, where they
    are not adjacent), after a row for "seat 0" that carries the totals. Same read, same lock.
    """
    allocation, hold = SeatAllocation._meta.db_table, Hold._meta.db_table
    sql = (
        "SELECT g.seat_number, g.next_taken, g.taken, g.expired FROM ("
        " SELECT s.seat_number, s.expired, COUNT(*) OVER () - 1 AS taken,"
        # MariaDB's LEAD takes no default: the last seat's "next" is total_seats + 1.
        "  COALESCE(LEAD(s.seat_number) OVER (ORDER BY s.seat_number), %s) AS next_taken"
        " FROM ("
        "  SELECT 0 AS seat_number,"
        f"   (SELECT COUNT(*) FROM {allocation} ea INNER JOIN {hold} eh ON eh.id = ea.hold_id"
        # `eh.run_id` too (a hold's seats are on its own run), so this ranges over the
        # run's holds in `hold_run_expires_idx` rather than scanning every hold.
        "     WHERE ea.run_id = %s AND eh.run_id = %s AND eh.expires_at <= %s) AS expired"
        f"  UNION ALL SELECT seat_number, 0 FROM {allocation} WHERE run_id = %s"
        " ) s"
        ") g WHERE g.seat_number = 0 OR g.next_taken - g.seat_number > 1 ORDER BY g.seat_number"
    )
    total_seats = run.train.total_seats
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [total_seats + 1, run.pk, run.pk, now, run.pk])
        # MariaDB returns the arithmetic columns as DECIMAL.
        rows = [tuple(map(int, row)) for row in cursor.fetchall()]
    blocks = []
    for seat, next_taken, _taken, _expired in rows:
        first, last = seat + 1, min(next_taken - 1, total_seats)
        if first <= last:
            blocks.append((first, last))
    _seat, _next, taken, expired = rows[0]
    return OpenSeats(blocks=blocks, taken=taken, expired_hold_seats=expired)


def _allocate(run: TrainRun, seat_numbers: list[int], *, booking=None, hold=None) -> list[SeatAllocation]:
    """Insert the seats' allocations; a seat someone else has is `SeatsUnavailable`.

    No savepoint of its own: every caller runs inside its service's `transaction.atomic()`,
    which this error always leaves, rolling back to that block's start (a savepoint itself
    when the idempotency wrapper's transaction encloses it), so no broken transaction is left
    for anyone to use.
    """
    try:
        return SeatAllocation.objects.bulk_create(
            SeatAllocation(run=run, seat_number=seat, booking=booking, hold=hold) for seat in seat_numbers
        )
    except IntegrityError:
        # Only reachable if something wrote this run's seats without its lock.
        raise SeatsUnavailable(
            "Another request took these seats at the same moment; try again.", seat_numbers=sorted(seat_numbers)
        ) from None


def _free_seats(allocations) -> int:
    """Delete allocations by primary key; how many seats were freed.

    A DELETE or UPDATE that scans an index range (`WHERE run_id = ...`) takes gap locks on
    MariaDB, and another run's insert into that gap then deadlocks with us. The ids are read with
    a plain read under the run lock, and only those rows are touched.
    """
    ids = list(allocations.values_list("pk", flat=True))
    if ids:
        SeatAllocation.objects.filter(pk__in=ids).delete()
    return len(ids)


def _sweep_expired_holds(run: TrainRun) -> int:
    """Free the seats of the run's expired holds; how many seats were freed."""
    return _free_seats(SeatAllocation.objects.filter(run=run, hold__isnull=False, hold__expires_at__lte=timezone.now()))


def _promote_waitlist(run: TrainRun) -> list[Booking]:
    """Confirm waitlisted bookings in the order they were made while the first in line fits.

    A smaller booking further back never overtakes a larger one at the front.
    """
    promoted = []
    taken = _taken_seats(run)
    queue = Booking.objects.filter(run=run, status=Booking.Status.WAITLISTED).order_by("created_at", "id")
    for booking in queue:
        seat_numbers = choose_seats(taken=taken, total_seats=run.train.total_seats, count=booking.seats)
        if seat_numbers is None:
            break
        _allocate(run, seat_numbers, booking=booking)
        taken.update(seat_numbers)
        booking.status = Booking.Status.CONFIRMED
        booking.save(update_fields=["status"])
        promoted.append(booking)
    return promoted


def _waitlisted_seats(run: TrainRun) -> int:
    waiting = Booking.objects.filter(run=run, status=Booking.Status.WAITLISTED)
    return waiting.aggregate(seats=Coalesce(Sum("seats"), 0))["seats"]


def _prepare_run(run: TrainRun) -> set[int]:
    """Sweep and serve the waitlist before a new allocation; the seats then taken."""
    if _sweep_expired_holds(run):
        _promote_waitlist(run)
    return _taken_seats(run)


def _prepare_run_for_count(run: TrainRun) -> OpenSeats:
    """`_prepare_run` for a caller that only needs to place a number of seats.

    The common case, no expired hold, is one statement under the lock; the sweep's own read
    and the re-read after it only happen when `_open_seats` has seen an expired hold.
    """
    seats = _open_seats(run)
    if seats.expired_hold_seats and _sweep_expired_holds(run):
        _promote_waitlist(run)
        seats = _open_seats(run)
    return seats


# --- Bookings ----------------------------------------------------------------------------------


def new_pnr() -> str:
    """A random 10-digit PNR: drawn from `secrets`, so no PNR says anything about the next one."""
    return str(10**9 + secrets.randbelow(9 * 10**9))


def _create_booking(*, user: User, run: TrainRun, status: str, seats: int, seat_numbers=None) -> Booking:
    """Insert a booking with a fresh PNR and, if given, its seats' allocations.

    Both inserts share one savepoint: a PNR collision rolls back to it and draws again, and a
    seat clash leaves it as `SeatsUnavailable` (see `_allocate`).
    """
    for _ in range(PNR_ATTEMPTS):
        try:
            with transaction.atomic():
                booking = Booking.objects.create(user=user, run=run, pnr=new_pnr(), status=status, seats=seats)
                if seat_numbers is not None:
                    # Where `selectors._with_display_data` puts them: the API shows this booking
                    # without reading it back (`selectors.new_booking_for_display`).
                    booking.seat_allocations = _allocate(run, seat_numbers, booking=booking)
                return booking
        except IntegrityError:
            continue  # a PNR collision: one in billions, draw again
    raise Conflict("Could not issue a PNR; try again.", code="pnr_busy")


def _check_seat_count(seats: int, field: str = "seats") -> None:
    if not 1 <= seats <= MAX_SEATS_PER_BOOKING:
        raise ValidationError({field: [f"Between 1 and {MAX_SEATS_PER_BOOKING} seats at a time."]})


def book_seats(*, user: User, train: Train, travel_date: date, seats: int, allow_waitlist: bool = False) -> Booking:
    """Book `seats` seats on a run: confirmed with seat numbers, waitlisted, or refused."""
    _check_seat_count(seats)
    validate_journey(train=train, travel_date=travel_date)
    run = get_or_create_run(train=train, travel_date=travel_date)
    with transaction.atomic():
        run = _lock_run(run.pk)
        # Again under the lock: the train may have been retired or rescheduled meanwhile.
        validate_journey(train=run.train, travel_date=travel_date)
        open_seats = _prepare_run_for_count(run)
        seat_numbers = choose_from_blocks(open_seats.blocks, seats)
        if seat_numbers is not None:
            return _create_booking(
                user=user, run=run, status=Booking.Status.CONFIRMED, seats=seats, seat_numbers=seat_numbers
            )
        available = run.train.total_seats - open_seats.taken
        if not allow_waitlist:
            raise SoldOut(f"Only {available} seat(s) free on this run.", available_seats=available)
        waitlisted = _waitlisted_seats(run)
        if waitlisted + seats > run.waitlist_limit:
            raise WaitlistFull(
                f"The waitlist has room for {max(0, run.waitlist_limit - waitlisted)} more seat(s).",
                available_seats=available,
                waitlist_seats_left=max(0, run.waitlist_limit - waitlisted),
            )
        return _create_booking(user=user, run=run, status=Booking.Status.WAITLISTED, seats=seats)


def _visible_booking(booking_id: int, by: User) -> Booking:
    booking = Booking.objects.visible_to(by).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound("No such booking.")
    return booking


def cancel_booking(*, booking_id: int, by: User) -> Booking:
    """Cancel a booking, free its seats and promote the run's waitlist in order."""
    run_id = _visible_booking(booking_id, by).run_id
    with transaction.atomic():
        run = _lock_run(run_id)
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.status == Booking.Status.CANCELLED:
            raise AlreadyCancelled(pnr=booking.pnr)
        if run.travel_date < timezone.localdate():
            raise JourneyPast(pnr=booking.pnr)
        _free_seats(booking.allocations.all())
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        _sweep_expired_holds(run)
        _promote_waitlist(run)
    return booking


# --- Holds -------------------------------------------------------------------------------------


def hold_seats(
    *, user: User, train: Train, travel_date: date, seat_numbers: list[int] | None = None, seats: int | None = None
) -> Hold:
    """Hold the given seats, or `seats` seats chosen as for a booking, for `HOLD_SECONDS`."""
    if (seat_numbers is None) == (seats is None):
        raise ValidationError({"seat_numbers": ["Give either seat_numbers or seats, not both."]})
    if seat_numbers is not None:
        _check_seat_count(len(seat_numbers), "seat_numbers")
        if len(set(seat_numbers)) != len(seat_numbers):
            raise ValidationError({"seat_numbers": ["A seat is listed twice."]})
        outside = [seat for seat in seat_numbers if not 1 <= seat <= train.total_seats]
        if outside:
            raise ValidationError({"seat_numbers": [f"This train has seats 1 to {train.total_seats}."]})
    else:
        _check_seat_count(seats)
    validate_journey(train=train, travel_date=travel_date)
    run = get_or_create_run(train=train, travel_date=travel_date)
    with transaction.atomic():
        run = _lock_run(run.pk)
        validate_journey(train=run.train, travel_date=travel_date)
        if seat_numbers is not None:
            clashing = sorted(set(seat_numbers) & _prepare_run(run))
            if clashing:
                raise SeatsUnavailable(
                    f"Seat(s) {', '.join(map(str, clashing))} already held or booked.", seat_numbers=clashing
                )
        else:
            open_seats = _prepare_run_for_count(run)
            seat_numbers = choose_from_blocks(open_seats.blocks, seats)
            if seat_numbers is None:
                available = run.train.total_seats - open_seats.taken
                raise SoldOut(f"Only {available} seat(s) free on this run.", available_seats=available)
        hold = Hold.objects.create(
            user=user,
            run=run,
            seat_numbers=sorted(seat_numbers),
            expires_at=timezone.now() + timedelta(seconds=settings.HOLD_SECONDS),
        )
        _allocate(run, seat_numbers, hold=hold)
    return hold


def _owned_hold(hold_id: int, by: User, *, for_update: bool = False) -> Hold:
    """The user's own hold; anyone else's, or one released meanwhile, does not exist."""
    holds = Hold.objects.select_for_update() if for_update else Hold.objects.all()
    hold = holds.filter(pk=hold_id, user=by, released_at__isnull=True).first()
    if hold is None:
        raise NotFound("No such hold.")
    return hold


def confirm_hold(*, hold_id: int, by: User) -> Booking:
    """Turn a live hold into a CONFIRMED booking of the same seats."""
    run_id = _owned_hold(hold_id, by).run_id
    with transaction.atomic():
        run = _lock_run(run_id)
        hold = _owned_hold(hold_id, by, for_update=True)
        if hold.booking_id is not None:
            raise HoldAlreadyConfirmed(booking_id=hold.booking_id)
        if hold.expires_at <= timezone.now():
            raise HoldExpired()
        booking = _create_booking(user=by, run=run, status=Booking.Status.CONFIRMED, seats=len(hold.seat_numbers))
        held = list(hold.allocations.values_list("pk", flat=True))
        SeatAllocation.objects.filter(pk__in=held).update(hold=None, booking=booking)
        hold.booking = booking
        hold.save(update_fields=["booking"])
    return booking


def release_hold(*, hold_id: int, by: User) -> None:
    """Give a hold's seats back, to the waitlist first; the hold is gone for its owner."""
    run_id = _owned_hold(hold_id, by).run_id
    with transaction.atomic():
        run = _lock_run(run_id)
        hold = _owned_hold(hold_id, by, for_update=True)
        if hold.booking_id is not None:
            raise HoldAlreadyConfirmed("This hold is now a booking; cancel the booking instead.")
        _free_seats(hold.allocations.all())
        # Kept, not deleted: deleting would cascade to allocations by `hold_id`, a range scan.
        hold.released_at = timezone.now()
        hold.save(update_fields=["released_at"])
        _sweep_expired_holds(run)
        _promote_waitlist(run)
