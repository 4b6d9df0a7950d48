"""Every write on runs, bookings and holds.

Each operation runs in one transaction whose first statement locks the run's row
(`_lock_run_of` for a new booking or hold, `_lock_run` for one that exists); everything it then
reads or writes about that run happens under that lock, in as few statements as it can, since
every booking of the run waits for them. On MariaDB a booking holds it for two round trips: the
lock with its free-seat read (`_open_seats`), then its inserts with the COMMIT
(`_insert_with_new_pnr`); everything else (the train, the journey, the rendering) is done
before or after. Two consequences matter on MariaDB:

- Lock order is always the run first, then its bookings and holds, on every path, so two
  operations can wait for each other but never deadlock.
- Connections read committed data (`isolation_level` in settings; SQLite serializes writers
  anyway), so whatever a transaction reads after taking the lock includes every write of the
  transaction that held it before, even if the caller's own transaction read earlier (the
  idempotency wrapper validates the request before the service runs).

Inventory is per run and class, and per segment of the route: a seat is given to a journey only
where it is free on every segment the journey covers (`trains.journeys.Journey.segments`), and
each (seat, segment) it takes is a row of its own, unique in the database.

Expired holds need no background job: every operation that allocates on a run first sweeps the
run's expired holds under the lock, and the freed seats go to the run's waitlists first, exactly
as if the hold had been released, because a waiting passenger expects them.
"""

import functools
import itertools
import secrets
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError

from accounts.models import User
from bookings import search_cache, selectors
from bookings.models import MAX_SEATS_PER_BOOKING, Booking, Hold, Passenger, SeatAllocation, TrainRun
from bookings.retry import retry_lock_conflicts
from bookings.seat_clash import SeatClash
from irctc.errors import Conflict, Gone
from trains.journeys import Journey, JourneyDeparted, check_bookable, plan_journey
from trains.layouts import LAYOUTS, SENIOR_AGE, SENIOR_BERTH, berth_type_of, coach_index_of
from trains.models import MAX_DAY_OFFSET, Train

PNR_ATTEMPTS = 5


class SoldOut(Conflict):
    default_code = "sold_out"
    default_detail = "Not enough free seats for this journey."


class WaitlistFull(Conflict):
    default_code = "waitlist_full"
    default_detail = "The waitlist of this class on this run is full."


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


@dataclass(frozen=True)
class PassengerRequest:
    """A traveller as a booking or hold asks for them; `berth_preference` is a type of the class."""

    name: str
    age: int
    gender: str
    berth_preference: str | None = None

    def as_dict(self, seat_number: int | None = None) -> dict:
        return {
            "name": self.name,
            "age": self.age,
            "gender": self.gender,
            "berth_preference": self.berth_preference,
            "seat_number": seat_number,
        }


# --- Runs and locking --------------------------------------------------------------------------


def _lock_run_of(journey: Journey) -> tuple[TrainRun, "OpenSeats"]:
    """Lock the journey's run for the rest of the transaction, creating it at first use, and read
    its free seats for the journey under the lock.

    The lock is the first statement: there is no lookup of the run's id before it, and on MariaDB
    the free-seat read goes to the server with it, in one round trip (`_open_seats`). A run seen
    for the first time is inserted by this transaction, which holds the new row's lock from then
    on; a concurrent first use waits for it. `run.train` is the journey's train as the caller read
    it, before the lock: the free-seat read says whether it is still current (`_prepare_run`).
    """
    # Whatever the caller changes on this run, cached searches that show it must not outlive it.
    # Said before the lock: a cache round trip it costs (`_invalidate`) is one the run's other
    # bookings don't wait for.
    _searches_of_run_change(journey.train, journey.run_date)
    run = TrainRun(train=journey.train, run_date=journey.run_date)
    seats = _open_seats(run, journey, lock=True)
    if run.pk is None:
        seats = _open_seats(run, journey, lock=True, create=True)
    return run, seats


def _lock_run(run_id: int) -> TrainRun:
    """Lock a run's row for the rest of the transaction, and read its train as it is now.

    This is, with `_lock_run_of`, where the lock is taken, and it is always taken before any
    booking, hold or seat of the run is touched: run first, then its rows, everywhere, so there
    is no deadlock. The train is read separately, without a lock: locking it here too would
    serialize bookings on every run of the train and take the train after the run, against the
    order train changes use (`lock_future_runs`).
    """
    run = TrainRun.objects.select_for_update().get(pk=run_id)
    run.train = _train_now(run.train_id)
    _searches_of_run_change(run.train, run.run_date)
    return run


def _searches_of_run_change(train: Train, run_date: date) -> None:
    """Cached searches between any two of the train's stations that show this run must not outlive
    the change the caller makes to it."""
    search_cache.run_changed(run_date, [stop.station_key for stop in train.stops.all()])


def _train_now(train_id: int) -> Train:
    return Train.objects.prefetch_related("stops", "classes").get(pk=train_id)


