"""The booking path reads a run's free seats as gaps computed by the database (`_open_seats`);
they must be exactly the seats `_taken_seats` leaves, and choose the same seats."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import Hold, SeatAllocation
from tests.bookings.helpers import book, tomorrow
from tests.factories import make_train, make_user

pytestmark = pytest.mark.django_db


def test_gaps_read_by_the_database_match_the_taken_seats_read_one_by_one():
    rng = random.Random(2026)
    user = make_user("gaps")
    train = make_train(total_seats=40)
    booking = book(user, train)
    run = booking.run
    run.train = train
    hold = Hold.objects.create(user=user, run=run, expires_at=timezone.now() - timedelta(seconds=1))
    for _ in range(60):
        SeatAllocation.objects.filter(run=run).exclude(seat_number=1).delete()
        # Seats above total_seats happen when a train is shortened after selling high seats.
        seats = rng.sample(range(2, 46), rng.randrange(0, 44))
        expired = seats[: rng.randrange(0, 3)]
        SeatAllocation.objects.bulk_create(
            SeatAllocation(run=run, seat_number=seat, **({"hold": hold} if seat in expired else {"booking": booking}))
            for seat in seats
        )
        taken = services._taken_seats(run)

        open_seats = services._open_seats(run)

        assert open_seats.blocks == services.free_blocks(taken=taken, total_seats=40)
        assert (open_seats.taken, open_seats.expired_hold_seats) == (len(taken), len(expired))
        for count in range(1, 7):
            assert services.choose_from_blocks(open_seats.blocks, count) == _choose_seats_one_by_one(taken, 40, count)


def _choose_seats_one_by_one(taken, total_seats, count):
    """The rule as first written: lowest contiguous block of free seats, else the lowest free."""
    free = [seat for seat in range(1, total_seats + 1) if seat not in taken]
    if len(free) < count:
        return None
    for start in range(len(free) - count + 1):
        if free[start + count - 1] - free[start] == count - 1:
            return free[start : start + count]
    return free[:count]


def test_an_expired_hold_is_swept_before_seats_are_chosen(user):
    train = make_train(total_seats=2)
    hold = services.hold_seats(user=user, train=train, travel_date=tomorrow(), seats=2)
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    booking = book(make_user("late"), train, 2)

    assert sorted(booking.allocations.values_list("seat_number", flat=True)) == [1, 2]
    assert not SeatAllocation.objects.filter(hold=hold).exists()
