"""A run's chart time: 21:00 the evening before for a train leaving its first stop 05:00-13:59,
else CHART_HOURS before it leaves; India time, which has no daylight saving to trip over."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from trains.charting_time import INDIA, chart_time, run_dates_to_chart

RUN = date(2026, 12, 20)


def india(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=INDIA)


@pytest.mark.parametrize(
    ("departure", "expected"),
    [
        (time(5, 0), india(RUN - timedelta(days=1), 21)),
        (time(9, 30), india(RUN - timedelta(days=1), 21)),
        (time(13, 59), india(RUN - timedelta(days=1), 21)),
        # Outside the morning band: CHART_HOURS (8) before departure.
        (time(4, 59), india(RUN - timedelta(days=1), 20, 59)),
        (time(0, 0), india(RUN - timedelta(days=1), 16)),
        (time(14, 0), india(RUN, 6)),
        (time(16, 55), india(RUN, 8, 55)),
        (time(23, 59), india(RUN, 15, 59)),
    ],
)
def test_chart_time_by_departure_from_the_first_stop(settings, departure, expected):
    settings.CHART_HOURS = 8
    assert chart_time(run_date=RUN, departure_time=departure) == expected


def test_chart_hours_comes_from_the_settings(settings):
    settings.CHART_HOURS = 4
    assert chart_time(run_date=RUN, departure_time=time(16, 0)) == india(RUN, 12)
    # The morning band doesn't move with it.
    assert chart_time(run_date=RUN, departure_time=time(6, 0)) == india(RUN - timedelta(days=1), 21)


def test_chart_time_is_an_india_time_whatever_zone_it_is_compared_in(settings):
    settings.CHART_HOURS = 8
    chart = chart_time(run_date=RUN, departure_time=time(16, 0))
    assert chart == datetime(2026, 12, 20, 2, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("departure", "now", "due"),
    [
        # A morning train of tomorrow is due from 21:00 tonight, not a minute before.
        (time(9, 0), india(RUN, 20, 59), []),
        (time(9, 0), india(RUN, 21, 0), [RUN + timedelta(days=1)]),
        (time(9, 0), india(RUN + timedelta(days=1), 8, 59), [RUN + timedelta(days=1)]),
        # Once it has left, it is not due any more (and tomorrow's isn't due yet).
        (time(9, 0), india(RUN + timedelta(days=1), 9, 0), []),
        # An evening train: due from CHART_HOURS before departure, that same day.
        (time(18, 0), india(RUN, 9, 59), []),
        (time(18, 0), india(RUN, 10, 0), [RUN]),
        # Just after midnight: tonight's 00:30 run of tomorrow was due at 16:30 today.
        (time(0, 30), india(RUN, 16, 29), []),
        (time(0, 30), india(RUN, 16, 30), [RUN + timedelta(days=1)]),
        (time(0, 30), india(RUN + timedelta(days=1), 0, 15), [RUN + timedelta(days=1)]),
    ],
)
def test_run_dates_to_chart(settings, departure, now, due):
    settings.CHART_HOURS = 8
    assert run_dates_to_chart(departure_time=departure, now=now) == due
