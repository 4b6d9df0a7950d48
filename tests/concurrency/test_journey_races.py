"""Real threads booking journeys between intermediate stops of one run, against MariaDB.

A seat is sold per segment: the end state read back from the database must show no (seat,
segment) in two confirmed bookings, every confirmed booking on all of its segments, and no
request refused while a seat was free for its journey.
"""

import random
from collections import Counter, defaultdict

import pytest
from django.db import IntegrityError

from bookings import services
from bookings.errors import SoldOut
from bookings.inventory import availability, locking
from bookings.models import Booking, SeatAllocation, TrainRun
from tests.concurrency.test_booking_races import ON_MARIADB, make_users, race, tomorrow
from tests.factories import make_train, route

pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.skipif(not ON_MARIADB, reason="needs DB_ENGINE=mysql: real row locks"),
    pytest.mark.django_db(transaction=True),
]


def _booker(user, train, from_station, to_station, seats=1):
    def book():
        return services.book_seats(
            user=user,
            train=train,
            travel_date=tomorrow(),
            from_station=from_station,
            to_station=to_station,
            seats=seats,
        ).status

    return book


def _places_of_confirmed_bookings(train) -> dict[tuple[int, int], list[int]]:
    """(segment, seat) -> ids of the confirmed bookings holding it, and a check that each holds all its own."""
    places = defaultdict(list)
    for booking in Booking.objects.filter(run__train=train, status=Booking.Status.CONFIRMED).prefetch_related(
        "allocations"
    ):
        rows = [(allocation.segment, allocation.seat_number) for allocation in booking.allocations.all()]
        seats = sorted({seat for _segment, seat in rows})
        assert len(seats) == booking.seats, booking
        assert sorted(rows) == sorted((segment, seat) for segment in booking.segments for seat in seats), booking
        for place in rows:
            places[place].append(booking.pk)
    return places


def _free_on_every_segment(train, first: int, last: int, total: int) -> int:
    taken = set(
        SeatAllocation.objects.filter(run__train=train, segment__gte=first, segment__lt=last).values_list(
            "seat_number", flat=True
        )
    )
    return total - len(taken)


def _assert_ten_and_ten_then_sold_out(train):
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED, from_station="A", to_station="B").count() == 10
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED, from_station="B", to_station="C").count() == 10
    assert not Booking.objects.filter(from_station="A", to_station="C").exists()
    places = _places_of_confirmed_bookings(train)
    # Every seat sold twice over, once per segment, each to one booking.
    assert sorted(places) == [(segment, seat) for segment in (0, 1) for seat in range(1, 11)]
    assert all(len(owners) == 1 for owners in places.values())


def test_ten_a_to_b_and_ten_b_to_c_fill_ten_seats_and_a_through_journey_is_sold_out():
    train = make_train(stops=route("A", "B", "C"), total_seats=10)
    users = make_users(30)
    outcomes = [_booker(users[i], train, "A", "B")() for i in range(10)]
    outcomes += [_booker(users[10 + i], train, "B", "C")() for i in range(10)]

    with pytest.raises(SoldOut) as refusal:
        _booker(users[20], train, "A", "C")()

    assert outcomes == ["CONFIRMED"] * 20
    assert refusal.value.extra["available_seats"] == 0
    _assert_ten_and_ten_then_sold_out(train)


def test_the_same_journeys_fired_at_once_end_the_same():
    train = make_train(stops=route("A", "B", "C"), total_seats=10)
    users = make_users(30)
    tasks = [_booker(users[i], train, "A", "B") for i in range(10)]
    tasks += [_booker(users[10 + i], train, "B", "C") for i in range(10)]
    random.Random(11).shuffle(tasks)

    outcomes = race(tasks, threads=32)
    through = race([_booker(users[20], train, "A", "C")], threads=1)

    assert Counter(map(str, outcomes)) == {"CONFIRMED": 20}
    assert through == ["sold_out"]
    _assert_ten_and_ten_then_sold_out(train)


def test_thirty_overlapping_journeys_at_once_sell_each_seat_once_per_segment():
    """10 A->B, 10 B->C and 10 A->C at once: who wins depends on timing, but never a seat twice."""
    train = make_train(stops=route("A", "B", "C"), total_seats=10)
    users = make_users(30)
    journeys = [("A", "B")] * 10 + [("B", "C")] * 10 + [("A", "C")] * 10
    random.Random(30).shuffle(journeys)

    outcomes = race([_booker(users[i], train, *journey) for i, journey in enumerate(journeys)], threads=32)

    assert set(map(str, outcomes)) <= {"CONFIRMED", "sold_out"}, Counter(map(str, outcomes))
    confirmed = Counter(journey for journey, outcome in zip(journeys, outcomes, strict=True) if outcome == "CONFIRMED")
    through = confirmed[("A", "C")]
    # Both segments end full: each through booking took a seat from one A->B and one B->C.
    assert confirmed[("A", "B")] == confirmed[("B", "C")] == 10 - through
    places = _places_of_confirmed_bookings(train)
    assert sorted(places) == [(segment, seat) for segment in (0, 1) for seat in range(1, 11)]
    assert all(len(owners) == 1 for owners in places.values())
    assert Booking.objects.count() == sum(confirmed.values())


