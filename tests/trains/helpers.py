from datetime import date, timedelta

from django.utils import timezone

from trains.models import WEEKDAYS

TRAIN_BODY = {
    "train_number": "12951",
    "name": "Mumbai Rajdhani Express",
    "source": "Mumbai Central",
    "destination": "New Delhi",
    "departure_time": "17:00",
    "arrival_time": "08:32",
    "arrival_day_offset": 1,
    "total_seats": 1100,
    "runs_on": ["MON", "WED", "FRI"],
}


def train_body(**changes) -> dict:
    return {**TRAIN_BODY, **changes}


def next_weekday(code: str, *, weeks_ahead: int = 1) -> date:
    """A date falling on weekday `code`, at least a day after today and inside the booking window."""
    today = timezone.localdate()
    days = (WEEKDAYS.index(code) - today.weekday()) % 7 or 7
    return today + timedelta(days=days + 7 * (weeks_ahead - 1))
