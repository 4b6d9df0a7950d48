"""Refusals given before the run lock: a request that cannot get a seat doesn't queue for it, gets
the answer the lock would give, and a booking, cancellation or lapsing hold shows at once."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import services
from bookings.errors import SoldOut, WaitlistFull
from bookings.inventory import locking
from bookings.models import Booking
from tests.factories import make_train, make_user

pytestmark = pytest.mark.django_db

INDIA = ZoneInfo("Asia/Kolkata")
RUN_DATE = date(2027, 3, 10)
EVE = date(2027, 3, 9)  # Tatkal opens the day before the run
TATKAL_SEATS = 16


def at(day: date, hour: int, minute: int = 0):
    return time_machine.travel(datetime.combine(day, time(hour, minute), tzinfo=INDIA), tick=False)


@pytest.fixture
def locks(monkeypatch):
    """How many times a booking queued for a run's lock."""
    taken = []
    real = locking.lock_run_of

    def counting(journey):
        taken.append(journey.run_date)
        return real(journey)

    monkeypatch.setattr(locking, "lock_run_of", counting)
    return taken


@pytest.fixture
def tatkal_train():
    return make_train(classes=[{"code": "SL", "coaches": 1, "fare_per_km": "0.50", "quotas": {"TQ": TATKAL_SEATS}}])


def book(train, user, seats, **extra):
    return services.book_seats(user=user, train=train, travel_date=RUN_DATE, seats=seats, quota="TQ", **extra)


def sell_out(train, user):
    for _ in range(TATKAL_SEATS // 4):
        assert book(train, user, 4).status == Booking.Status.CONFIRMED


def refusal(train, user, seats, **extra):
    with pytest.raises((SoldOut, WaitlistFull)) as refused:
        book(train, user, seats, **extra)
    return refused.value


def test_once_refused_under_the_lock_a_sold_out_pool_refuses_without_queueing(tatkal_train, user, locks):
    with at(EVE, 11):
        sell_out(tatkal_train, user)
        under_lock = refusal(tatkal_train, user, 1)
        queued = len(locks)
        early = refusal(tatkal_train, user, 2)
        with CaptureQueriesContext(connection) as captured:
            kept = refusal(tatkal_train, user, 1)

    assert under_lock.code == early.code == kept.code == "sold_out"
    assert early.extra == {"available_seats": 0} == under_lock.extra
    assert early.message == "Only 0 seat(s) free for this journey."
    assert len(locks) == queued  # neither refusal after the first queued for the lock
    # The second read what the first found, in the cache: no inventory row (the journey's stops
    # and classes are read because this test's train comes without them).
    assert [query["sql"] for query in captured if "bookings_" in query["sql"]] == []
    assert Booking.objects.filter(run__train=tatkal_train).count() == TATKAL_SEATS // 4


def test_a_cancellation_is_seen_by_the_next_booking(tatkal_train, user, locks):
    with at(EVE, 11):
        sell_out(tatkal_train, user)
        refusal(tatkal_train, user, 1)
        refusal(tatkal_train, user, 1)
        cancelled = Booking.objects.filter(run__train=tatkal_train).first()
        services.cancel_booking(booking_id=cancelled.pk, by=user)

        rebooked = book(tatkal_train, user, 4)

    assert rebooked.status == Booking.Status.CONFIRMED


def test_fewer_seats_free_than_travellers_is_refused_but_a_smaller_party_is_sold(tatkal_train, user, locks):
    with at(EVE, 11):
        for _ in range(3):
            book(tatkal_train, user, 4)
        book(tatkal_train, user, 3)
        refusal(tatkal_train, user, 2)  # under the lock: one seat left
        queued = len(locks)
        early = refusal(tatkal_train, user, 4)
        last = book(tatkal_train, user, 1)

    assert early.extra == {"available_seats": 1}
    assert len(locks) == queued + 1  # only the one that could be seated went to the lock
    assert last.status == Booking.Status.CONFIRMED


def test_a_full_waitlist_is_refused_early_and_a_waitlist_with_room_is_not(tatkal_train, user, settings, locks):
    settings.WAITLIST_PERCENT = 25  # four travellers may wait for the sixteen Tatkal berths
    with at(EVE, 11):
        sell_out(tatkal_train, user)
        refusal(tatkal_train, user, 1)  # no waitlist asked for: sold out, under the lock
        waiting = book(tatkal_train, user, 4, allow_waitlist=True)  # the lock decides: room for four
        under_lock = refusal(tatkal_train, user, 1, allow_waitlist=True)
        queued = len(locks)
        early = refusal(tatkal_train, user, 1, allow_waitlist=True)

    assert waiting.status == Booking.Status.WAITLISTED
    assert under_lock.code == early.code == "waitlist_full"
    assert early.extra == {"available_seats": 0, "waitlist_seats_left": 0} == under_lock.extra
    assert len(locks) == queued


def test_a_hold_that_lapses_frees_its_seats_for_the_next_booking(tatkal_train, user, settings, locks):
    other = make_user("holder")
    settings.SEARCH_CACHE_SECONDS = 10 * settings.HOLD_SECONDS  # only the hold's lapse can end what is kept
    with at(EVE, 11):
        for _ in range(3):
            book(tatkal_train, user, 4)
        services.hold_seats(user=other, train=tatkal_train, travel_date=RUN_DATE, seats=4, quota="TQ")
        refusal(tatkal_train, user, 1)
        refusal(tatkal_train, user, 1)  # refused from the rows, and kept
    with at(EVE, 11, 0) as traveller:
        traveller.shift(timedelta(seconds=settings.HOLD_SECONDS + 1))
        after_the_hold = book(tatkal_train, user, 4)

    assert after_the_hold.status == Booking.Status.CONFIRMED


def test_the_api_answers_an_early_refusal_as_it_answers_one_under_the_lock(tatkal_train, user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    request = {"train": tatkal_train.id, "travel_date": str(RUN_DATE), "seats": 4, "quota": "TQ"}
    with at(EVE, 11):
        for _ in range(TATKAL_SEATS // 4):
            assert client.post("/api/bookings/", request, format="json").status_code == 201
        under_lock = client.post("/api/bookings/", request, format="json")
        early = client.post("/api/bookings/", request, format="json")

    assert under_lock.status_code == early.status_code == 409
    assert under_lock.json() == early.json()
    assert early.json()["code"] == "sold_out"


def test_a_journey_never_refused_is_not_looked_at_before_the_lock(tatkal_train, user, monkeypatch):
    from bookings.inventory import refusals

    def looked(*_args, **_kwargs):
        raise AssertionError("looked before the lock")

    monkeypatch.setattr(refusals, "_pool_now", looked)
    monkeypatch.setattr(refusals.search_cache, "kept_value", looked)
    with at(EVE, 11):
        for _ in range(TATKAL_SEATS // 4):
            book(tatkal_train, user, 4)
