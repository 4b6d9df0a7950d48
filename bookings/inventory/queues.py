"""The queues of a run's classes: RAC and the waitlists, at booking and as places come free.

Each quota of a class has its own queues, served from its own pool: `GN` an RAC queue (two
passengers per RAC berth, `trains.pools`) and a waitlist, `TQ` a waitlist only (`SS` and `LD`
sell confirmed seats only). A queue is kept in the order its passengers were booked: by booking
(`created_at`, then id), then by position on the booking. Positions count passengers.

Places come free when a passenger is cancelled, a hold released, or an expired hold swept; each
of those, under the run lock, then runs the promotion chain here (`promote_queues`) before
anyone else can take them.
"""

from django.db import IntegrityError

from bookings.errors import SeatClash, WaitlistFull
from bookings.inventory import availability, quotas
from bookings.inventory.allocation import Placement, confirmed
from bookings.inventory.seat_choice import (
    PassengerRequest,
    blocks_within,
    choose_for_passengers,
    choose_from_blocks,
    free_blocks,
)
from bookings.models import Booking, Passenger, SeatAllocation, TrainRun, rac_place_seat
from trains.journeys import Journey
from trains.pools import GENERAL_QUOTA, pools_of_class

CNF, RAC, WL = Passenger.Status.CNF, Passenger.Status.RAC, Passenger.Status.WL


# --- At booking --------------------------------------------------------------------------------


def place_passengers(
    *,
    run: TrainRun,
    journey: Journey,
    quota: str,
    count: int,
    passengers: list[PassengerRequest],
    blocks: list[tuple[int, int]],
    rac_places: tuple[int, ...],
) -> list[Placement]:
    """Where each of the `count` travellers (`passengers`, if named) of a booking goes, in the
    order given: confirmed on the pool's free seats `blocks` while they last, then RAC on the free
    `rac_places` (GN only), then the waitlist, which must have room for them (`WaitlistFull`)."""
    free = sum(last - first + 1 for first, last in blocks)
    confirming = min(count, free)
    if passengers:
        seats = choose_for_passengers(blocks=blocks, code=journey.class_code, passengers=passengers[:confirming])
    else:
        seats = choose_from_blocks(blocks, confirming)
    places = list(rac_places[: count - confirming]) if quota == GENERAL_QUOTA else []
    waitlisted = count - confirming - len(places)
    queued = availability.queue_lengths(run, journey.class_code, quota)
    if waitlisted:
        limit = availability.waitlist_limit(journey, quota)
        room = max(0, limit - queued[WL])
        if waitlisted > room:
            raise WaitlistFull(
                f"The waitlist has room for {room} more seat(s).", available_seats=free, waitlist_seats_left=room
            )
    rac_berths = pools_of_class(journey.train_class).rac_berths
    return [
        *confirmed(seats),
        *(
            Placement(RAC, seat_number=_berth_of_place(rac_berths, place), rac_place=place, position=queued[RAC] + n)
            for n, place in enumerate(places, start=1)
        ),
        *(Placement(WL, position=queued[WL] + n) for n in range(1, waitlisted + 1)),
    ]