def lock_future_runs(train: Train) -> None:
    """Lock every run of `train` that may still carry someone, for a change to the train.

    The caller holds the train's lock; runs follow it, in id order, as everywhere. A booking in
    flight on one of them finishes first, and a booking that starts later sees the change: under
    its run lock it checks that the train row was not saved since it read it (`_prepare_run`),
    and a brand-new run can't be inserted while the train row is locked (InnoDB's foreign-key
    check waits for it; the other way round, the change waits for the booking that inserted it).
    """
    list(
        TrainRun.objects.select_for_update()
        .filter(train=train, run_date__gte=timezone.localdate() - timedelta(days=MAX_DAY_OFFSET))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _journey_under_lock(run: TrainRun, journey: Journey, route: dict | None = None) -> Journey:
    """The same journey planned again from the train as it is under the run lock (`run.train`).

    The train may have been retired, rescheduled or re-classed between the first check and the
    lock; what the booking sells is what the train is now. `route`: the journey as the request
    gave it (`plan_journey`'s arguments but the train), so that stations it left out are the
    train's first and last stops as they are now.
    """
    if route is not None:
        return plan_journey(train=run.train, **route)
    return plan_journey(
        train=run.train,
        travel_date=journey.travel_date,
        from_station=journey.from_stop.station,
        to_station=journey.to_stop.station,
        class_code=journey.class_code,
    )


# --- Seats -------------------------------------------------------------------------------------


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


def _wish(passenger: PassengerRequest) -> set[str] | None:
    """The berth types that would satisfy the passenger, or None if any seat will do."""
    if passenger.berth_preference:
        return {passenger.berth_preference}
    if passenger.age >= SENIOR_AGE:
        return {SENIOR_BERTH}
    return None


def _assign_in(pool: list[int], code: str, passengers: list[PassengerRequest]) -> tuple[int, list[int]] | None:
    """Seats from `pool` (ascending) for the passengers in order, and how many wishes they meet.

    Passengers with a wish pick first, the lowest free seat of a type they want; everyone else
    then gets the lowest block of consecutive seats left, else the lowest seats left.
    """
    if len(pool) < len(passengers):
        return None
    free = list(pool)
    seats: list[int | None] = [None] * len(passengers)
    met = 0
    for position, passenger in enumerate(passengers):
        wish = _wish(passenger)
        if wish is None:
            continue
        seat = next((seat for seat in free if berth_type_of(code, seat) in wish), None)
        if seat is not None:
            seats[position] = seat
            free.remove(seat)
            met += 1
    rest = [position for position, seat in enumerate(seats) if seat is None]
    chosen = choose_from_blocks(_blocks_of(free), len(rest))
    for position, seat in zip(rest, chosen or [], strict=False):
        seats[position] = seat
    return met, seats


def _blocks_of(seats: list[int]) -> list[tuple[int, int]]:
    """Ascending seat numbers as `(first, last)` runs of consecutive numbers."""
    blocks = []
    for seat in seats:
        if blocks and blocks[-1][1] == seat - 1:
            blocks[-1] = (blocks[-1][0], seat)
        else:
            blocks.append((seat, seat))
    return blocks


def choose_for_passengers(
    *, blocks: list[tuple[int, int]], code: str, passengers: list[PassengerRequest]
) -> list[int] | None:
    """Seats for named passengers, in their order; None when too few are free.

    Without a wish among them (no berth preference, nobody aged 60 or more) this is the group
    rule of `choose_from_blocks`. With wishes, the group stays in one coach where one coach has
    room for everyone, choosing the coach that meets most wishes (the lowest on a tie); the
    whole class is used instead only where it meets more wishes than any one coach can.
    """
    wishes = [_wish(passenger) for passenger in passengers]
    if not LAYOUTS[code].berth_types or not any(wishes):
        return choose_from_blocks(blocks, len(passengers))
    free = [seat for first, last in blocks for seat in range(first, last + 1)]
    if len(free) < len(passengers):
        return None
    wanted = sum(1 for wish in wishes if wish)
    by_coach: dict[int, list[int]] = {}
    for seat in free:
        by_coach.setdefault(coach_index_of(code, seat), []).append(seat)
    best = None
    for pool in by_coach.values():
        assigned = _assign_in(pool, code, passengers)
        if assigned is not None and (best is None or assigned[0] > best[0]):
            best = assigned
            if best[0] == wanted:
                return best[1]  # no coach can do better than every wish met
    whole_class = _assign_in(free, code, passengers)
    if best is None or whole_class[0] > best[0]:
        best = whole_class
    return best[1]


@dataclass(frozen=True)
class OpenSeats:
    blocks: list[tuple[int, int]]  # seats free for the journey, as `free_blocks` gives them
    taken: int  # seats of the class occupied on some segment of the journey
    expired_hold_seats: int  # allocations of expired holds anywhere on the run
    train_current: bool = True  # the journey's train row is as it was read (same `updated_at`)

    @property
    def free(self) -> int:
        return sum(last - first + 1 for first, last in self.blocks)


def _open_seats(run: TrainRun, journey: Journey, *, lock: bool = False, create: bool = False) -> OpenSeats:
    """The seats of the journey's class free on all its segments, in one statement of few rows.

    Reading every taken seat of a busy run (up to thousands of rows, each parsed by the
    pure-Python driver) under the run lock was the longest step of a booking. The database
    instead returns one row per gap between the seats taken on any of the journey's segments
    (each taken seat with the next one, `LEAD`, where they are not adjacent), after a row for
    "seat 0" that carries the totals. The unique key (run, class, segment, seat) makes the
    segment range an index range.

    The same row says whether the journey's train is still as it was read (its `updated_at`),
    so the booking path needs no statement of its own under the lock to know. The train row is
    read, not locked: see `_lock_run`.

    With `lock`, the run's row (by train and date; `run.pk` is set, None if there is no such run
    yet) is first locked with `SELECT ... FOR UPDATE`, which only locks that row. On MariaDB both
    statements go in one round trip: the server runs the read once the lock is granted, with a
    snapshot of its own (connections read committed data), so it sees every write of whoever
    held the lock before. Each round trip under the lock is one every booking of a busy run
    waits for, and its thread then waits for the GIL too.

    With `create` too, the run is first inserted unless it exists (`_run_insert_sql`), in the
    same round trip on MariaDB: a run's first booking costs one round trip more than the others,
    not the four of the ORM's `get_or_create` (its SELECT, then a savepoint around the INSERT).
    A train gone meanwhile (the foreign key fails) is refused as a train that doesn't exist.
    """
    total_seats = journey.train_class.seats
    segments = journey.segments
    adapt = connection.ops.adapt_datetimefield_value
    run_key = [journey.train.pk, connection.ops.adapt_datefield_value(run.run_date)]
    one_round_trip = lock and connection.vendor == "mysql"
    create_params = [*run_key, adapt(timezone.now())] if create else []
    if lock and not one_round_trip:
        with connection.cursor() as cursor:
            if create:
                _execute_run_insert(cursor, _run_insert_sql(), create_params)
            cursor.execute(_run_lock_sql(), run_key)
            _set_run_id(run, cursor.fetchall())
    run_ref = run_key if one_round_trip else [run.pk]
    params = [
        total_seats + 1,
        *run_ref,
        *run_ref,
        adapt(timezone.now()),
        *(journey.train.pk, adapt(journey.train.updated_at)),
        *run_ref,
        *(journey.class_code, segments.start, segments.stop),
    ]
    with connection.cursor() as cursor:
        if one_round_trip:
            sql = f"{_run_lock_sql()}; {_open_seats_sql(by_run_key=True)}"
            if create:
                _execute_run_insert(cursor, f"{_run_insert_sql()}; {sql}", [*create_params, *run_key, *params])
                cursor.nextset()
            else:
                cursor.execute(sql, [*run_key, *params])
            _set_run_id(run, cursor.fetchall())
            cursor.nextset()
        else:
            cursor.execute(_open_seats_sql(by_run_key=False), params)
        # MariaDB returns the arithmetic columns as DECIMAL.
        rows = [tuple(map(int, row)) for row in cursor.fetchall()]
    blocks = []
    for seat, next_taken, *_totals in rows:
        first, last = seat + 1, min(next_taken - 1, total_seats)
        if first <= last:
            blocks.append((first, last))
    _seat, _next, taken, expired, train_current = rows[0]
    return OpenSeats(blocks=blocks, taken=taken, expired_hold_seats=expired, train_current=bool(train_current))


@functools.cache
def _run_lock_sql() -> str:
    sql = f"SELECT id FROM {TrainRun._meta.db_table} WHERE train_id = %s AND run_date = %s"
    return sql + " FOR UPDATE" if connection.features.has_select_for_update else sql


@functools.cache
def _run_insert_sql() -> str:
    """Insert a run (train, date, created_at) unless it exists.

    On MariaDB a run that exists is "updated" to itself, which locks it exclusively at once: a
    plain INSERT's duplicate would take a shared lock, and two first uses upgrading theirs to
    the run lock would deadlock. A first use that finds the other's insert not yet committed
    waits for it, then finds the row.
    """
    table = TrainRun._meta.db_table
    sql = f"INSERT INTO {table} (train_id, run_date, created_at) VALUES (%s, %s, %s)"
    if connection.vendor == "mysql":
        return f"{sql} ON DUPLICATE KEY UPDATE id = id"
    return f"{sql} ON CONFLICT (train_id, run_date) DO NOTHING"


def _execute_run_insert(cursor, sql: str, params: list) -> None:
    try:
        cursor.execute(sql, params)
    except IntegrityError:
        train_id = params[0]  # the train is gone: no run of it can be made
        selectors.forget_train(train_id)
        raise _no_such_train(train_id) from None


def _no_such_train(train_id: int) -> ValidationError:
    return ValidationError({"train": [f"No train with id {train_id}."]})


def _set_run_id(run: TrainRun, rows: list[tuple]) -> None:
    run.pk = rows[0][0] if rows else None
    run._state.adding, run._state.db = run.pk is None, connection.alias


@functools.cache
def _open_seats_sql(*, by_run_key: bool) -> str:
    """`_open_seats`' statement; the run is given by id, or `by_run_key` by (train, date)."""
    allocation, hold, train = SeatAllocation._meta.db_table, Hold._meta.db_table, Train._meta.db_table
    run = f"(SELECT id FROM {TrainRun._meta.db_table} WHERE train_id = %s AND run_date = %s)" if by_run_key else "%s"
    return (
        "SELECT g.seat_number, g.next_taken, g.taken, g.expired, g.train_current FROM ("
        " SELECT s.seat_number, s.expired, s.train_current, COUNT(*) OVER () - 1 AS taken,"
        # MariaDB's LEAD takes no default: the last seat's "next" is total_seats + 1.
        "  COALESCE(LEAD(s.seat_number) OVER (ORDER BY s.seat_number), %s) AS next_taken"
        " FROM ("
        "  SELECT 0 AS seat_number,"
        f"   (SELECT COUNT(*) FROM {allocation} ea INNER JOIN {hold} eh ON eh.id = ea.hold_id"
        # `eh.run_id` too (a hold's seats are on its own run), so this ranges over the
        # run's holds in `hold_run_expires_idx` rather than scanning every hold.
        f"     WHERE ea.run_id = {run} AND eh.run_id = {run} AND eh.expires_at <= %s) AS expired,"
        f"   (SELECT COUNT(*) FROM {train} WHERE id = %s AND updated_at = %s) AS train_current"
        f"  UNION ALL SELECT DISTINCT seat_number, 0, 0 FROM {allocation}"
        f"   WHERE run_id = {run} AND class_code = %s AND segment >= %s AND segment < %s"
        " ) s"
        ") g WHERE g.seat_number = 0 OR g.next_taken - g.seat_number > 1 ORDER BY g.seat_number"
    )


def _allocate(
    run: TrainRun, code: str, segments: range, seat_numbers: list[int], *, booking=None, hold=None
) -> list[SeatAllocation]:
    """Insert a row per seat and segment; a (seat, segment) someone else has is `SeatsUnavailable`.

    No savepoint of its own: every caller runs inside its service's `transaction.atomic()`,
    which this error always leaves, rolling back to that block's start (a savepoint itself
    when the idempotency wrapper's transaction encloses it), so no broken transaction is left
    for anyone to use. Returned in seat order, first segment first.
    """
    try:
        return SeatAllocation.objects.bulk_create(
            _allocations(run, code, segments, seat_numbers, booking=booking, hold=hold)
        )
    except IntegrityError:
        # Only reachable if something wrote this run's seats without its lock.
        raise SeatClash(run_id=run.pk, seat_numbers=seat_numbers) from None


def _allocations(
    run: TrainRun, code: str, segments: range, seat_numbers: list[int], *, booking=None, hold=None
) -> list[SeatAllocation]:
    """The rows `_allocate` inserts, in its order."""
    return [
        SeatAllocation(run=run, class_code=code, segment=segment, seat_number=seat, booking=booking, hold=hold)
        for seat in sorted(seat_numbers)
        for segment in segments
    ]


def _free_seats(allocations) -> int:
    """Delete allocations by primary key; how many (seat, segment) rows were freed.

    A DELETE or UPDATE that scans an index range (`WHERE run_id = ...`) takes gap locks on
    MariaDB, and another run's insert into that gap then deadlocks with us. The ids are read with
    a plain read under the run lock, and only those rows are touched.
    """
    ids = list(allocations.values_list("pk", flat=True))
    if ids:
        SeatAllocation.objects.filter(pk__in=ids).delete()
    return len(ids)


def _sweep_expired_holds(run: TrainRun) -> int:
    """Free the seats of the run's expired holds; how many (seat, segment) rows were freed."""
    return _free_seats(SeatAllocation.objects.filter(run=run, hold__isnull=False, hold__expires_at__lte=timezone.now()))


class _Occupancy:
    """Which seats of one class of a run are taken on which segment, read once under the lock."""

    def __init__(self, run: TrainRun, code: str, seats: int):
        self.seats = seats
        self.taken: dict[int, set[int]] = {}
        rows = SeatAllocation.objects.filter(run=run, class_code=code).values_list("segment", "seat_number")
        for segment, seat in rows:
            self.taken.setdefault(segment, set()).add(seat)

    def blocks_for(self, segments: range) -> list[tuple[int, int]]:
        taken = set().union(*(self.taken.get(segment, set()) for segment in segments))
        return free_blocks(taken=taken, total_seats=self.seats)

    def take(self, segments: range, seat_numbers: list[int]) -> None:
        for segment in segments:
            self.taken.setdefault(segment, set()).update(seat_numbers)


def _promote_waitlist(run: TrainRun, code: str | None = None) -> list[Booking]:
    """Confirm waitlisted bookings of the run (of class `code`, or of every class) in order.

    A waitlisted booking is never passed by a later one whose journey overlaps any of its
    segments: once a booking can't be confirmed, its segments are closed to everyone behind it.
    A later booking on other segments only may still be confirmed first.
    """
    queue = list(
        Booking.objects.filter(run=run, status=Booking.Status.WAITLISTED)
        .prefetch_related("passengers")
        .order_by("created_at", "id")
    )
    promoted = []
    for train_class in run.train.classes.all():
        waiting = [booking for booking in queue if booking.class_code == train_class.code]
        if not waiting or code not in (None, train_class.code):
            continue
        occupancy = _Occupancy(run, train_class.code, train_class.seats)
        closed: set[int] = set()
        for booking in waiting:
            segments = booking.segments
            if closed.intersection(segments):
                closed.update(segments)
                continue
            passengers = [_request_of(passenger) for passenger in booking.passengers.all()]
            blocks = occupancy.blocks_for(segments)
            if passengers:
                seat_numbers = choose_for_passengers(blocks=blocks, code=train_class.code, passengers=passengers)
            else:
                seat_numbers = choose_from_blocks(blocks, booking.seats)
            if seat_numbers is None:
                closed.update(segments)
                continue
            _allocate(run, train_class.code, segments, seat_numbers, booking=booking)
            occupancy.take(segments, seat_numbers)
            _seat_passengers(list(booking.passengers.all()), seat_numbers)
            booking.status = Booking.Status.CONFIRMED
            booking.save(update_fields=["status"])
            promoted.append(booking)
    return promoted


def _request_of(passenger: Passenger) -> PassengerRequest:
    return PassengerRequest(
        name=passenger.name, age=passenger.age, gender=passenger.gender, berth_preference=passenger.berth_preference
    )


def _seat_passengers(passengers: list[Passenger], seat_numbers: list[int] | None) -> None:
    """Give each passenger row its seat (in order), or take the seats away (None)."""
    for position, passenger in enumerate(passengers):
        passenger.seat_number = None if seat_numbers is None else seat_numbers[position]
    if passengers:
        Passenger.objects.bulk_update(passengers, ["seat_number"])


def waitlist_limit(journey: Journey) -> int:
    """Seats that may wait in a class of a run: `WAITLIST_PERCENT`% of its seats, rounded down."""
    return max(0, journey.train_class.seats * settings.WAITLIST_PERCENT // 100)


def _waitlisted_seats(run: TrainRun, code: str) -> int:
    waiting = Booking.objects.filter(run=run, class_code=code, status=Booking.Status.WAITLISTED)
    return waiting.aggregate(seats=Coalesce(Sum("seats"), 0))["seats"]


def _prepare_run(
    run: TrainRun, journey: Journey, seats: OpenSeats, route: dict | None = None
) -> tuple[Journey, OpenSeats]:
    """The journey as the train is now and its free seats, after sweeping expired holds and
    serving the waitlists; `run` is locked (`_lock_run_of`), `seats` were read with the lock and
    `run.train` is as read before it.

    The train may have been retired, rescheduled or re-classed between that read and the lock;
    what the booking sells is what the train is now. Every change to a train, its stops or its
    classes saves the train row (`trains.services`), so the free-seat read, which also says
    whether the row is as it was read, decides: the common case, the same train and no expired
    hold, is the lock's own round trip. A changed train is read again and the journey planned
    again (which may refuse it) before anything is decided from it; the sweep's own read and the
    re-read after it only happen when `_open_seats` has seen an expired hold. `route`: see
    `_journey_under_lock`.
    """
    if seats.train_current:
        check_bookable(journey)  # same train, but the clock moved while the lock was awaited
    else:
        selectors.forget_train(run.train_id)  # a booking may have started from it (`_planned_journey`)
        try:
            run.train = _train_now(run.train_id)
        except Train.DoesNotExist:
            raise _no_such_train(run.train_id) from None
        _searches_of_run_change(run.train, run.run_date)  # its stations may be others now
        journey = _journey_under_lock(run, journey, route)
        seats = _open_seats(run, journey)
    if seats.expired_hold_seats and _sweep_expired_holds(run):
        _promote_waitlist(run)
        seats = _open_seats(run, journey)
    return journey, seats


# --- Bookings ----------------------------------------------------------------------------------


def _journey_fields(journey: Journey) -> dict:
    """What a booking or a hold records of its journey: class, stops (as indexes and names), date."""
    return {
        "class_code": journey.class_code,
        "from_index": journey.from_stop.index,
        "to_index": journey.to_stop.index,
        "from_station": journey.from_stop.station,
        "to_station": journey.to_stop.station,
        "travel_date": journey.travel_date,
    }


def new_pnr() -> str:
    """A random 10-digit PNR: drawn from `secrets`, so no PNR says anything about the next one."""
    return str(10**9 + secrets.randbelow(9 * 10**9))


def _create_booking(
    *,
    user: User,
    run: TrainRun,
    journey: Journey,
    status: str,
    seats: int,
    passengers: list[PassengerRequest],
    seat_numbers: list[int] | None = None,
    allocate: bool = True,
    last_write: bool = False,
) -> Booking:
    """Insert a booking with a fresh PNR, its passengers and, if `allocate`, its seats' allocations.

    A seat clash leaves as `SeatsUnavailable` (see `_allocate`), taking the whole transaction
    with it. Passenger i gets seat i. `allocate=False` is for seats that are already allocated
    (a hold being confirmed). `last_write`: see `_insert_with_new_pnr`.
    """
    booking = Booking(
        user=user, run=run, status=status, seats=seats, **_journey_fields(journey), fare=journey.fare(seats)
    )
    booking.passenger_list = [
        Passenger(
            booking=booking,
            position=position,
            seat_number=seat_numbers[position - 1] if seat_numbers else None,
            **asdict(passenger),
        )
        for position, passenger in enumerate(passengers, start=1)
    ]
    allocations = []
    if seat_numbers is not None and allocate:
        allocations = _allocations(run, journey.class_code, journey.segments, seat_numbers, booking=booking)
    _insert_with_new_pnr(booking, booking.passenger_list, allocations, last_write=last_write)
    if seat_numbers is not None and allocate:
        # Where `selectors._with_display_data` puts them: the API shows this booking
        # without reading it back (`selectors.new_booking_for_display`).
        booking.seat_allocations = [a for a in allocations if a.segment == journey.from_stop.index]
    return booking


def _insert_with_new_pnr(
    booking: Booking,
    passengers: list[Passenger] = (),
    allocations: list[SeatAllocation] = (),
    *,
    last_write: bool = False,
) -> None:
    """Insert `booking` under a PNR no other booking has, then its passengers and allocations.

    On MariaDB that is one round trip, unless the draw collides: the statements go together and
    the rows after the booking's name it by `LAST_INSERT_ID()` (the booking's id, since the
    server runs them in order on this connection), as hand-written SQL, since the ORM's two or
    three inserts cost a round trip and their compiling each, under the run lock. SQLite gets the
    same statements one by one.

    A collision (one in billions) must not fail the booking. A savepoint around the insert
    would cost two more round trips on every booking, under the run lock, for it; instead this
    relies on MariaDB and SQLite failing only the INSERT that broke the unique key and keeping
    the transaction, the run lock included (PostgreSQL would abort the transaction); MariaDB
    runs none of the statements after a failed one. Once the PNR is known to be taken, the
    booking draws again. Any other integrity error (say, its user deleted meanwhile) fails the
    booking; an allocation's is `SeatClash` (see `_allocate`).

    `last_write`: the caller's transaction writes nothing after these rows. Where that
    transaction is also the outermost one (no Idempotency-Key claim or test around it), MariaDB
    commits it in the same round trip, which releases the run lock there and then, instead of
    one more round trip later; the atomic block's own COMMIT, after it, finds nothing left to
    commit, and runs the on-commit hooks as usual. A statement that fails stops the batch before
    the COMMIT, so nothing is committed that the caller would roll back.
    """
    dependents = [rows for rows in (passengers, allocations) if rows]
    one_round_trip = connection.vendor == "mysql"
    commit = one_round_trip and last_write and _outermost_transaction()
    booking_id = "@booking_id" if len(dependents) > 1 else "LAST_INSERT_ID()"
    with connection.cursor() as cursor:
        for _ in range(PNR_ATTEMPTS):
            booking.pnr = new_pnr()
            sql, params = _insert_statement([booking])
            if one_round_trip and (dependents or commit):
                statements, params = [sql], list(params)
                if booking_id.startswith("@"):
                    statements.append(f"SET {booking_id} = LAST_INSERT_ID()")
                for rows in dependents:
                    rows_sql, rows_params = _insert_statement(rows, booking_id=booking_id)
                    statements.append(rows_sql)
                    params += rows_params
                if commit:
                    statements.append("COMMIT")
                sql = "; ".join(statements)
            try:
                cursor.execute(sql, params)
                break
            except IntegrityError:
                if not Booking.objects.filter(pnr=booking.pnr).exists():
                    raise
        else:
            raise Conflict("Could not issue a PNR; try again.", code="pnr_busy")
        booking.pk = cursor.lastrowid
        booking._state.adding, booking._state.db = False, connection.alias
        for rows in dependents:
            for row in rows:
                row.booking_id = booking.pk
            try:
                if one_round_trip:
                    if booking_id.startswith("@") and rows is dependents[0]:
                        cursor.nextset()  # the SET
                    cursor.nextset()
                else:
                    cursor.execute(*_insert_statement(rows))
            except IntegrityError:
                if rows is allocations:
                    # Only reachable if something wrote this run's seats without its lock.
                    raise SeatClash(
                        run_id=booking.run_id, seat_numbers=sorted({a.seat_number for a in allocations})
                    ) from None
                raise
        if commit:
            cursor.nextset()


def _outermost_transaction() -> bool:
    """The atomic block running is the connection's only one: its commit is the transaction's."""
    return len(connection.atomic_blocks) == 1 and not connection.savepoint_ids


def _insert_statement(rows: list, *, booking_id: str | None = None) -> tuple[str, list]:
    """`INSERT` of these rows of one model (every column but the id, values as `save` gives
    them), with `booking_id` (SQL) in place of each row's booking, if given."""
    fields = _insert_fields(type(rows[0]))
    placeholders, params = [], []
    for row in rows:
        values = []
        for field in fields:
            if booking_id is not None and field.attname == "booking_id":
                values.append(booking_id)
            else:
                values.append("%s")
                params.append(field.get_db_prep_save(getattr(row, field.attname), connection))
        placeholders.append(f"({', '.join(values)})")
    return f"{_insert_head(type(rows[0]))} VALUES {', '.join(placeholders)}", params


@functools.cache
def _insert_fields(model) -> list:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


@functools.cache
def _insert_head(model) -> str:
    columns = ", ".join(connection.ops.quote_name(field.column) for field in _insert_fields(model))
    return f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns})"


