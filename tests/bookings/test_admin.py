import re

import pytest
from django.test import Client

from bookings.models import Booking
from tests.bookings.helpers import book, seats_of
from tests.factories import make_train

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_browser(admin_user):
    browser = Client()
    browser.force_login(admin_user)
    return browser


@pytest.mark.parametrize("model", ["trainrun", "booking", "hold"])
def test_operators_can_browse_runs_bookings_and_holds_but_not_add(operator_browser, user, train, model):
    book(user, train)

    assert operator_browser.get(f"/admin/bookings/{model}/").status_code == 200
    assert operator_browser.get(f"/admin/bookings/{model}/add/").status_code == 403


def test_bookings_are_searchable_by_pnr_and_filterable(operator_browser, user, train):
    wanted = book(user, train)
    other = book(user, train)

    page = operator_browser.get("/admin/bookings/booking/", {"q": wanted.pnr}).content.decode()
    filtered = operator_browser.get("/admin/bookings/booking/", {"status__exact": "CONFIRMED"})

    assert wanted.pnr in page
    assert other.pnr not in page
    assert filtered.status_code == 200


def test_a_booking_cannot_be_edited_in_the_admin(operator_browser, user, train):
    booking = book(user, train)

    operator_browser.post(f"/admin/bookings/booking/{booking.id}/change/", {"status": "CANCELLED", "seats": 5})

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.seats == 1


def test_the_cancel_action_goes_through_the_service(operator_browser, user):
    train = make_train(total_seats=10)
    blocker = book(user, train, 6)
    book(user, train, 4)
    waiting = book(user, train, 2, allow_waitlist=True)

    response = operator_browser.post(
        "/admin/bookings/booking/", {"action": "cancel_bookings", "_selected_action": [blocker.id]}
    )

    assert response.status_code == 302
    blocker.refresh_from_db()
    waiting.refresh_from_db()
    assert blocker.status == Booking.Status.CANCELLED
    assert seats_of(blocker) == []
    assert waiting.status == Booking.Status.CONFIRMED


def test_a_booking_s_page_shows_each_passenger_s_status_as_booked_and_now(operator_browser, user):
    train = make_train(total_seats=10)
    book(user, train, seats=5), book(user, train, seats=4)
    booking = book(user, train, seats=2, allow_waitlist=True)  # the last seat, then the waitlist

    page = operator_browser.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()

    booked_as = re.findall(r'<td class="field-booked_as">\s*<p>(.*?)</p>', page)
    now = re.findall(r'<td class="field-status">\s*<p>(.*?)</p>', page)
    assert (booked_as, now) == (["CNF", "WL 1"], ["Confirmed", "Waitlisted"])
