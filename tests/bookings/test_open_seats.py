"""The booking path reads a journey's free seats as gaps computed by the database
(`bookings.inventory.availability.open_seats`); they must be exactly the seats left by the
allocations of its class on its segments, read one by one, and choose the same seats."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import services
from bookings.inventory import availability, seat_choice
from bookings.models import Hold, SeatAllocation
from tests.bookings.helpers import book, tomorrow
from tests.factories import make_train, make_user, route
from trains.journeys import plan_journey

pytestmark = pytest.mark.django_db


def test_gaps_read_by_the_database_match_the_taken_seats_read_one_by_one():
    rng = random.Random(2026)
    user = make_user("gaps")
    stations = ["A", "B", "C", "D", "E"]
    train = make_train(stops=route(*stations), classes=[{"code": "2A", "coaches": 1}, {"code": "1A", "coaches": 2}])
    total = {"2A": 48, "1A": 48}
    booking = services.book_seats(user=user, train=train, travel_date=tomorrow(), seats=1, class_code="2A")
    run = booking.run
    hold = Hold.objects.create(
        user=user,
        run=run,
        class_code="2A",
        from_station="A",
        to_station="E",
        to_index=4,
        travel_date=tomorrow(),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    for _ in range(80):
        SeatAllocation.objects.filter(run=run).exclude(class_code="2A", seat_number=1).delete()
        rows, expired = [], 0
        for code in total:
            # Seats above the class's seats happen when a train is shortened after selling high seats.
            for seat in rng.sample(range(2, total[code] + 6), rng.randrange(0, total[code] + 4)):
                for segment in rng.sample(range(4), rng.randrange(1, 5)):
                    is_expired = rng.random() < 0.05
                    expired += is_expired
                    rows.append(
                        SeatAllocation(
                            run=run,
                            class_code=code,
                            segment=segment,
                            seat_number=seat,
                            **({"hold": hold} if is_expired else {"booking": booking}),
                        )
                    )
        SeatAllocation.objects.bulk_create(rows)
        code = rng.choice(list(total))
        first = rng.randrange(4)
        last = rng.randrange(first + 1, 5)
        journey = plan_journey(
            train=train,
            travel_date=tomorrow(),
            from_station=stations[first],
            to_station=stations[last],
            class_code=code,
            for_booking=False,
        )
        taken = set(
            SeatAllocation.objects.filter(run=run, class_code=code, segment__gte=first, segment__lt=last).values_list(
                "seat_number", flat=True
            )
        )

        open_seats = availability.open_seats(run, journey)

        assert open_seats.blocks == seat_choice.free_blocks(taken=taken, total_seats=total[code])
        # Expired holds are counted over the whole run: the sweep frees all of them.
        assert (open_seats.taken, open_seats.expired_hold_seats) == (len(taken), expired)
        for count in range(1, 7):
            assert seat_choice.choose_from_blocks(open_seats.blocks, count) == _choose_seats_one_by_one(
                taken, total[code], count
            )


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
