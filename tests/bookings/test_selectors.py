"""The contract the trains app builds on: availability, seat maps and sold-seat checks."""

from datetime import timedelta

import pytest

from bookings import selectors, services
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
        {"seat_number": seat, "coach": None, "berth": seat, "berth_type": None, "quota": "GN", "rac": False}
        for seat in (3, 4, 6)
    ]
