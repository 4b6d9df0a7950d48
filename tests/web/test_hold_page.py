"""The hold page: an expired hold offers no Confirm, and choosing seats again keeps the travellers typed."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from tests.factories import make_train, make_user

pytestmark = pytest.mark.django_db

TRAVELLERS = [
    {"name": "Asha Rao", "age": 68, "gender": "F", "berth_preference": "LB"},
    {"name": "Ravi Rao", "age": 34, "gender": "M", "berth_preference": None},
]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def held():
    user = make_user("asha")
    train = make_train(classes=[{"code": "SL", "coaches": 1, "fare_per_km": "1.00"}])
    hold = services.hold_seats(
        user=user,
        train=train,
        travel_date=timezone.localdate() + timedelta(days=7),
        seat_numbers=[9, 10],
        passengers=TRAVELLERS,
        class_code="SL",
    )
    return user, hold


def test_a_live_hold_offers_confirm(held):
    user, hold = held
    html = signed_in(user).get(f"/holds/{hold.pk}/").content.decode()
    assert "Confirm booking" in html


def test_an_expired_hold_offers_no_confirm_but_seats_again(held):
    user, hold = held
    hold.expires_at = timezone.now() - timedelta(seconds=1)
    hold.save(update_fields=["expires_at"])
    client = signed_in(user)

    html = client.get(f"/holds/{hold.pk}/").content.decode()

    assert "Confirm booking" not in html
    assert "This hold has expired" in html and "Choose seats again" in html
    # The server refuses a confirmation sent anyway (a page left open, a replayed form).
    assert client.post(f"/holds/{hold.pk}/confirm/").status_code == 410
    assert not Booking.objects.exists()


def test_choosing_seats_again_keeps_the_travellers_typed(held):
    user, hold = held
    client = signed_in(user)
    hold_page = client.get(f"/holds/{hold.pk}/").content.decode()
    again = unescape(re.search(r'href="([^"]*again=[^"]*)"', hold_page).group(1))
    seat_map = client.get(again).content.decode()
    assert f'name="again" value="{hold.pk}"' in seat_map

    # The seat map's form sends its journey, the seats ticked and the hold the travellers come from.
    page = client.get(again.replace("/seats/", "/passengers/") + "&seat=11&seat=12").content.decode()

    assert 'value="Asha Rao"' in page and 'value="Ravi Rao"' in page
    assert 'value="68"' in page
    assert '<option value="LB" selected>' in page


def test_nobody_else_gets_the_travellers_of_a_hold(held):
    _user, hold = held
    other = signed_in(make_user("intruder"))
    path = f"/trains/{hold.run.train_id}/{hold.travel_date.isoformat()}/passengers/"

    page = other.get(path, {"class": "SL", "seat": ["11"], "again": hold.pk}).content.decode()

    assert "Asha Rao" not in page
