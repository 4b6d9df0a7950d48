"""Small builders for the booking tests: a journey date, a booking or hold made through the service."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from bookings import services
from bookings.models import SeatAllocation


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def book(user, train, seats=1, *, travel_date=None, allow_waitlist=False):
    return services.book_seats(
        user=user, train=train, travel_date=travel_date or tomorrow(), seats=seats, allow_waitlist=allow_waitlist
    )


def seats_of(booking) -> list[int]:
    return sorted(SeatAllocation.objects.filter(booking=booking).values_list("seat_number", flat=True))


def booking_body(train, seats=1, *, travel_date=None, **extra):
    return {"train": train.id, "travel_date": str(travel_date or tomorrow()), "seats": seats, **extra}


def early_today(monkeypatch):
    """Make it 00:01 today (local) for the code under test, so today's departures are still ahead.

    Bookings close at the departure from the boarding stop, so a test that books "today" must
    not depend on the wall clock. `timezone.localdate()` reads `timezone.now()`, so both move.
    """
    moment = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 1)))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment
