"""The operator dashboard: revenue, each train's next run as a percentage, usernames in the log."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bookings import services
from tests.analytics.logs import installed, log_entry, new_store
from tests.factories import make_train, make_user, route

pytestmark = pytest.mark.django_db


def operator() -> Client:
    client = Client()
    client.force_login(make_user("ops", role="ADMIN"))
    return client


def test_the_dashboard_shows_revenue_and_every_trains_next_run_as_a_percentage():
    rider = make_user("rider")
    booked = make_train(
        train_number="12951",
        classes=[{"code": "SL", "coaches": 1, "fare_per_km": "90.00"}],
        stops=route("A", "B", km_apart=1000),
    )
    make_train(train_number="12952", name="Nobody Booked Express")
    services.book_seats(
        user=rider, train=booked, travel_date=timezone.localdate() + timedelta(days=1), seats=2, class_code="SL"
    )

    html = operator().get("/dashboard/").content.decode()

    assert "₹1,80,040" in html  # 2 x (1000 km x ₹90 + ₹20 reservation)
    assert 'data-train="12952"' in html and "Nobody Booked Express" in html
    assert "0%" in html


def test_the_search_log_names_users():
    rider = make_user("asha")
    with installed(new_store()) as store:
        store.collection().insert_many([log_entry("delhi", "agra", user_id=rider.pk), log_entry("delhi", "pune")])
        html = operator().get("/dashboard/search-logs/").content.decode()

    assert "<td>asha</td>" in html and "<td>anonymous</td>" in html
