"""A charted run says so on the seat map, and offers no RAC or waitlist once its berths are gone."""

import pytest
from django.test import Client

from accounts.models import User
from bookings import charting
from tests.charting.helpers import RUN_DATE, at, days_before, fill, sleeper
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def looker():
    return User.objects.filter(username="looker").first() or make_user("looker")


def seat_map_page(train) -> str:
    client = Client()
    client.force_login(looker())
    response = client.get(f"/trains/{train.pk}/{RUN_DATE}/seats/", {"class": "SL"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_seat_map_of_a_charted_run_says_only_free_berths_are_sold():
    train = sleeper(rac_berths=2)
    with days_before(1, hour=9):
        before = seat_map_page(train)
    with at(RUN_DATE, 10, 30):
        charting.prepare_chart(train_id=train.pk, run_date=RUN_DATE)
        after = seat_map_page(train)

    assert 'id="chart-prepared"' not in before
    assert 'id="chart-prepared"' in after
    assert 'class="seat-map"' in after  # its free berths are still sold


def test_a_charted_run_with_every_berth_taken_offers_no_rac_or_waitlist():
    train = sleeper(rac_berths=2)
    with days_before(2):
        fill(train, 72 - 2)
    with days_before(1):
        before = seat_map_page(train)
        charting.prepare_chart(train_id=train.pk, run_date=RUN_DATE)
        after = seat_map_page(train)

    assert "Book RAC or waitlist" in before
    assert "Book RAC or waitlist" not in after
    assert "Join the waitlist" not in after
    assert "the chart is prepared" in after
