"""Random sequences of bookings, cancellations and holds on journeys, with the invariants checked after each.

Hypothesis drives book (with or without waitlist, 1..6 seats or named passengers with berth
preferences), cancel, hold (given seats or a count), confirm, release and expiry (a hold's
`expires_at` moved into the past) between random stops of two small multi-stop runs, one of
them with two classes and a route over midnight (so travel dates and origin dates differ), by
three passengers and an operator, through the service functions the API calls. After every
step it checks, per run, class and segment, with the database and the selectors the API
answers from:

- no (seat, segment) is allocated twice, every seat is one of its class's, and each allocation
  belongs to exactly one booking or one hold;
- a booking owns exactly its confirmed passengers' seats on exactly its segments (the same seats
  on each), and its status follows from its passengers' (confirmed, waitlisted or cancelled);
- for every journey (any two stops in order) and class: the seat map's free seats are exactly
  the seats no confirmed booking and no live hold occupies on any of its segments, and search
  reports the same count in `availability`; on each single segment, confirmed seats + live held
  seats + free seats == the class's seats (an expired hold's seats are free to readers at once);
- waitlist positions are 1..n per run and class in the order the passengers were booked, within
  the class's waitlist limit (counted in passengers);
- no overtaking: going down a class's waitlist in order, a passenger whose segments touch no
  earlier passenger still waiting finds no seat that no allocation row occupies on all its
  segments (or they would have been promoted); one that does touch an earlier one waits behind.
  An expired hold that no write has swept yet still has its rows, and its seats go to the
  waitlist at the next write on the run (every write sweeps first), so those seats are not
  counted as free for this rule: expiry alone is not a write. And a passenger promoted by a step
  had no earlier passenger of its run and class, overlapping it, left waiting after that step.

A refused booking (409 sold_out) is checked on the spot: fewer seats than asked were free.

Bounded for CI: `STATE_MACHINE_EXAMPLES` sequences (default 20: every step checks every journey of both runs, and CI runs it twice) of up to 30 steps.
"""

import itertools
import os
from datetime import time, timedelta

import pytest
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from bookings import selectors, services
from bookings.errors import SoldOut
from bookings.models import MAX_SEATS_PER_BOOKING, Booking, Hold, Passenger, SeatAllocation, TrainRun
from irctc.exceptions import Conflict, Gone, NotFound
from tests.bookings.helpers import tomorrow
from tests.factories import make_train, make_user, route
from trains import search_cache
from trains.layouts import LAYOUTS

EXAMPLES = int(os.environ.get("STATE_MACHINE_EXAMPLES", "20"))
_sequence_numbers = itertools.count(1)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

seat_counts = st.integers(min_value=1, max_value=MAX_SEATS_PER_BOOKING)
picks = st.integers(min_value=0, max_value=10_000)
travellers = st.lists(
    st.tuples(st.integers(min_value=1, max_value=90), picks),  # age, berth preference (or none)
    min_size=1,
    max_size=MAX_SEATS_PER_BOOKING,
)


