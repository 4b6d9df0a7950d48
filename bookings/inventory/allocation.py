"""Writing who sits where: allocations, booking rows with their PNR, and the run made ready.

Inventory is per run and class, and per segment of the route: a seat is given to a journey only
where it is free on every segment the journey covers (`trains.journeys.Journey.segments`), and
each (seat, segment) it takes is a row of its own, unique in the database.

Everything here runs under the run's lock (`locking`), in as few statements as it can, since
every booking of the run waits for them. On MariaDB a booking holds the lock for two round
trips: the lock with its free-seat read (`locking.lock_run_of`), then its inserts with the COMMIT
(`insert_with_new_pnr`); everything else (the train, the journey, the rendering) is done before
or after.

Expired holds need no background job: every operation that allocates on a run first sweeps the
run's expired holds under the lock (`prepare_run`), and the freed seats go to the run's waitlists
first, exactly as if the hold had been released, because a waiting passenger expects them.
"""

import secrets
from dataclasses import asdict, dataclass

from django.db import IntegrityError, connection
from django.utils import timezone

from accounts.models import User
from bookings.errors import NoSuchTrain, PnrBusy, SeatClash
from bookings.inventory import availability, locking, statements
from bookings.inventory.availability import OpenSeats
from bookings.inventory.seat_choice import PassengerRequest
from bookings.models import Booking, Passenger, SeatAllocation, TrainRun, is_rac_place, rac_place_seat
from irctc import process_memory
from trains.journeys import Journey, check_bookable, plan_journey
from trains.models import Train
from trains.pools import GENERAL_QUOTA

PNR_ATTEMPTS = 5


def prepare_run(
    run: TrainRun, journey: Journey, seats: OpenSeats, route: dict | None = None, *, on_promoted=None
) -> tuple[Journey, OpenSeats]:
    """The journey as the train is now and its free seats, after sweeping expired holds and
    serving the waitlists; `run` is locked (`locking.lock_run_of`), `seats` were read with the
    lock and `run.train` is as read before it.

    The train may have been retired, rescheduled or re-classed between that read and the lock;
    what the booking sells is what the train is now. Every change to a train, its stops or its
    classes saves the train row (`trains.services`), so the free-seat read, which also says
    whether the row is as it was read, decides: the common case, the same train and no expired
    hold, is the lock's own round trip. A changed train is read again and the journey planned
    again (which may refuse it) before anything is decided from it; the sweep's own read and the
    re-read after it only happen when the free-seat read has seen an expired hold. `route`: see
    `journey_under_lock`. `on_promoted` is given the passengers the sweep's promotions moved (the
    caller tells them: the inventory sends nothing).
    """
    if seats.train_current:
        check_bookable(journey)  # same train, but the clock moved while the lock was awaited
    else:
        # A booking may have started from the train this process keeps (`selectors.train_for_booking`).
        process_memory.kept_trains.pop(run.train_id)
        try:
            run.train = locking.train_now(run.train_id)
        except Train.DoesNotExist:
            raise NoSuchTrain(run.train_id) from None
        locking.searches_of_run_change(run.train, run.run_date)  # its stations may be others now
        journey = journey_under_lock(run, journey, route)
        seats = availability.open_seats(run, journey)
    if seats.expired_hold_seats and sweep_expired_holds(run):
        # Imported here: the waitlists are served with the allocations this module writes.
        from bookings.inventory.queues import promote_queues

        moved = promote_queues(run)
        if on_promoted is not None:
            on_promoted(moved)
        seats = availability.open_seats(run, journey)
    return journey, seats


def journey_under_lock(run: TrainRun, journey: Journey, route: dict | None = None) -> Journey:
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


def allocate(
    run: TrainRun, code: str, segments: range, seat_numbers: list[int], *, booking=None, hold=None
) -> list[SeatAllocation]:
    """Insert a row per seat and segment; a (seat, segment) someone else has is a `SeatClash`.

    No savepoint of its own: every caller runs inside its service's `transaction.atomic()`,
    which this error always leaves, rolling back to that block's start (a savepoint itself
    when the idempotency wrapper's transaction encloses it), so no broken transaction is left
    for anyone to use. Returned in seat order, first segment first.
    """
    try:
        return SeatAllocation.objects.bulk_create(
            allocation_rows(run, code, segments, seat_numbers, booking=booking, hold=hold)
        )
    except IntegrityError:
        # Only reachable if something wrote this run's seats without its lock.
        raise SeatClash(run_id=run.pk, seat_numbers=seat_numbers) from None


def allocation_rows(
    run: TrainRun, code: str, segments: range, seat_numbers: list[int], *, booking=None, hold=None
) -> list[SeatAllocation]:
    """The rows `allocate` inserts, in its order."""
    return [
        SeatAllocation(run=run, class_code=code, segment=segment, seat_number=seat, booking=booking, hold=hold)
        for seat in sorted(seat_numbers)
        for segment in segments
    ]


def free_seats(allocations) -> int:
    """Delete allocations by primary key; how many (seat, segment) rows were freed.

    A DELETE or UPDATE that scans an index range (`WHERE run_id = ...`) takes gap locks on
    MariaDB, and another run's insert into that gap then deadlocks with us. The ids are read with
    a plain read under the run lock, and only those rows are touched.
    """
    ids = list(allocations.values_list("pk", flat=True))
    if ids:
        SeatAllocation.objects.filter(pk__in=ids).delete()
    return len(ids)


def sweep_expired_holds(run: TrainRun) -> int:
    """Free the seats of the run's expired holds; how many (seat, segment) rows were freed."""
    return free_seats(SeatAllocation.objects.filter(run=run, hold__isnull=False, hold__expires_at__lte=timezone.now()))


