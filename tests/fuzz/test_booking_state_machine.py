"""Random sequences of bookings, cancellations and holds, with the seat invariants checked after each.

Hypothesis drives book (with or without waitlist, 1..6 seats), cancel, hold (given seats or a
count), confirm, release and expiry (a hold's `expires_at` moved into the past) on two small runs
by three passengers and an operator, through the service functions the API calls. After every
step it checks, per run, with the selectors the API answers from:

- no seat is allocated twice, and each allocation belongs to exactly one booking or one hold;
- confirmed seats + live held seats + free seats == total_seats (free as `seat_map` and
  the search report it: an expired hold's seats are free to readers at once);
- a CONFIRMED booking has exactly `seats` seat numbers, any other booking none;
- waitlist positions are 1..n in the order the bookings were made, within the waitlist limit;
- no overtaking: the first in line does not fit in the seats no allocation row occupies. An
  expired hold that no write has swept yet still has its rows, and its seats go to the waitlist
  at the next write on the run (every write sweeps first), so those seats are not counted as
  free for this rule: expiry alone is not a write, and nobody can take them in between.

Bounded for CI: `STATE_MACHINE_EXAMPLES` sequences (default 60) of up to 30 steps.
"""

import itertools
import os
from datetime import timedelta

import pytest
from django.db.models import Count
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
from rest_framework.exceptions import NotFound

from bookings import selectors, services
from bookings.models import Booking, Hold, SeatAllocation, TrainRun
from irctc.errors import Conflict, Gone
from tests.bookings.helpers import tomorrow
from tests.factories import make_train, make_user
from trains.selectors import search_page

EXAMPLES = int(os.environ.get("STATE_MACHINE_EXAMPLES", "60"))
_sequence_numbers = itertools.count(1)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

seat_counts = st.integers(min_value=1, max_value=services.MAX_SEATS_PER_BOOKING)
picks = st.integers(min_value=0, max_value=10_000)


class BookingMachine(RuleBasedStateMachine):
    # Set by the test: made once, shared by every sequence.
    passengers: list = []
    operator = None

    @initialize()
    def open_runs(self):
        # Fresh trains for every sequence, so each starts on empty runs.
        # A route of their own, so the search invariant finds them among few trains.
        route = {"source": f"Origin {next(_sequence_numbers)}", "destination": "Terminus"}
        small = make_train(total_seats=8, **route)
        larger = make_train(total_seats=12, **route)
        self.journeys = [(small, tomorrow()), (larger, tomorrow() + timedelta(days=1))]
        self.booking_ids: list[int] = []
        self.hold_ids: list[int] = []

    # --- Steps -----------------------------------------------------------------------------------

    @rule(who=picks, where=picks, seats=seat_counts, allow_waitlist=st.booleans())
    def book(self, who, where, seats, allow_waitlist):
        train, travel_date = self.journeys[where % len(self.journeys)]
        try:
            booking = services.book_seats(
                user=self._passenger(who),
                train=train,
                travel_date=travel_date,
                seats=seats,
                allow_waitlist=allow_waitlist,
            )
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

    @rule(who=picks, where=picks, seat_numbers=st.lists(st.integers(1, 8), min_size=1, max_size=6, unique=True))
    def hold_given_seats(self, who, where, seat_numbers):
        self._hold(who, where, seat_numbers=seat_numbers)

    @rule(who=picks, where=picks, seats=seat_counts)
    def hold_a_count(self, who, where, seats):
        self._hold(who, where, seats=seats)

    def _hold(self, who, where, **seats_wanted):
        train, travel_date = self.journeys[where % len(self.journeys)]
        try:
            hold = services.hold_seats(user=self._passenger(who), train=train, travel_date=travel_date, **seats_wanted)
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
        assert sorted(SeatAllocation.objects.filter(booking=booking).values_list("seat_number", flat=True)) == sorted(
            hold.seat_numbers
        )
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
    def no_seat_is_held_or_sold_twice(self):
        for run in self._runs():
            allocations = SeatAllocation.objects.filter(run=run)
            seats = list(allocations.values_list("seat_number", flat=True))
            assert len(seats) == len(set(seats)), sorted(seats)
            assert all(1 <= seat <= run.train.total_seats for seat in seats), seats
            for booking_id, hold_id in allocations.values_list("booking_id", "hold_id"):
                assert (booking_id is None) != (hold_id is None), (booking_id, hold_id)

    @invariant()
    def confirmed_held_and_free_seats_add_up(self):
        now = timezone.now()
        for run in self._runs():
            confirmed = sum(
                Booking.objects.filter(run=run, status=Booking.Status.CONFIRMED).values_list("seats", flat=True)
            )
            held = sum(
                len(seat_numbers)
                for seat_numbers in Hold.objects.filter(run=run).live(now).values_list("seat_numbers", flat=True)
            )
            seat_map = selectors.seat_map(train=run.train, travel_date=run.travel_date)
            free = seat_map["available_seats"]
            # Search counts with its own hand-written SQL; it must agree with the seat map.
            _, results = search_page(
                source=run.train.source,
                destination=run.train.destination,
                travel_date=run.travel_date,
                offset=0,
                limit=100,
            )
            assert {row["id"]: row["available_seats"] for row in results}[run.train.id] == free
            assert confirmed + held + free == run.train.total_seats, (confirmed, held, free)

    @invariant()
    def confirmed_bookings_have_their_seats_and_others_none(self):
        for run in self._runs():
            for booking in Booking.objects.filter(run=run).annotate(allocated=Count("allocations")):
                expected = booking.seats if booking.status == Booking.Status.CONFIRMED else 0
                assert booking.allocated == expected, (booking.status, booking.seats, booking.allocated)

    @invariant()
    def the_waitlist_is_in_order_and_nobody_is_overtaken(self):
        for run in self._runs():
            waiting = list(
                selectors.all_bookings().filter(run=run, status=Booking.Status.WAITLISTED).order_by("created_at", "id")
            )
            assert [booking.waitlist_position for booking in waiting] == list(range(1, len(waiting) + 1))
            assert sum(booking.seats for booking in waiting) <= run.waitlist_limit
            if waiting:
                unallocated = run.train.total_seats - SeatAllocation.objects.filter(run=run).count()
                assert waiting[0].seats > unallocated, (waiting[0].seats, unallocated)

    # --- Helpers ---------------------------------------------------------------------------------

    def _passenger(self, pick: int):
        return self.passengers[pick % len(self.passengers)]

    @staticmethod
    def _pick(ids: list[int], pick: int) -> int:
        return ids[pick % len(ids)]

    def _runs(self):
        return TrainRun.objects.filter(train__in=[train for train, _ in self.journeys]).select_related("train")


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