class BookingMachine(RuleBasedStateMachine):
    # Set by the test: made once, shared by every sequence.
    passengers: list = []
    operator = None

    @initialize()
    def open_runs(self):
        # Fresh trains for every sequence, so each starts on empty runs; stations of their own,
        # so the search invariant finds them among few trains.
        n = next(_sequence_numbers)
        self.stations = [f"Q{n} {name}" for name in ("Alpha", "Bravo", "Charlie", "Delta")]
        small = make_train(stops=route(*self.stations), total_seats=8)
        # Leaves at 22:00: its last two stops are left the next day, on the same run.
        overnight = make_train(
            stops=route(*self.stations, start=time(22, 0), minutes_apart=90),
            classes=[{"code": "1A", "coaches": 1, "fare_per_km": "4.25"}, {"code": "2A", "coaches": 1}],
        )
        # (train, origin date of its run)
        self.runs = [(small, tomorrow()), (overnight, tomorrow() + timedelta(days=1))]
        self.booking_ids: list[int] = []
        self.hold_ids: list[int] = []

    # --- Steps -----------------------------------------------------------------------------------

    def _journey(self, where: int, first: int, length: int, which_class: int):
        """Keyword arguments of a journey on one of the runs: from, to, class, travel date."""
        train, run_date = self.runs[where % len(self.runs)]
        stops = list(train.stops.all())
        first = first % (len(stops) - 1)
        last = first + 1 + length % (len(stops) - 1 - first)
        classes = list(train.classes.all())
        train_class = classes[which_class % len(classes)]
        return (
            train,
            train_class,
            {
                "train": train,
                "travel_date": run_date + timedelta(days=stops[first].day_offset),
                "from_station": stops[first].station,
                "to_station": stops[last].station,
                "class_code": train_class.code if len(classes) > 1 else None,
            },
        )

    @rule(
        who=picks,
        where=picks,
        first=picks,
        length=picks,
        which_class=picks,
        seats=seat_counts,
        named=st.none() | travellers,
        allow_waitlist=st.booleans(),
    )
    def book(self, who, where, first, length, which_class, seats, named, allow_waitlist):
        train, train_class, journey = self._journey(where, first, length, which_class)
        if named is None:
            wanted = {"seats": seats}
        else:
            types = [None, *dict.fromkeys(LAYOUTS[train_class.code].berth_types)]
            wanted = {
                "passengers": [
                    {"name": f"P{age}", "age": age, "gender": "F", "berth_preference": types[pick % len(types)]}
                    for age, pick in named
                ]
            }
            seats = len(named)
        had_expired_holds = Hold.objects.filter(run__train=train, expires_at__lte=timezone.now()).exists()
        try:
            booking = services.book_seats(user=self._passenger(who), allow_waitlist=allow_waitlist, **journey, **wanted)
        except SoldOut as refusal:
            assert refusal.extra["available_seats"] < seats
            if not had_expired_holds:  # else the refused attempt's sweep may have fed the waitlist
                free = self._seat_map(journey)["available_seats"]
                assert free < seats, (free, seats)
            return
        except Conflict:
            return
        self.booking_ids.append(booking.pk)

    @precondition(lambda self: self.booking_ids)
    @rule(which=picks, by_operator=st.booleans())
    def cancel(self, which, by_operator):
        booking = Booking.objects.get(pk=self._pick(self.booking_ids, which))
        by = self.operator if by_operator else booking.user
        try:
            services.cancel_booking(booking_id=booking.pk, by=by)
        except Conflict:
            assert booking.status == Booking.Status.CANCELLED
            return
        assert not SeatAllocation.objects.filter(booking=booking).exists()

    @rule(
        who=picks,
        where=picks,
        first=picks,
        length=picks,
        which_class=picks,
        seat_picks=st.lists(picks, min_size=1, max_size=6, unique=True),
    )
    def hold_given_seats(self, who, where, first, length, which_class, seat_picks):
        train, train_class, journey = self._journey(where, first, length, which_class)
        seat_numbers = sorted({1 + pick % train_class.seats for pick in seat_picks})
        self._hold(who, journey, seat_numbers=seat_numbers)

    @rule(who=picks, where=picks, first=picks, length=picks, which_class=picks, seats=seat_counts)
    def hold_a_count(self, who, where, first, length, which_class, seats):
        _train, _class, journey = self._journey(where, first, length, which_class)
        self._hold(who, journey, seats=seats)

    def _hold(self, who, journey, **seats_wanted):
        try:
            hold = services.hold_seats(user=self._passenger(who), **journey, **seats_wanted)
        except Conflict:
            return
        self.hold_ids.append(hold.pk)

    @precondition(lambda self: self.hold_ids)
    @rule(which=picks)
    def confirm(self, which):
        hold = Hold.objects.get(pk=self._pick(self.hold_ids, which))
        try:
            booking = services.confirm_hold(hold_id=hold.pk, by=hold.user)
        except (Conflict, Gone, NotFound):
            return
        assert booking.status == Booking.Status.CONFIRMED
        assert (booking.class_code, booking.from_index, booking.to_index) == (
            hold.class_code,
            hold.from_index,
            hold.to_index,
        )
        allocated = SeatAllocation.objects.filter(booking=booking)
        assert sorted(set(allocated.values_list("seat_number", flat=True))) == sorted(hold.seat_numbers)
        self.booking_ids.append(booking.pk)

    @precondition(lambda self: self.hold_ids)
    @rule(which=picks)
    def release(self, which):
        hold = Hold.objects.get(pk=self._pick(self.hold_ids, which))
        try:
            services.release_hold(hold_id=hold.pk, by=hold.user)
        except (Conflict, NotFound):
            return

    @precondition(lambda self: self.hold_ids)
    @rule(which=picks)
    def expire(self, which):
        Hold.objects.filter(pk=self._pick(self.hold_ids, which)).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )

    # --- Invariants ------------------------------------------------------------------------------

    @invariant()
    def no_seat_is_held_or_sold_twice_on_a_segment(self):
        for run in self._runs():
            seats_of_class = {train_class.code: train_class.seats for train_class in run.train.classes.all()}
            rows = list(
                SeatAllocation.objects.filter(run=run).values_list(
                    "class_code", "segment", "seat_number", "booking_id", "hold_id"
                )
            )
            places = [(code, segment, seat) for code, segment, seat, _, _ in rows]
            assert len(places) == len(set(places)), sorted(places)
            for code, segment, seat, booking_id, hold_id in rows:
                assert 1 <= seat <= seats_of_class[code], (code, seat)
                assert 0 <= segment < len(self.stations) - 1, segment
                assert (booking_id is None) != (hold_id is None), (booking_id, hold_id)

    @invariant()
    def bookings_and_holds_own_exactly_their_seats_on_their_segments(self):
        for run in self._runs():
            for booking in Booking.objects.filter(run=run).prefetch_related("allocations", "passengers"):
                owned = {(a.class_code, a.segment, a.seat_number) for a in booking.allocations.all()}
                passengers = list(booking.passengers.all())
                assert len(passengers) == booking.seats
                assert booking.status == Booking.status_of(passenger.status for passenger in passengers)
                seats = sorted(p.seat_number for p in passengers if p.status == Passenger.Status.CNF)
                assert all(p.seat_number is None for p in passengers if p.status != Passenger.Status.CNF)
                # No RAC berths on these trains: a passenger is confirmed, waitlisted or cancelled.
                assert all(p.status != Passenger.Status.RAC for p in passengers)
                assert owned == {(booking.class_code, segment, seat) for segment in booking.segments for seat in seats}
            for hold in Hold.objects.filter(run=run).prefetch_related("allocations"):
                owned = {(a.class_code, a.segment, a.seat_number) for a in hold.allocations.all()}
                expected = {
                    (hold.class_code, segment, seat)
                    for segment in range(hold.from_index, hold.to_index)
                    for seat in hold.seat_numbers
                }
                if hold.is_live:
                    assert owned == expected
                elif hold.booking_id is not None or hold.released_at is not None:
                    assert not owned
                else:  # expired: swept by the next write on the run, or not yet
                    assert owned in (set(), expected)

    @invariant()
    def seat_map_search_and_database_agree_on_every_journey(self):
        now = timezone.now()
        for run in self._runs():
            train = run.train
            stops = list(train.stops.all())
            occupied = list(
                SeatAllocation.objects.filter(run=run)
                .filter(Q(booking__isnull=False) | Q(hold__expires_at__gt=now))
                .values_list("class_code", "segment", "seat_number")
            )
            confirmed = [
                (code, first, last, 1)
                for code, first, last in Passenger.objects.filter(
                    booking__run=run, status=Passenger.Status.CNF
                ).values_list("booking__class_code", "booking__from_index", "booking__to_index")
            ]
            held = [
                (hold.class_code, hold.from_index, hold.to_index, len(hold.seat_numbers))
                for hold in Hold.objects.filter(run=run).live(now)
            ]
            for first, last in itertools.combinations(range(len(stops)), 2):
                travel_date = run.run_date + timedelta(days=stops[first].day_offset)
                _count, results = selectors.search_journeys(
                    source=stops[first].station,
                    destination=stops[last].station,
                    travel_date=travel_date,
                    offset=0,
                    limit=100,
                    # As the API searches: from the timetables kept while the counter stands.
                    timetable=search_cache.current_timetable_generation(),
                )
                found = {row["train_id"]: row for row in results}[train.id]
                assert found["run_date"] == run.run_date
                searched = {option["class"]: option["available_seats"] for option in found["availability"]}
                for train_class in train.classes.all():
                    taken = {
                        seat for code, segment, seat in occupied if code == train_class.code and first <= segment < last
                    }
                    free = [seat for seat in range(1, train_class.seats + 1) if seat not in taken]
                    seat_map = self._seat_map(
                        {
                            "train": train,
                            "travel_date": travel_date,
                            "from_station": stops[first].station,
                            "to_station": stops[last].station,
                            "class_code": train_class.code,
                        }
                    )
                    assert seat_map["run_date"] == run.run_date
                    assert seat_map["free_seat_numbers"] == free, (first, last, train_class.code)
                    assert searched[train_class.code] == len(free), (first, last, train_class.code)
                    if last == first + 1:  # one segment: what is sold and held there, and what is free, add up

                        def on_segment(rows, code=train_class.code, segment=first):
                            return sum(n for c, a, b, n in rows if c == code and a <= segment < b)

                        sold_and_held = on_segment(confirmed) + on_segment(held)
                        assert sold_and_held + seat_map["available_seats"] == train_class.seats, (
                            first,
                            train_class.code,
                        )
                assert found["available_seats"] == sum(searched.values())

    @invariant()
    def the_waitlist_is_in_order_and_nobody_is_overtaken(self):
        for run in self._runs():
            for train_class in run.train.classes.all():
                waiting = [
                    passenger
                    for booking in selectors.all_bookings()
                    .filter(run=run, class_code=train_class.code, status=Booking.Status.WAITLISTED)
                    .order_by("created_at", "id")
                    for passenger in booking.passenger_list
                    if passenger.status == Passenger.Status.WL
                ]
                assert [passenger.current_position for passenger in waiting] == list(range(1, len(waiting) + 1))
                assert len(waiting) <= train_class.seats * 40 // 100
                rows = SeatAllocation.objects.filter(run=run, class_code=train_class.code)
                allocated = list(rows.values_list("segment", "seat_number"))
                closed: set[int] = set()
                for passenger in waiting:
                    segments = set(passenger.booking.segments)
                    if not closed & segments:
                        unallocated = train_class.seats - len(
                            {seat for segment, seat in allocated if segment in segments}
                        )
                        assert unallocated == 0, (passenger.booking.pnr, passenger.position, unallocated)
                    closed |= segments

    @invariant()
    def no_promotion_passed_an_earlier_overlapping_passenger(self):
        """A passenger confirmed from the waitlist in the last step was ahead of every overlapping one left waiting."""
        waiting = {
            passenger.pk: passenger
            for passenger in Passenger.objects.filter(
                booking__run__in=self._runs(), status=Passenger.Status.WL
            ).select_related("booking")
        }
        promoted = Passenger.objects.filter(
            pk__in=set(getattr(self, "_waiting", ())) - set(waiting), status=Passenger.Status.CNF
        ).select_related("booking")

        def place(passenger):
            return (passenger.booking.created_at, passenger.booking_id, passenger.position)

        for passenger in promoted:
            for other in waiting.values():
                if (other.booking.run_id, other.booking.class_code) != (
                    passenger.booking.run_id,
                    passenger.booking.class_code,
                ):
                    continue
                earlier = place(other) < place(passenger)
                overlapping = set(other.booking.segments) & set(passenger.booking.segments)
                assert not (earlier and overlapping), (other.booking.pnr, passenger.booking.pnr)
        self._waiting = list(waiting)

    # --- Helpers ---------------------------------------------------------------------------------

    def _passenger(self, pick: int):
        return self.passengers[pick % len(self.passengers)]

    @staticmethod
    def _pick(ids: list[int], pick: int) -> int:
        return ids[pick % len(ids)]

    @staticmethod
    def _seat_map(journey: dict) -> dict:
        return selectors.seat_map(**journey)

    def _runs(self):
        return (
            TrainRun.objects.filter(train__in=[train for train, _ in self.runs])
            .select_related("train")
            .prefetch_related("train__stops", "train__classes")
        )


@pytest.fixture
def machine_cast(db, settings):
    # A hold outlives any sequence unless the machine expires it; the waitlist has room to matter.
    settings.HOLD_SECONDS = 3600
    settings.WAITLIST_PERCENT = 40
    BookingMachine.passengers = [make_user(f"rider{n}") for n in range(3)]
    BookingMachine.operator = make_user("controller", role="ADMIN")
    return BookingMachine


def test_seat_invariants_hold_after_every_step(machine_cast):
    run_state_machine_as_test(
        machine_cast,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
