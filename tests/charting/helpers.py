"""Builders for the charting and refund tests: a sleeper train, a run filled to a point, a clock."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from bookings import services
from bookings.models import Booking
from tests.factories import make_train, make_user, route

INDIA = ZoneInfo("Asia/Kolkata")
# A run a few weeks ahead, inside the booking window of the frozen clock below.
RUN_DATE = date(2027, 1, 15)
LEAVES = time(18, 0)  # from its first stop: charted CHART_HOURS (8) before, at 10:00


def at(day: date, hour: int, minute: int = 0):
    """The clock frozen at that India time."""
    return time_machine.travel(datetime.combine(day, time(hour, minute), tzinfo=INDIA), tick=False)


def days_before(days: int, hour: int = 9):
    return at(RUN_DATE - timedelta(days=days), hour)


def sleeper(**class_fields):
    """One SL coach (72 berths, 9 side lowers) Agra -> Gwalior -> Jhansi, leaving at 18:00."""
    return make_train(
        stops=route("Agra Cantt", "Gwalior", "Jhansi", start=LEAVES),
        classes=[{"code": "SL", "coaches": 1, "fare_per_km": "0.50", **class_fields}],
    )


def book(user, train, seats, *, allow_waitlist=True, **extra) -> Booking:
    return services.book_seats(
        user=user, train=train, travel_date=RUN_DATE, seats=seats, allow_waitlist=allow_waitlist, **extra
    )


def fill(train, seats: int, username: str = "filler") -> list[Booking]:
    """Confirmed bookings of `seats` seats in all, six at most each."""
    user = make_user(username)
    bookings = []
    while seats > 0:
        bookings.append(book(user, train, min(6, seats), allow_waitlist=False))
        seats -= 6
    return bookings


def statuses(booking: Booking) -> list[str]:
    return list(booking.passengers.order_by("position").values_list("status", flat=True))
