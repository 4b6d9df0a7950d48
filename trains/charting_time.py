"""When a run's chart is prepared: pure schedule arithmetic, India time.

A run that leaves its first stop in the morning or around midday (05:00 to 13:59) is charted at
21:00 the evening before, so that its passengers know their berths the night before they travel;
any other run `CHART_HOURS` hours before it leaves. `run_date` is the day the run leaves its first
stop, so the run's departure is that day at the train's departure time.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

INDIA = ZoneInfo("Asia/Kolkata")
DAY_CHART_FROM = time(5, 0)
DAY_CHART_UNTIL = time(14, 0)  # exclusive: 13:59 still is charted the evening before
EVENING_CHART = time(21, 0)


def run_departure(*, run_date: date, departure_time: time) -> datetime:
    """The moment the run leaves its first stop."""
    return datetime.combine(run_date, departure_time, tzinfo=INDIA)


def chart_time(*, run_date: date, departure_time: time, chart_hours: int | None = None) -> datetime:
    """When the chart of the run leaving its first stop at `departure_time` on `run_date` is prepared."""
    if DAY_CHART_FROM <= departure_time < DAY_CHART_UNTIL:
        return datetime.combine(run_date - timedelta(days=1), EVENING_CHART, tzinfo=INDIA)
    hours = settings.CHART_HOURS if chart_hours is None else chart_hours
    return run_departure(run_date=run_date, departure_time=departure_time) - timedelta(hours=hours)


def run_dates_to_chart(*, departure_time: time, now: datetime, chart_hours: int | None = None) -> list[date]:
    """The run dates of a train leaving at `departure_time` whose chart time has come by `now` and
    that have not yet left their first stop: at most two (a chart is at most a day ahead)."""
    today = now.astimezone(INDIA).date()
    due = []
    for run_date in (today, today + timedelta(days=1)):
        departure = run_departure(run_date=run_date, departure_time=departure_time)
        if chart_time(run_date=run_date, departure_time=departure_time, chart_hours=chart_hours) <= now < departure:
            due.append(run_date)
    return due