def _check_seat_count(seats: int, field: str = "seats") -> None:
    if not 1 <= seats <= MAX_SEATS_PER_BOOKING:
        raise ValidationError({field: [f"Between 1 and {MAX_SEATS_PER_BOOKING} seats at a time."]})


def _passenger_requests(seats: int | None, passengers: list[dict] | None, *, field: str = "seats") -> tuple[int, list]:
    """How many travel, and who: `seats` alone, `passengers` alone, or both agreeing."""
    requests = [PassengerRequest(**passenger) for passenger in passengers or []]
    if seats is None and not requests:
        raise ValidationError({field: ["Give seats (a count) or passengers."]})
    if seats is not None and requests and seats != len(requests):
        raise ValidationError({field: [f"seats is {seats} but {len(requests)} passenger(s) are listed."]})
    count = seats if seats is not None else len(requests)
    _check_seat_count(count, field if seats is not None else "passengers")
    return count, requests


def _check_preferences(journey: Journey, passengers: list[PassengerRequest]) -> None:
    types = journey.berth_types
    offered = ", ".join(dict.fromkeys(types)) or "none (no berth types in this class)"
    errors = [
        {
            "berth_preference": [
                f"{passenger.berth_preference} is not a berth type of class {journey.class_code}; choose one of {offered}."
            ]
        }
        if passenger.berth_preference and passenger.berth_preference not in types
        else {}
        for passenger in passengers
    ]
    if any(errors):
        raise ValidationError({"passengers": errors})