STATIONS = ["A", "B", "C", "D", "E", "F"]


def _race_random_journeys(train, count: int = 200):
    """`count` random journeys of 1..3 seats on `train`, at once: the requests and their outcomes."""
    users = make_users(40)
    chance = random.Random(count)
    requests = []
    for _ in range(count):
        first = chance.randrange(len(STATIONS) - 1)
        last = chance.randrange(first + 1, len(STATIONS))
        requests.append((first, last, chance.randint(1, 3)))
    outcomes = race(
        [
            _booker(users[i % len(users)], train, STATIONS[first], STATIONS[last], seats)
            for i, (first, last, seats) in enumerate(requests)
        ],
        threads=32,
    )
    return requests, outcomes


def _assert_no_seat_sold_twice_on_a_segment(train, total):
    places = _places_of_confirmed_bookings(train)
    doubled = {place: owners for place, owners in places.items() if len(owners) > 1}
    assert not doubled, f"(segment, seat) sold twice: {doubled}"
    assert all(1 <= seat <= total for _segment, seat in places)


def test_200_random_journeys_at_once_never_share_a_seat_on_a_segment():
    total = 20
    train = make_train(stops=route(*STATIONS), total_seats=total)

    requests, outcomes = _race_random_journeys(train)

    counts = Counter(map(str, outcomes))
    assert set(counts) <= {"CONFIRMED", "sold_out"}, counts
    _assert_no_seat_sold_twice_on_a_segment(train, total)
    # Seats are only ever taken here, so a seat free at the end was free when any request was refused.
    wrongly_refused = [
        (STATIONS[first], STATIONS[last], seats, _free_on_every_segment(train, first, last, total))
        for (first, last, seats), outcome in zip(requests, outcomes, strict=True)
        if outcome == "sold_out" and _free_on_every_segment(train, first, last, total) >= seats
    ]
    assert not wrongly_refused, f"refused with seats free for the journey: {wrongly_refused}"
    assert Booking.objects.count() == counts["CONFIRMED"]


def _run_made_without_a_lock(journey) -> TrainRun:
    """The journey's run, found or made with the ORM alone (another first use may make it too)."""
    for _ in range(3):
        try:
            return TrainRun.objects.get_or_create(train=journey.train, run_date=journey.run_date)[0]
        except IntegrityError:
            run = TrainRun.objects.filter(train=journey.train, run_date=journey.run_date).first()
            if run is not None:
                return run
    raise AssertionError("the run could be neither made nor found")


def test_a_path_that_forgot_the_run_lock_still_cannot_sell_a_seat_twice_on_a_segment(monkeypatch):
    """The unique (run, class, segment, seat) key is the second line of defence behind the lock."""
    total = 20
    train = make_train(stops=route(*STATIONS), total_seats=total)

    def read_the_run_without_locking_it(journey):
        run = _run_made_without_a_lock(journey)
        run.train = journey.train
        return run, availability.open_seats(run, journey)

    monkeypatch.setattr(locking, "lock_run_of", read_the_run_without_locking_it)

    _requests, outcomes = _race_random_journeys(train)

    # Without the lock, requests lose races (seats_unavailable, even deadlocks), but none double-sells.
    assert "CONFIRMED" in set(map(str, outcomes))
    _assert_no_seat_sold_twice_on_a_segment(train, total)


def test_concurrent_bookings_in_two_classes_of_one_run_fill_each_class_exactly():
    train = make_train(stops=route("A", "B", "C"), classes=[{"code": "1A", "coaches": 1}, {"code": "2A", "coaches": 1}])
    users = make_users(40)

    def booker(user, code, seats):
        return lambda: (
            services.book_seats(user=user, train=train, travel_date=tomorrow(), class_code=code, seats=seats).status
        )

    # 1A has 24 seats and 2A 48: 2 x 20 asked in 1A, 3 x 20 in 2A, all at once.
    tasks = [booker(users[i], "1A", 2) for i in range(20)] + [booker(users[20 + i], "2A", 3) for i in range(20)]
    random.Random(2).shuffle(tasks)

    outcomes = race(tasks, threads=32)

    assert Counter(map(str, outcomes)) == {"CONFIRMED": 12 + 16, "sold_out": 8 + 4}
    for code, seats in (("1A", 24), ("2A", 48)):
        rows = list(SeatAllocation.objects.filter(class_code=code).values_list("segment", "seat_number"))
        assert sorted(rows) == [(segment, seat) for segment in (0, 1) for seat in range(1, seats + 1)], code
        confirmed = Booking.objects.filter(class_code=code, status=Booking.Status.CONFIRMED)
        assert sum(confirmed.values_list("seats", flat=True)) == seats
