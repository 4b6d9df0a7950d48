"""Money over random histories: for every booking, the fares paid = refunds + charges kept + the
fares of passengers still travelling.

Hypothesis drives bookings (1 to 4 passengers, waitlist allowed), cancellations of random
passengers or of everyone, the clock moving on (through the refund bands: more than 48 hours,
48 to 12, under 12) and charting, on a small sleeper run with RAC berths and Tatkal seats, so
that passengers move between CNF, RAC and WL as others cancel. Refusals (the chart, too late,
sold out) change nothing, and the invariant is checked after every step, with each refund's
amount + charge being exactly the fares of the passengers it names, each cancelled passenger
in exactly one refund.
"""

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
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

from bookings import cancellation, charting, services
from bookings.models import Booking, Passenger
from irctc.exceptions import ApplicationError
from tests.charting.helpers import INDIA, RUN_DATE, sleeper
from tests.factories import make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
_numbers = itertools.count(1)
START = datetime(2027, 1, 12, 9, 0, tzinfo=INDIA)  # three days and nine hours before departure


class MoneyMachine(RuleBasedStateMachine):
    @initialize()
    def open_run(self):
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()
        n = next(_numbers)
        # 72 berths: 6 Tatkal, 2 RAC berths (4 places), 64 general; a waitlist of 12.
        self.train = sleeper(quotas={"TQ": 6}, rac_berths=2)
        self.users = [make_user(f"money{n}_{index}") for index in range(3)]
        self.charted = False

    def teardown(self):
        self.traveller.stop()

    @rule(who=st.integers(0, 2), seats=st.integers(1, 4))
    def book(self, who, seats):
        try:
            services.book_seats(
                user=self.users[who], train=self.train, travel_date=RUN_DATE, seats=seats, allow_waitlist=True
            )
        except ApplicationError:
            pass

    @rule(pick=st.integers(0, 10_000), which=st.sets(st.integers(1, 4), min_size=1), everyone=st.booleans())
    def cancel(self, pick, which, everyone):
        bookings = list(self._bookings().exclude(status=Booking.Status.CANCELLED).order_by("pk"))
        if not bookings:
            return
        booking = bookings[pick % len(bookings)]
        travelling = [p.position for p in booking.passengers.exclude(status=Passenger.Status.CANCELLED)]
        chosen = None if everyone else sorted({travelling[(n - 1) % len(travelling)] for n in which})
        try:
            cancellation.cancel_passengers(booking_id=booking.pk, by=booking.user, passengers=chosen)
        except ApplicationError:
            pass

    @rule(hours=st.sampled_from([1, 6, 12, 20, 30]))
    def time_passes(self, hours):
        # Never past the last half-hour before departure: there nothing may be cancelled anyway.
        departure = datetime(2027, 1, 15, 18, 0, tzinfo=INDIA)
        now = datetime.now(tz=INDIA)
        self.clock.shift(min(timedelta(hours=hours), departure - timedelta(minutes=45) - now))

    @precondition(lambda self: not self.charted)
    @rule()
    def chart(self):
        charting.prepare_chart(train_id=self.train.pk, run_date=RUN_DATE)
        self.charted = True

    def _bookings(self):
        return Booking.objects.filter(run__train=self.train)

    @invariant()
    def fares_paid_are_refunded_kept_or_still_travelling(self):
        for booking in self._bookings().prefetch_related("passengers", "refunds"):
            fare = booking.passenger_fare
            passengers = list(booking.passengers.all())
            refunds = list(booking.refunds.all())
            travelling = [p for p in passengers if p.status != Passenger.Status.CANCELLED]
            refunded = sorted(number for refund in refunds for number in refund.passengers)
            assert refunded == sorted(p.position for p in passengers if p.status == Passenger.Status.CANCELLED)
            for refund in refunds:
                assert refund.amount >= 0 and refund.charge >= 0
                assert refund.amount + refund.charge == fare * len(refund.passengers)
            paid = Decimal(booking.fare)
            kept = sum((refund.charge for refund in refunds), Decimal(0))
            back = sum((refund.amount for refund in refunds), Decimal(0))
            assert paid == back + kept + fare * len(travelling), booking.pnr
            assert (booking.status == Booking.Status.CANCELLED) == (not travelling)


def test_money_adds_up_over_random_histories():
    run_state_machine_as_test(
        MoneyMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