@retry_lock_conflicts
def book_seats(
    *,
    user: User,
    train: Train,
    travel_date: date,
    seats: int | None = None,
    passengers: list[dict] | None = None,
    from_station: str | None = None,
    to_station: str | None = None,
    class_code: str | None = None,
    allow_waitlist: bool = False,
) -> Booking:
    """Book a journey for `seats` travellers or the named `passengers`: confirmed, waitlisted or refused.

    `train` may be as an earlier request read it (`selectors.train_for_booking`): see `_planned_journey`.
    """
    count, requests = _passenger_requests(seats, passengers)
    route = dict(travel_date=travel_date, from_station=from_station, to_station=to_station, class_code=class_code)
    journey = _planned_journey(train, route, requests)
    with transaction.atomic():
        run, open_seats = _lock_run_of(journey)
        journey, open_seats = _prepare_run(run, journey, open_seats, route)
        if requests:
            seat_numbers = choose_for_passengers(blocks=open_seats.blocks, code=journey.class_code, passengers=requests)
        else:
            seat_numbers = choose_from_blocks(open_seats.blocks, count)
        common = dict(user=user, run=run, journey=journey, seats=count, passengers=requests, last_write=True)
        if seat_numbers is not None:
            return _create_booking(**common, status=Booking.Status.CONFIRMED, seat_numbers=seat_numbers)
        available = open_seats.free
        if not allow_waitlist:
            raise SoldOut(f"Only {available} seat(s) free for this journey.", available_seats=available)
        waitlisted, limit = _waitlisted_seats(run, journey.class_code), waitlist_limit(journey)
        if waitlisted + count > limit:
            raise WaitlistFull(
                f"The waitlist has room for {max(0, limit - waitlisted)} more seat(s).",
                available_seats=available,
                waitlist_seats_left=max(0, limit - waitlisted),
            )
        return _create_booking(**common, status=Booking.Status.WAITLISTED)


