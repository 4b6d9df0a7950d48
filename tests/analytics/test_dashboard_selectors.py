"""What the operator dashboard draws: bookings per day, latency per day, next runs, log pages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from analytics import selectors
from bookings import services
from bookings.models import Booking
from tests.analytics.logs import log_entry
from tests.factories import make_train, make_user, route
from trains.models import weekday_bit

pytestmark = pytest.mark.django_db


def next_week():
    return timezone.localdate() + timedelta(days=7)


def test_bookings_by_day_counts_bookings_and_confirmed_seats_on_the_day_they_were_made(user, train):
    kept = services.book_seats(user=user, train=train, travel_date=next_week(), seats=3)
    cancelled = services.book_seats(user=user, train=train, travel_date=next_week(), seats=2)
    services.cancel_booking(booking_id=cancelled.pk, by=user)
    three_days_ago = timezone.now() - timedelta(days=3)
    Booking.objects.filter(pk=kept.pk).update(created_at=three_days_ago)

    days = selectors.bookings_by_day(days=30)

    assert len(days) == 30 and days[-1]["date"] == timezone.localdate()
    by_date = {day["date"]: day for day in days}
    assert by_date[timezone.localdate()] == {"date": timezone.localdate(), "bookings": 1, "seats_sold": 0}
    assert by_date[timezone.localtime(three_days_ago).date()]["seats_sold"] == 3
    assert sum(day["bookings"] for day in days) == 2


def test_search_latency_by_day_is_nearest_rank_within_each_day(search_logs):
    today = timezone.localdate()
    noon_today = timezone.make_aware(datetime.combine(today, datetime.min.time()) + timedelta(hours=12))
    yesterday_noon = noon_today - timedelta(days=1)
    search_logs.collection().insert_many(
        [log_entry(execution_time_ms=float(ms), timestamp=noon_today.astimezone(UTC)) for ms in range(1, 101)]
        + [log_entry(execution_time_ms=500.0, timestamp=yesterday_noon.astimezone(UTC))]
    )

    days = selectors.search_latency_by_day(days=3)

    assert [day["searches"] for day in days] == [0, 1, 100]
    assert days[0]["p50_ms"] is None
    assert (days[1]["p50_ms"], days[1]["p99_ms"]) == (500.0, 500.0)
    assert (days[2]["p50_ms"], days[2]["p95_ms"], days[2]["p99_ms"]) == (50.0, 95.0, 99.0)


def test_occupancy_of_next_runs_counts_booked_and_live_held_seats_of_each_trains_next_run(user):
    tomorrow = timezone.localdate() + timedelta(days=1)
    train = make_train(runs_on_mask=weekday_bit(tomorrow.weekday()), total_seats=50)
    services.book_seats(user=user, train=train, travel_date=tomorrow, seats=4)
    services.hold_seats(user=user, train=train, travel_date=tomorrow, seat_numbers=[20, 21])
    expired = services.hold_seats(user=user, train=train, travel_date=tomorrow, seats=1)
    expired.expires_at = timezone.now() - timedelta(seconds=1)
    expired.save(update_fields=["expires_at"])
    services.book_seats(user=user, train=train, travel_date=tomorrow + timedelta(days=7), seats=5)  # a later run

    [row] = selectors.occupancy_of_next_runs()

    assert (row["train"], row["run_date"], row["taken_seats"], row["total_seats"]) == (train, tomorrow, 6, 50)
    assert row["percent"] == 12


def test_every_active_train_shows_its_next_run_booked_or_not(user):
    today = timezone.localdate()
    daily = make_train(train_number="22001", total_seats=40)
    make_train(train_number="22002", runs_on_mask=weekday_bit((today + timedelta(days=1)).weekday()), total_seats=40)
    make_train(train_number="22003", is_active=False)

    rows = selectors.occupancy_of_next_runs()

    # The daily train leaves at 16:30: today, unless it has left already.
    daily_next = today if timezone.localtime().time() < daily.departure_time else today + timedelta(days=1)
    assert sorted((row["train"].train_number, row["run_date"], row["percent"]) for row in rows) == [
        ("22001", daily_next, 0),
        ("22002", today + timedelta(days=1), 0),
    ]


def test_occupancy_of_a_run_is_that_of_its_busiest_segment(user):
    tomorrow = timezone.localdate() + timedelta(days=1)
    train = make_train(
        stops=route("Agra", "Bina", "Chhindwara"), total_seats=50, runs_on_mask=weekday_bit(tomorrow.weekday())
    )
    for seats, source, destination in [(3, "Agra", "Bina"), (2, "Bina", "Chhindwara"), (1, "Agra", "Chhindwara")]:
        services.book_seats(
            user=user, train=train, travel_date=tomorrow, seats=seats, from_station=source, to_station=destination
        )

    [row] = selectors.occupancy_of_next_runs()

    assert (row["taken_seats"], row["total_seats"], row["percent"]) == (4, 50, 8)


def test_search_log_page_filters_and_pages_newest_first(search_logs):
    now = datetime.now(UTC)
    entries = [
        log_entry("delhi", "agra", user_id=7, timestamp=now - timedelta(minutes=minutes)) for minutes in range(30)
    ]
    entries.append(log_entry("delhi", "pune", user_id=8, status_code=400, timestamp=now))
    search_logs.collection().insert_many(entries)

    first, more = selectors.search_log_page(destination=" Agra ", limit=25)
    second, no_more = selectors.search_log_page(destination="agra", offset=25, limit=25)

    assert (len(first), more, len(second), no_more) == (25, True, 5, False)
    assert first[0]["timestamp"] > first[-1]["timestamp"] > second[0]["timestamp"]
    assert first[0]["timestamp"].tzinfo is not None
    assert [log["destination"] for log in selectors.search_log_page(status_code=400)[0]] == ["pune"]
    assert len(selectors.search_log_page(user_id=7, limit=100)[0]) == 30
    assert selectors.search_log_page(source="mumbai") == ([], False)


def test_the_dashboard_shows_the_figures_to_an_operator(admin_user, user, train, search_logs):
    from django.test import Client

    services.book_seats(user=make_user("rider"), train=train, travel_date=next_week(), seats=2)
    client = Client()
    client.force_login(admin_user)
    page = client.get("/dashboard/")
    assert page.status_code == 200
    charts = page.context["charts"]
    assert charts["bookings_by_day"][-1]["seats_sold"] == 2
    assert charts["top_routes"] == [] and len(charts["latency_by_day"]) == 30