def _berth_of_place(rac_berths: tuple[int, ...], place: int) -> int:
    """The side-lower berth RAC place `place` is on: places 1 and 2 share the first RAC berth."""
    return rac_berths[(place - 1) // 2]


# --- As places come free -----------------------------------------------------------------------


class _Occupancy:
    """Which seats and RAC places of one class of a run are taken on which segment, read once
    under the lock, and kept up to date as the chain moves passengers."""

    def __init__(self, run: TrainRun, code: str, seats: int):
        self.seats = seats
        self.taken: dict[int, set[int]] = {}
        self.rows: dict[tuple[int, int], list[int]] = {}  # (booking, seat number): allocation ids
        rows = SeatAllocation.objects.filter(run=run, class_code=code).values_list(
            "pk", "segment", "seat_number", "booking_id"
        )
        for pk, segment, seat, booking_id in rows:
            self.taken.setdefault(segment, set()).add(seat)
            self.rows.setdefault((booking_id, seat), []).append(pk)

    def blocks_for(self, segments: range, pool: tuple[int, ...] | None = None) -> list[tuple[int, int]]:
        """Seats free on every one of `segments`, within `pool` (every seat of the class if None)."""
        taken = set().union(*(self.taken.get(segment, set()) for segment in segments))
        blocks = free_blocks(taken=taken, total_seats=self.seats)
        return blocks if pool is None else blocks_within(blocks, pool)

    def free_place(self, segments: range, places: int) -> int | None:
        """The lowest of the class's `places` RAC places free on every one of `segments`."""
        taken = set().union(*(self.taken.get(segment, set()) for segment in segments))
        return next((place for place in range(1, places + 1) if rac_place_seat(place) not in taken), None)

    def take(self, segments: range, seat: int) -> None:
        for segment in segments:
            self.taken.setdefault(segment, set()).add(seat)

    def release(self, segments: range, booking_id: int, seat: int) -> list[int]:
        """Forget the booking's rows of `seat`; their ids, for the caller to delete."""
        for segment in segments:
            self.taken.get(segment, set()).discard(seat)
        return self.rows.pop((booking_id, seat), [])


class _Chain:
    """The promotion chain's moves, written at the end in a few statements: the rows freed, the
    rows taken, the passengers and bookings changed."""

    def __init__(self, run: TrainRun):
        self.run = run
        self.freed: list[int] = []
        self.taken: list[SeatAllocation] = []
        self.moved: list[Passenger] = []

    def move(self, passenger: Passenger, code: str, occupancy: _Occupancy, status: str, seat: int, place=None):
        """Move a queued passenger to a berth (`CNF`) or an RAC place (`place`, on berth `seat`)."""
        segments = passenger.booking.segments
        if passenger.status == RAC:
            self.freed += occupancy.release(segments, passenger.booking_id, rac_place_seat(passenger.rac_place))
        allocated = seat if place is None else rac_place_seat(place)
        occupancy.take(segments, allocated)
        self.taken += [
            SeatAllocation(
                run=self.run, class_code=code, segment=segment, seat_number=allocated, booking_id=passenger.booking_id
            )
            for segment in segments
        ]
        passenger.moved_from = passenger.status  # what the passenger is told they moved up from
        passenger.status, passenger.seat_number, passenger.rac_place = status, seat, place
        self.moved.append(passenger)

    def write(self, waiting: list[Passenger]) -> None:
        if not self.moved:
            return
        if self.freed:
            SeatAllocation.objects.filter(pk__in=self.freed).delete()
        try:
            SeatAllocation.objects.bulk_create(self.taken)
        except IntegrityError:
            # Only reachable if something wrote this run's seats without its lock.
            raise SeatClash(run_id=self.run.pk, seat_numbers=sorted({row.seat_number for row in self.taken})) from None
        Passenger.objects.bulk_update(self.moved, ["status", "seat_number", "rac_place"])
        statuses: dict[int, list[str]] = {}
        for passenger in waiting:
            statuses.setdefault(passenger.booking_id, [CNF]).append(passenger.status)
        bookings = {passenger.booking_id: passenger.booking for passenger in self.moved}
        changed = []
        for booking_id, booking in bookings.items():
            status = Booking.status_of(statuses[booking_id])
            if status != booking.status:
                booking.status = status
                changed.append(booking)
        if changed:
            Booking.objects.bulk_update(changed, ["status"])


def promote_queues(run: TrainRun) -> list[Passenger]:
    """Move the run's queued passengers up into the places free now; the passengers moved.

    Per class and quota, in queue order: first each RAC passenger whose journey fits a free berth
    of the pool becomes `CNF` there (their RAC place freed); then each waitlisted passenger gets a
    berth if one fits, else an RAC place if one fits (GN), else stays. Nobody is passed by a later
    passenger of their queue whose journey overlaps theirs: one who can't move closes their
    segments to everyone behind them in it (version 2's rule, per passenger), and a waitlisted one
    who gets no berth closes them to berths. A berth no RAC passenger fits may go to a waitlisted
    one, but not one that fits an RAC passenger waiting behind another. A later passenger on other
    segments only may still move first.

    Runs under the run lock, so it reads the queue and each class's allocations once and writes
    its moves in a few statements (`_Chain.write`).
    """
    waiting = list(
        Passenger.objects.filter(
            booking__run=run, booking__status__in=availability.QUEUED_BOOKINGS, status__in=[RAC, WL]
        )
        .select_related("booking")
        .order_by("booking__created_at", "booking_id", "position")
    )
    if not waiting:
        return []
    chain = _Chain(run)
    for train_class in run.train.class_list():
        in_class = [passenger for passenger in waiting if passenger.booking.class_code == train_class.code]
        if not in_class:
            continue
        occupancy = _Occupancy(run, train_class.code, train_class.seats)
        pools = pools_of_class(train_class)
        quotas_waiting = dict.fromkeys(passenger.booking.quota for passenger in in_class)
        if run.charted_at is not None:
            quotas_waiting = sorted(quotas_waiting, key=charted_queue_order)
        for quota in quotas_waiting:
            queue = [passenger for passenger in in_class if passenger.booking.quota == quota]
            pool = _pool(pools, quota, charted=run.charted_at is not None)
            places = 2 * len(pools.rac_berths) if quota == GENERAL_QUOTA else 0
            _promote_queue(chain, occupancy, train_class.code, queue, pool, pools.rac_berths, places)
    chain.write(waiting)
    return chain.moved


def charted_queue_order(quota: str) -> int:
    """After the chart the queues are served GN (its RAC, then its waitlist) before TQ."""
    return 0 if quota == GENERAL_QUOTA else 1


def _pool(pools, quota: str, *, charted: bool) -> tuple[int, ...] | None:
    """The seats a quota's queue is confirmed on (None: every seat of the class). Once the run is
    charted, every quota's unsold seats are general: the whole class but its RAC berths."""
    if charted:
        return quotas.general_after_chart(pools)
    return None if pools.plain and quota == GENERAL_QUOTA else pools.seats[quota]


def _promote_queue(chain, occupancy, code, queue, pool, rac_berths, places) -> None:
    """The chain on one quota's queue (`promote_queues`): its RAC passengers, then its waitlist."""
    closed_to_rac_queue: set[int] = set()
    # Where an RAC passenger that a berth fits waits behind another: no waitlisted one may take it.
    closed_to_berths: set[int] = set()
    for passenger in (passenger for passenger in queue if passenger.status == RAC):
        segments = passenger.booking.segments
        seat = _berth_for(passenger, occupancy, segments, pool, code)
        if closed_to_rac_queue.intersection(segments):
            if seat is not None:
                closed_to_berths.update(segments)
            closed_to_rac_queue.update(segments)
        elif seat is None:
            closed_to_rac_queue.update(segments)
        else:
            chain.move(passenger, code, occupancy, CNF, seat)
    closed_to_places: set[int] = set()
    for passenger in [passenger for passenger in queue if passenger.status == WL]:
        segments = passenger.booking.segments
        if closed_to_places.intersection(segments):
            closed_to_berths.update(segments)
            continue
        seat = (
            None if closed_to_berths.intersection(segments) else _berth_for(passenger, occupancy, segments, pool, code)
        )
        if seat is not None:
            chain.move(passenger, code, occupancy, CNF, seat)
            continue
        closed_to_berths.update(segments)
        place = occupancy.free_place(segments, places)
        if place is None:
            closed_to_places.update(segments)
        else:
            chain.move(passenger, code, occupancy, RAC, _berth_of_place(rac_berths, place), place)


def _berth_for(passenger: Passenger, occupancy: _Occupancy, segments: range, pool, code: str) -> int | None:
    """The berth the passenger would get of those free on `segments` in `pool`, by their wishes."""
    blocks = occupancy.blocks_for(segments, pool)
    if passenger.name is None:
        seats = choose_from_blocks(blocks, 1)
    else:
        request = PassengerRequest(
            name=passenger.name, age=passenger.age, gender=passenger.gender, berth_preference=passenger.berth_preference
        )
        seats = choose_for_passengers(blocks=blocks, code=code, passengers=[request])
    return seats[0] if seats else None