def _planned_journey(train: Train, route: dict, passengers: list[PassengerRequest]) -> Journey:
    """The journey `plan_journey` gives for `route`, the passengers' berth preferences checked.

    `train` may be as an earlier request read it (`selectors.train_for_booking`). A journey it
    allows is checked again under the run lock (`_prepare_run`), but a refusal must be right
    now: it is given only once the train's row says the train has not changed since, and on the
    train as it is otherwise.
    """
    try:
        journey = plan_journey(train=train, **route)
        _check_preferences(journey, passengers)
        return journey
    except (ValidationError, JourneyDeparted):
        current = selectors.current_train(train.pk)
        if current is not None and current.updated_at == train.updated_at:
            raise
    if current is None:
        raise _no_such_train(train.pk)
    journey = plan_journey(train=current, **route)
    _check_preferences(journey, passengers)
    return journey


def _visible_booking(booking_id: int, by: User) -> Booking:
    booking = Booking.objects.visible_to(by).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound("No such booking.")
    return booking


@retry_lock_conflicts
def cancel_booking(*, booking_id: int, by: User) -> Booking:
    """Cancel a booking, free its seats on its segments and promote its class's waitlist in order."""
    run_id = _visible_booking(booking_id, by).run_id
    with transaction.atomic():
        run = _lock_run(run_id)
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.status == Booking.Status.CANCELLED:
            raise AlreadyCancelled(pnr=booking.pnr)
        if booking.travel_date < timezone.localdate():
            raise JourneyPast(pnr=booking.pnr)
        _free_seats(booking.allocations.all())
        _seat_passengers(list(booking.passengers.all()), None)
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        _sweep_expired_holds(run)
        _promote_waitlist(run)
    return booking


