"""What is free on a run: computed from its allocations when asked, never kept as a counter.

A seat of a class is free for a journey when no allocation takes it on any of the journey's
segments; an expired hold's allocations still count until a write sweeps them (every write on
the run does, under its lock, before it decides: `allocation.prepare_run`), and `expired_hold_seats`
says whether there are any. As pretix's quotas: availability is read from the rows that occupy
seats, so there is nothing that could drift from them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from bookings.inventory import statements
from bookings.models import RAC_PLACE_BASE, Booking, Passenger, TrainRun, rac_place_seat
from trains.journeys import Journey
from trains.pools import GENERAL_QUOTA, Pools, pools_of_class


@dataclass(frozen=True)
class OpenSeats:
    blocks: list[tuple[int, int]]  # seats free for the journey, as `seat_choice.free_blocks` gives them
    taken: int  # seats and RAC places of the class occupied on some segment of the journey
    expired_hold_seats: int  # allocations of expired holds anywhere on the run
    train_current: bool = True  # the journey's train row is as it was read (same `updated_at`)
    rac_places: tuple[int, ...] = ()  # the class's RAC places (1, 2, ...) free for the journey

    @property
    def free(self) -> int:
        return sum(last - first + 1 for first, last in self.blocks)


def open_seats(run: TrainRun, journey: Journey) -> OpenSeats:
    """The seats of the journey's class free on all its segments, read on the run `run.pk`, in
    one statement of few rows (`statements.open_seats_sql`). The caller holds the run's lock;
    the first read after taking it goes with the lock (`locking.lock_run_of`)."""
    with connection.cursor() as cursor:
        cursor.execute(statements.open_seats_sql(by_run_key=False), open_seats_params([run.pk], journey))
        return open_seats_of(cursor.fetchall(), journey)


def open_seats_params(run_ref: list, journey: Journey) -> list:
    """The parameters of `statements.open_seats_sql` for the journey, the run given by `run_ref`:
    `[run id]`, or `[train id, run date]` for the statement `by_run_key`."""
    adapt = connection.ops.adapt_datetimefield_value
    segments = journey.segments
    return [
        _highest_number(journey) + 1,
        *run_ref,
        *run_ref,
        adapt(timezone.now()),
        *(journey.train.pk, adapt(journey.train.updated_at)),
        *run_ref,
        *(journey.class_code, segments.start, segments.stop),
    ]


def _highest_number(journey: Journey) -> int:
    """The highest seat number the class allocates: its last RAC place, else its last seat."""
    places = 2 * journey.train_class.rac_berths
    return rac_place_seat(places) if places else journey.train_class.seats


def open_seats_of(rows: list[tuple], journey: Journey) -> OpenSeats:
    """`OpenSeats` from the rows of `statements.open_seats_sql`: each row a gap between taken
    numbers, whose seats and RAC places are told apart here."""
    # MariaDB returns the arithmetic columns as DECIMAL.
    rows = [tuple(map(int, row)) for row in rows]
    total_seats, places = journey.train_class.seats, 2 * journey.train_class.rac_berths
    blocks, rac_places = [], []
    for seat, next_taken, *_totals in rows:
        first, last = seat + 1, min(next_taken - 1, total_seats)
        if first <= last:
            blocks.append((first, last))
        if places:
            first, last = max(seat + 1, rac_place_seat(1)), min(next_taken - 1, rac_place_seat(places))
            rac_places += range(first - RAC_PLACE_BASE, last - RAC_PLACE_BASE + 1)
    _seat, _next, taken, expired, train_current = rows[0]
    return OpenSeats(
        blocks=blocks,
        taken=taken,
        expired_hold_seats=expired,
        train_current=bool(train_current),
        rac_places=tuple(rac_places),
    )


def waitlist_limit(journey: Journey, quota: str = GENERAL_QUOTA) -> int:
    """`waitlist_limit_of` the journey's class."""
    return waitlist_limit_of(pools_of_class(journey.train_class), quota)


def waitlist_limit_of(pools: Pools, quota: str) -> int:
    """Travellers that may wait for a quota of a class on a run: `WAITLIST_PERCENT`% of the
    quota's seats (of the class's, for a class that sets nothing aside), rounded down."""
    seats = pools.total if pools.plain else len(pools.seats[quota])
    return max(0, seats * settings.WAITLIST_PERCENT // 100)


def queue_lengths(run: TrainRun, code: str, quota: str = GENERAL_QUOTA) -> dict[str, int]:
    """`{RAC: passengers, WL: passengers}` in the queues of a quota of a class on a run."""
    lengths = dict.fromkeys((Passenger.Status.RAC, Passenger.Status.WL), 0)
    rows = (
        Passenger.objects.filter(
            booking__run=run,
            booking__class_code=code,
            booking__quota=quota,
            booking__status__in=QUEUED_BOOKINGS,
            status__in=list(lengths),
        )
        .order_by()
        .values_list("status")
        .annotate(passengers=Count("id"))
    )
    lengths.update(rows)
    return lengths


# A booking with a passenger RAC or waitlisted is itself RAC or waitlisted (`Booking.status_of`):
# a queue is read from these bookings' rows of `booking_run_queue_idx`.
QUEUED_BOOKINGS = [Booking.Status.RAC, Booking.Status.WAITLISTED]