def cancel_passengers(passengers: list[Passenger]) -> None:
    """Mark these passengers cancelled, with no seat or RAC place; their allocations are freed by
    the caller."""
    for passenger in passengers:
        passenger.status, passenger.seat_number, passenger.rac_place = Passenger.Status.CANCELLED, None, None
    if passengers:
        Passenger.objects.bulk_update(passengers, ["status", "seat_number", "rac_place"])


# --- Bookings ----------------------------------------------------------------------------------


def journey_fields(journey: Journey) -> dict:
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


@dataclass(frozen=True)
class Placement:
    """Where one passenger of a booking goes: a berth (`CNF`), an RAC place on a shared side-lower
    berth (`RAC`, `seat_number` that berth), or the waitlist (`WL`); `position`: their place in
    the RAC or waitlist queue."""

    status: str
    seat_number: int | None = None
    rac_place: int | None = None
    position: int | None = None

    @property
    def allocated_seat(self) -> int | None:
        """The seat number its allocations carry (`Passenger.allocated_seat`)."""
        if self.status == Passenger.Status.RAC:
            return rac_place_seat(self.rac_place)
        return self.seat_number


def confirmed(seat_numbers: list[int]) -> list[Placement]:
    return [Placement(Passenger.Status.CNF, seat) for seat in seat_numbers]


UNNAMED = PassengerRequest(name=None, age=None, gender=None)


def create_booking(
    *,
    user: User,
    run: TrainRun,
    journey: Journey,
    placements: list[Placement],
    passengers: list[PassengerRequest],
    quota: str = GENERAL_QUOTA,
    allocate: bool = True,
    last_write: bool = False,
    confirmation_email_due: bool = False,
) -> Booking:
    """Insert a booking with a fresh PNR, its passengers placed as `placements` say (in order;
    unnamed ones when `passengers` is empty) and, if `allocate`, their seats' and RAC places'
    allocations.

    A seat clash leaves as `SeatClash` (see `allocate`), taking the whole transaction with it.
    `allocate=False` is for seats that are already allocated (a hold being confirmed).
    `last_write`: see `insert_with_new_pnr`. `confirmation_email_due` sets the booking's outbox
    flag (`bookings.outbox`) in the same INSERT. The fare is the journey's in `quota`, for each
    traveller; the booking's status follows from its passengers' (`Booking.status_of`).
    """
    seats = len(placements)
    booking = Booking(
        user=user,
        run=run,
        status=Booking.status_of(placement.status for placement in placements),
        seats=seats,
        quota=quota,
        confirmation_email_due=confirmation_email_due,
        **journey_fields(journey),
        **Booking.fare_fields(journey.fare_breakdown(quota), seats),
    )
    booking.passenger_list = [
        Passenger(
            booking=booking,
            position=position,
            seat_number=placement.seat_number,
            booking_status=placement.status,
            booking_position=placement.position,
            status=placement.status,
            rac_place=placement.rac_place,
            **asdict(passenger),
        )
        for position, (placement, passenger) in enumerate(
            zip(placements, passengers or [UNNAMED] * seats, strict=True), start=1
        )
    ]
    allocated = [placement.allocated_seat for placement in placements if placement.allocated_seat is not None]
    allocations = []
    if allocate and allocated:
        allocations = allocation_rows(run, journey.class_code, journey.segments, allocated, booking=booking)
    insert_with_new_pnr(booking, booking.passenger_list, allocations, last_write=last_write)
    # Where `selectors._with_display_data` puts the confirmed berths: the API shows this booking
    # without reading it back (`selectors.new_booking_for_display`).
    booking.seat_allocations = [
        allocation
        for allocation in allocations
        if allocation.segment == journey.from_stop.index and not is_rac_place(allocation.seat_number)
    ]
    return booking


def insert_with_new_pnr(
    booking: Booking,
    passengers: list[Passenger] = (),
    allocations: list[SeatAllocation] = (),
    *,
    last_write: bool = False,
) -> None:
    """Insert `booking` under a PNR no other booking has, then its passengers and allocations.

    On MariaDB that is one round trip, unless the draw collides: the statements go together and
    the rows after the booking's name it by `LAST_INSERT_ID()` (the booking's id, since the
    server runs them in order on this connection), as hand-written SQL
    (`statements.booking_batch_sql`), since the ORM's two or three inserts cost a round trip and
    their compiling each, under the run lock. SQLite gets the same statements one by one.

    A collision (one in billions) must not fail the booking. A savepoint around the insert
    would cost two more round trips on every booking, under the run lock, for it; instead this
    relies on MariaDB and SQLite failing only the INSERT that broke the unique key and keeping
    the transaction, the run lock included (PostgreSQL would abort the transaction); MariaDB
    runs none of the statements after a failed one. Once the PNR is known to be taken, the
    booking draws again. Any other integrity error (say, its user deleted meanwhile) fails the
    booking; an allocation's is `SeatClash` (see `allocate`).

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
    booking_id = statements.new_booking_id_sql(dependents)
    with connection.cursor() as cursor:
        for _ in range(PNR_ATTEMPTS):
            booking.pnr = new_pnr()
            if one_round_trip and (dependents or commit):
                sql, params = statements.booking_batch_sql(booking, dependents, commit=commit)
            else:
                sql, params = statements.insert_sql([booking])
            try:
                cursor.execute(sql, params)
                break
            except IntegrityError:
                if not Booking.objects.filter(pnr=booking.pnr).exists():
                    raise
        else:
            raise PnrBusy()
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
                    cursor.execute(*statements.insert_sql(rows))
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