# --- Holds -------------------------------------------------------------------------------------


@retry_lock_conflicts
def hold_seats(
    *,
    user: User,
    train: Train,
    travel_date: date,
    seat_numbers: list[int] | None = None,
    seats: int | None = None,
    passengers: list[dict] | None = None,
    from_station: str | None = None,
    to_station: str | None = None,
    class_code: str | None = None,
) -> Hold:
    """Hold the given seats, or seats chosen as for a booking, for `HOLD_SECONDS`."""
    if seat_numbers is not None:
        _check_seat_count(len(seat_numbers), "seat_numbers")
        if len(set(seat_numbers)) != len(seat_numbers):
            raise ValidationError({"seat_numbers": ["A seat is listed twice."]})
        if seats is not None:
            raise ValidationError({"seat_numbers": ["Give either seat_numbers or seats, not both."]})
        seats = len(seat_numbers)
    count, requests = _passenger_requests(seats, passengers, field="seat_numbers" if seat_numbers else "seats")
    journey = plan_journey(
        train=train, travel_date=travel_date, from_station=from_station, to_station=to_station, class_code=class_code
    )
    _check_preferences(journey, requests)
    if seat_numbers is not None:
        total = journey.train_class.seats
        if any(not 1 <= seat <= total for seat in seat_numbers):
            raise ValidationError({"seat_numbers": [f"Class {journey.class_code} has seats 1 to {total}."]})
    with transaction.atomic():
        run, open_seats = _lock_run_of(journey)
        journey, open_seats = _prepare_run(run, journey, open_seats)
        free = {seat for first, last in open_seats.blocks for seat in range(first, last + 1)}
        if seat_numbers is not None:
            clashing = sorted(set(seat_numbers) - free)
            if clashing:
                raise SeatsUnavailable(
                    f"Seat(s) {', '.join(map(str, clashing))} already held or booked for this journey.",
                    seat_numbers=clashing,
                )
        elif requests:
            seat_numbers = choose_for_passengers(blocks=open_seats.blocks, code=journey.class_code, passengers=requests)
        else:
            seat_numbers = choose_from_blocks(open_seats.blocks, count)
        if seat_numbers is None:
            raise SoldOut(f"Only {open_seats.free} seat(s) free for this journey.", available_seats=open_seats.free)
        hold = Hold.objects.create(
            user=user,
            run=run,
            **_journey_fields(journey),
            seat_numbers=sorted(seat_numbers),
            passengers=[request.as_dict(seat) for request, seat in zip(requests, seat_numbers, strict=False)],
            expires_at=timezone.now() + timedelta(seconds=settings.HOLD_SECONDS),
        )
        _allocate(run, journey.class_code, journey.segments, seat_numbers, hold=hold)
    return hold


