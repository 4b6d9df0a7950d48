"""Real threads booking and cancelling on a small class with RAC berths, against MariaDB.

The end state read back from the database must show: no berth sold twice on any segment and none
of the RAC berths sold as a berth; no RAC berth carrying more than two passengers on any segment;
every passenger exactly one of CNF, RAC, WL or CANCELLED, owning exactly the allocations that
status says, with their booking's status following from theirs; and the queues in order: nobody
left in a queue while a place they need is free and nobody overlapping ahead of them waits.
"""

import random
from collections import Counter, defaultdict

import pytest
from django.db.models import F

from bookings import services
from bookings.models import RAC_PLACE_BASE, Booking, Passenger, SeatAllocation
from tests.concurrency.test_booking_races import ON_MARIADB, make_users, race, tomorrow
from tests.factories import make_train, route
from trains.pools import pools_of

pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.skipif(not ON_MARIADB, reason="needs DB_ENGINE=mysql: real row locks"),
    pytest.mark.django_db(transaction=True),
]

STATIONS = ["Ajmer", "Beawar", "Chittor", "Dungarpur"]
SEATS, RAC_BERTHS = 16, 2  # side lowers 7 and 15 are the RAC berths: 14 berths, 4 RAC places
POOLS = pools_of("SL", SEATS, rac_berths=RAC_BERTHS)
PLACES = 2 * RAC_BERTHS
OUTCOMES = {"CONFIRMED", "RAC", "WAITLISTED", "CANCELLED", "sold_out", "waitlist_full"}


@pytest.fixture
def small_sleeper(settings):
    settings.WAITLIST_PERCENT = 100
    return make_train(stops=route(*STATIONS), classes=[{"code": "SL", "seats": SEATS, "rac_berths": RAC_BERTHS}])


def journeys(rng: random.Random, count: int) -> list[tuple[str, str, int]]:
    trips = []
    for _ in range(count):
        first = rng.randrange(len(STATIONS) - 1)
        last = rng.randrange(first + 1, len(STATIONS))
        trips.append((STATIONS[first], STATIONS[last], rng.randint(1, 3)))
    return trips


def booker(user, train, trip):
    from_station, to_station, seats = trip
    return lambda: (
        services.book_seats(
            user=user,
            train=train,
            travel_date=tomorrow(),
            from_station=from_station,
            to_station=to_station,
            seats=seats,
            allow_waitlist=True,
        ).status
    )


def canceller(booking):
    return lambda: services.cancel_booking(booking_id=booking.pk, by=booking.user).status


def assert_every_place_once_and_every_passenger_consistent() -> None:
    rows = list(SeatAllocation.objects.values_list("segment", "seat_number", "booking_id"))
    assert len(rows) == len({(segment, seat) for segment, seat, _ in rows}), "a place sold twice on a segment"
    assert all(booking_id is not None for *_, booking_id in rows)
    berths = [seat for _, seat, _ in rows if seat <= RAC_PLACE_BASE]
    assert all(seat in POOLS.seats["GN"] for seat in berths), "a berth sold outside the GN pool (an RAC berth?)"
    on_rac_berth = Counter()
    for booking in Booking.objects.prefetch_related("passengers", "allocations"):
        passengers = list(booking.passengers.all())
        assert len(passengers) == booking.seats
        assert booking.status == Booking.status_of(p.status for p in passengers), booking.pnr
        expected = set()
        for passenger in passengers:
            assert passenger.status in Passenger.Status.values
            if passenger.status == Passenger.Status.RAC:
                assert 1 <= passenger.rac_place <= PLACES
                assert passenger.seat_number == POOLS.rac_berths[(passenger.rac_place - 1) // 2]
                for segment in booking.segments:
                    on_rac_berth[(segment, passenger.seat_number)] += 1
            elif passenger.status == Passenger.Status.CNF:
                assert passenger.rac_place is None and passenger.seat_number in POOLS.seats["GN"]
            else:
                assert passenger.seat_number is None and passenger.rac_place is None
            if passenger.allocated_seat is not None:
                expected |= {(segment, passenger.allocated_seat) for segment in booking.segments}
        owned = {(allocation.segment, allocation.seat_number) for allocation in booking.allocations.all()}
        assert owned == expected, booking.pnr
    crowded = {place: count for place, count in on_rac_berth.items() if count > 2}
    assert not crowded, f"RAC berths with more than two passengers: {crowded}"


def assert_queues_in_order() -> None:
    """Going down each queue in order, a passenger nobody overlapping waits ahead of finds no
    place free that they would move to: a berth for an RAC passenger, an RAC place for a
    waitlisted one (which the chain gives when no berth fits)."""
    taken = defaultdict(set)
    for segment, seat in SeatAllocation.objects.values_list("segment", "seat_number"):
        taken[segment].add(seat)

    def free_on(segments, numbers):
        return [n for n in numbers if all(n not in taken[segment] for segment in segments)]

    places = [RAC_PLACE_BASE + place for place in range(1, PLACES + 1)]
    for status, wanted in ((Passenger.Status.RAC, POOLS.seats["GN"]), (Passenger.Status.WL, places)):
        closed: set[int] = set()
        queue = Passenger.objects.filter(status=status).select_related("booking")
        for passenger in queue.order_by("booking__created_at", "booking_id", "position"):
            segments = set(passenger.booking.segments)
            if not closed & segments:
                assert not free_on(segments, wanted), (status, passenger.booking.pnr, passenger.position)
            closed |= segments


def test_concurrent_bookings_fill_berths_then_rac_places_then_the_waitlist(small_sleeper):
    users = make_users(40)
    rng = random.Random(2811)
    trips = journeys(rng, 120)

    outcomes = race([booker(users[n % len(users)], small_sleeper, trip) for n, trip in enumerate(trips)])

    assert set(map(str, outcomes)) <= OUTCOMES, Counter(map(str, outcomes))
    assert Passenger.objects.filter(status=Passenger.Status.RAC).exists()
    assert Passenger.objects.filter(status=Passenger.Status.WL).exists()
    assert_every_place_once_and_every_passenger_consistent()
    assert_queues_in_order()


def test_queues_stay_in_order_through_concurrent_cancellations_and_bookings(small_sleeper):
    users = make_users(40)
    rng = random.Random(2812)
    made = race([booker(users[n % len(users)], small_sleeper, trip) for n, trip in enumerate(journeys(rng, 40))])
    assert Counter(made)["WAITLISTED"] >= 3, Counter(made)
    bookings = list(Booking.objects.order_by("id"))
    tasks = [canceller(booking) for booking in rng.sample(bookings, 20)]
    tasks += [booker(users[n], small_sleeper, trip) for n, trip in enumerate(journeys(rng, 20))]
    rng.shuffle(tasks)

    outcomes = race(tasks, threads=20)

    assert set(map(str, outcomes)) <= OUTCOMES, Counter(map(str, outcomes))
    moved = Passenger.objects.exclude(status=Passenger.Status.CANCELLED).exclude(status=F("booking_status"))
    assert moved.exists(), "nobody moved up"
    assert_every_place_once_and_every_passenger_consistent()
    assert_queues_in_order()
