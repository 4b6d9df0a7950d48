"""A free-seat read that disagrees with the seat insert (issue 15's clash) is logged with the run
and the seats, and the booking re-reads under the lock on a new connection instead of failing."""

import dataclasses
import logging

import pytest

from bookings.errors import SeatClash
from bookings.inventory import availability
from bookings.models import Booking, TrainRun
from tests.bookings.helpers import book, seats_of
from tests.factories import make_train, make_user

pytestmark = pytest.mark.django_db(transaction=True)  # the retry runs outside any transaction


def reads_that_hide_every_taken_seat(monkeypatch, times: int) -> None:
    """The run's free-seat read answers as a stale snapshot would: every seat free."""
    real_open_seats_of = availability.open_seats_of  # every free-seat read, with the lock or not
    lies = []

    def stale(*args, **kwargs):
        seats = real_open_seats_of(*args, **kwargs)
        if len(lies) < times:
            lies.append(seats)
            return dataclasses.replace(seats, blocks=[(1, seats.blocks[-1][1])], taken=0)
        return seats

    monkeypatch.setattr(availability, "open_seats_of", stale)


def clash_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "bookings.seat_clash"]


def test_a_clash_is_logged_and_the_booking_gets_the_next_free_seat(monkeypatch, caplog):
    passenger = make_user("clashing")
    train = make_train(total_seats=5)
    book(passenger, train)  # seat 1
    reads_that_hide_every_taken_seat(monkeypatch, times=1)

    with caplog.at_level(logging.ERROR):
        second = book(passenger, train)

    assert seats_of(second) == [2]
    (line,) = clash_lines(caplog)
    assert f"run {TrainRun.objects.get().pk} seats [1]" in line


def test_a_clash_that_persists_after_the_re_read_is_refused_and_logged_twice(monkeypatch, caplog):
    passenger = make_user("stuck")
    train = make_train(total_seats=5)
    book(passenger, train)
    reads_that_hide_every_taken_seat(monkeypatch, times=2)

    with caplog.at_level(logging.ERROR), pytest.raises(SeatClash) as refused:
        book(passenger, train)

    assert refused.value.code == "seats_unavailable"  # what the client is told, as before
    assert len(clash_lines(caplog)) == 2
    # The booking row went in before the clashing seats: it went with them.
    assert Booking.objects.filter(user=passenger).count() == 1