def _owned_hold(hold_id: int, by: User, *, for_update: bool = False) -> Hold:
    """The user's own hold; anyone else's, or one released meanwhile, does not exist."""
    holds = Hold.objects.select_for_update() if for_update else Hold.objects.all()
    hold = holds.filter(pk=hold_id, user=by, released_at__isnull=True).first()
    if hold is None:
        raise NotFound("No such hold.")
    return hold


def _journey_of_hold(run: TrainRun, hold: Hold) -> Journey:
    """The held journey on the train as it is now; a route or class changed since is a conflict."""
    stops = list(run.train.stops.all())
    classes = {train_class.code: train_class for train_class in run.train.classes.all()}
    if (
        hold.to_index >= len(stops)
        or hold.class_code not in classes
        or stops[hold.from_index].station != hold.from_station
        or stops[hold.to_index].station != hold.to_station
    ):
        raise Conflict(
            "The train's route or classes changed since these seats were held; hold them again.",
            code="hold_outdated",
        )
    return Journey(
        train=run.train,
        from_stop=stops[hold.from_index],
        to_stop=stops[hold.to_index],
        train_class=classes[hold.class_code],
        run_date=run.run_date,
    )


@retry_lock_conflicts
def confirm_hold(*, hold_id: int, by: User) -> Booking:
    """Turn a live hold into a CONFIRMED booking of the same seats and passengers."""
    run_id = _owned_hold(hold_id, by).run_id
    with transaction.atomic():
        run = _lock_run(run_id)
        hold = _owned_hold(hold_id, by, for_update=True)
        if hold.booking_id is not None:
            raise HoldAlreadyConfirmed(booking_id=hold.booking_id)
        if hold.expires_at <= timezone.now():
            raise HoldExpired()
        requests = [
            PassengerRequest(**{key: value for key, value in passenger.items() if key != "seat_number"})
            for passenger in hold.passengers
        ]
        seat_numbers = [passenger["seat_number"] for passenger in hold.passengers] or hold.seat_numbers
        booking = _create_booking(
            user=by,
            run=run,
            journey=_journey_of_hold(run, hold),
            status=Booking.Status.CONFIRMED,
            seats=len(hold.seat_numbers),
            passengers=requests,
            seat_numbers=seat_numbers,
            allocate=False,
        )
        held = list(hold.allocations.values_list("pk", flat=True))
        SeatAllocation.objects.filter(pk__in=held).update(hold=None, booking=booking)
        hold.booking = booking
        hold.save(update_fields=["booking"])
    return booking


@retry_lock_conflicts
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
