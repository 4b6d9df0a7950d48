"""The queues of a run's classes: waitlisted bookings confirmed in order as seats come free.

Seats come free when a booking is cancelled, a hold released, or an expired hold swept; each of
those, under the run lock, then promotes the waitlists here before anyone else can take the seats.
"""

from bookings.inventory.allocation import allocate, seat_passengers
from bookings.inventory.seat_choice import (
    PassengerRequest,
    blocks_within,
    choose_for_passengers,
    choose_from_blocks,
    free_blocks,
)
from bookings.models import Booking, Passenger, SeatAllocation, TrainRun
from trains.pools import GENERAL_QUOTA, pools_of_class


class _Occupancy:
    """Which seats of one class of a run are taken on which segment, read once under the lock."""

    def __init__(self, run: TrainRun, code: str, seats: int):
        self.seats = seats
        self.taken: dict[int, set[int]] = {}
        rows = SeatAllocation.objects.filter(run=run, class_code=code).values_list("segment", "seat_number")
        for segment, seat in rows:
            self.taken.setdefault(segment, set()).add(seat)

    def blocks_for(self, segments: range, pool: tuple[int, ...] | None = None) -> list[tuple[int, int]]:
        """Seats free on every one of `segments`, within `pool` (every seat of the class if None)."""
        taken = set().union(*(self.taken.get(segment, set()) for segment in segments))
        blocks = free_blocks(taken=taken, total_seats=self.seats)
        return blocks if pool is None else blocks_within(blocks, pool)

    def take(self, segments: range, seat_numbers: list[int]) -> None:
        for segment in segments:
            self.taken.setdefault(segment, set()).update(seat_numbers)


def promote_waitlist(run: TrainRun, code: str | None = None) -> list[Booking]:
    """Confirm waitlisted bookings of the run (of class `code`, or of every class) in order.

    Each quota of a class has its own queue (GN and TQ: `bookings.inventory.quotas`), served
    from its own pool of seats. A waitlisted booking is never passed by a later one of its queue
    whose journey overlaps any of its segments: once a booking can't be confirmed, its segments
    are closed to everyone behind it. A later booking on other segments only may still be
    confirmed first.
    """
    queue = list(
        Booking.objects.filter(run=run, status=Booking.Status.WAITLISTED)
        .prefetch_related("passengers")
        .order_by("created_at", "id")
    )
    promoted = []
    for train_class in run.train.class_list():
        waiting = [booking for booking in queue if booking.class_code == train_class.code]
        if not waiting or code not in (None, train_class.code):
            continue
        occupancy = _Occupancy(run, train_class.code, train_class.seats)
        pools = pools_of_class(train_class)
        closed: dict[str, set[int]] = {}
        for booking in waiting:
            segments = booking.segments
            closed_to_queue = closed.setdefault(booking.quota, set())
            if closed_to_queue.intersection(segments):
                closed_to_queue.update(segments)
                continue
            passengers = [_request_of(passenger) for passenger in booking.passengers.all()]
            pool = None if pools.plain and booking.quota == GENERAL_QUOTA else pools.seats[booking.quota]
            blocks = occupancy.blocks_for(segments, pool)
            if passengers:
                seat_numbers = choose_for_passengers(blocks=blocks, code=train_class.code, passengers=passengers)
            else:
                seat_numbers = choose_from_blocks(blocks, booking.seats)
            if seat_numbers is None:
                closed_to_queue.update(segments)
                continue
            allocate(run, train_class.code, segments, seat_numbers, booking=booking)
            occupancy.take(segments, seat_numbers)
            seat_passengers(list(booking.passengers.all()), seat_numbers)
            booking.status = Booking.Status.CONFIRMED
            booking.save(update_fields=["status"])
            promoted.append(booking)
    return promoted


def _request_of(passenger: Passenger) -> PassengerRequest:
    return PassengerRequest(
        name=passenger.name, age=passenger.age, gender=passenger.gender, berth_preference=passenger.berth_preference
    )
