"""The operator's reservation chart page: prepare it, then read it coach by coach, printable."""

import pytest
from django.test import Client

from tests.charting.helpers import RUN_DATE, book, days_before, fill, sleeper
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(make_user(f"web-{role.lower()}", role=role))
    return client


def test_an_operator_prepares_the_chart_and_reads_it_coach_by_coach():
    train = sleeper(rac_berths=1)
    page = f"/dashboard/runs/{train.pk}/{RUN_DATE}/chart/"
    with days_before(1):
        operator = signed_in("ADMIN")
        fill(train, 69)
        asha = book(make_user("asha"), train, 1, passengers=[{"name": "Asha Rao", "age": 34, "gender": "F"}])
        before = operator.get(page)
        prepared = operator.post(page)
        chart = operator.get(page)
        again = operator.post(page, follow=True)

    assert before.status_code == 404
    assert "Prepare the chart now" in before.content.decode()
    assert (prepared.status_code, prepared["Location"]) == (302, page)
    html = chart.content.decode()
    assert chart.status_code == 200
    assert "coach S1" in html and "Asha Rao (34F)" in html and asha.pnr in html
    assert "ticket.css" in html  # printed, the chart is the page's only content
    # The one general berth nobody bought is vacant the whole way.
    assert "Vacant berths" in html and "Agra Cantt to Jhansi" in html
    assert "The chart of this run was prepared at" in again.content.decode()


def test_the_chart_page_is_for_operators():
    train = sleeper()
    with days_before(1):
        passenger = signed_in("USER")
        assert passenger.get(f"/dashboard/runs/{train.pk}/{RUN_DATE}/chart/").status_code == 403
        assert passenger.post(f"/dashboard/runs/{train.pk}/{RUN_DATE}/chart/").status_code == 403


def test_cancel_shows_the_refund_before_confirming_and_the_ticket_lists_refunds():
    train = sleeper()
    asha = make_user("asha")
    with days_before(5):
        booking = book(asha, train, 2)
        client = Client()
        client.force_login(asha)
        asking = client.get(f"/bookings/{booking.pk}/cancel/").content.decode()
        client.post(f"/bookings/{booking.pk}/cancel/")
        ticket = client.get(f"/bookings/{booking.pk}/").content.decode()
    fare = 2 * booking.passenger_fare
    assert f"you get back <strong>₹{fare - 240:,.0f}</strong> (cancellation charge ₹240)" in asking
    assert "Refunds" in ticket and f"₹{fare - 240:,.0f} back for passengers 1, 2 (charge ₹240)" in ticket
