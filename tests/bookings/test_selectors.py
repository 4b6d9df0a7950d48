"""The contract the trains app builds on: availability, seat maps and sold-seat checks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import selectors, services
from bookings.models import Booking, Hold, TrainRun
from tests.bookings.helpers import book, tomorrow
from tests.factories import make_train

pytestmark = pytest.mark.django_db


def free_on(train, travel_date) -> int:
    return selectors.seat_map(train=train, travel_date=travel_date)["available_seats"]


def test_an_untouched_run_has_the_whole_train_free(train):
    assert free_on(train, tomorrow()) == 50


def test_availability_counts_confirmed_and_live_held_seats_only(user):
    train = make_train(total_seats=10)
    book(user, train, 6)
    book(user, train, 4)
    book(user, train, 2, allow_waitlist=True)
    cancelled = book(user, train, 1, travel_date=tomorrow() + timedelta(days=1))
    services.cancel_booking(booking_id=cancelled.id, by=user)
    services.hold_seats(user=user, train=train, travel_date=tomorrow() + timedelta(days=1), seats=3)

    assert free_on(train, tomorrow()) == 0
    assert free_on(train, tomorrow() + timedelta(days=1)) == 7


def test_seat_map_lists_free_seats_in_order(user):
    train = make_train(total_seats=6)
    book(user, train, 2)
    services.hold_seats(user=user, train=train, travel_date=tomorrow(), seat_numbers=[5])

    seat_map = selectors.seat_map(train=train, travel_date=tomorrow())

    assert {key: seat_map[key] for key in ("total_seats", "available_seats", "free_seat_numbers")} == {
        "total_seats": 6,
        "available_seats": 3,
        "free_seat_numbers": [3, 4, 6],
    }
    assert seat_map["class_code"] == "GEN"
    assert (seat_map["run_date"], seat_map["travel_date"]) == (tomorrow(), tomorrow())
    assert seat_map["free_berths"] == [
        {"seat_number": seat, "coach": None, "berth": seat, "berth_type": None} for seat in (3, 4, 6)
    ]


def test_max_seats_sold_looks_at_the_busiest_future_run_with_live_holds(user):
    train = make_train(total_seats=20)
    book(user, train, 3)
    book(user, train, 6, travel_date=tomorrow() + timedelta(days=2))
    hold = services.hold_seats(user=user, train=train, travel_date=tomorrow(), seats=2)
    assert selectors.max_seats_sold_on_future_runs(train) == 6

    book(user, train, 2)
    assert selectors.max_seats_sold_on_future_runs(train) == 7

    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert selectors.max_seats_sold_on_future_runs(train) == 6
    assert selectors.max_seats_sold_on_future_runs(make_train()) == 0


def test_past_runs_do_not_count_as_sold_or_active(user):
    train = make_train()
    booking = book(user, train, 4)
    yesterday = timezone.localdate() - timedelta(days=1)
    TrainRun.objects.filter(pk=booking.run_id).update(run_date=yesterday)
    Booking.objects.filter(pk=booking.pk).update(travel_date=yesterday)

    assert selectors.max_seats_sold_on_future_runs(train) == 0
    assert selectors.has_active_future_bookings(train) is False


def test_active_future_bookings_are_confirmed_or_waitlisted(user):
    train = make_train(total_seats=5)
    assert selectors.has_active_future_bookings(train) is False

    booking = book(user, train, 5)
    assert selectors.has_active_future_bookings(train) is True

    waiting = book(user, train, 1, allow_waitlist=True)
    assert waiting.status == Booking.Status.WAITLISTED
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    assert selectors.has_active_future_bookings(train) is True

    Booking.objects.filter(pk=waiting.pk).update(status=Booking.Status.CANCELLED)
    assert selectors.has_active_future_bookings(train) is False
