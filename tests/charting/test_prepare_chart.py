"""Preparing a run's chart: the contract's four steps, once, and what a booking gets afterwards."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from bookings import charting, tasks
from bookings.cancellation import cancel_passengers
from bookings.errors import ChartPrepared, SoldOut
from bookings.models import Booking, Refund, TrainRun
from tests.charting.helpers import RUN_DATE, at, book, days_before, fill, sleeper, statuses
from tests.conftest import client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def passenger_emails(settings):
    settings.PASSENGER_EMAILS = True


def chart(train):
    return charting.prepare_chart(train_id=train.pk, run_date=RUN_DATE)


def test_unsold_tatkal_seats_go_to_rac_then_the_waitlist_at_the_chart(django_capture_on_commit_callbacks):
    train = sleeper(quotas={"TQ": 10}, rac_berths=2)  # GN confirms 72 - 10 - 2 = 60, then 4 RAC
    asha, ravi = make_user("asha"), make_user("ravi")
    with days_before(3):
        fill(train, 60)
        rac = book(asha, train, 4)
        waiting = book(ravi, train, 2)
        assert statuses(rac) == ["RAC"] * 4
        assert statuses(waiting) == ["WL", "WL"]
        with django_capture_on_commit_callbacks(execute=True):
            run = chart(train)

    rac.refresh_from_db()
    waiting.refresh_from_db()
    assert run.charted_at is not None
    # The ten Tatkal berths nobody bought: four to the RAC passengers, two to the waitlisted.
    assert statuses(rac) == ["CNF"] * 4 and rac.status == "CONFIRMED"
    assert statuses(waiting) == ["CNF"] * 2 and waiting.status == "CONFIRMED"
    seats = set(rac.passengers.values_list("seat_number", flat=True)) | set(
        waiting.passengers.values_list("seat_number", flat=True)
    )
    assert len(seats) == 6
    assert Refund.objects.count() == 0
    # Each booking whose travellers moved up is told so, once, from what to what.
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == sorted([f"PNR {rac.pnr}: moved up", f"PNR {waiting.pnr}: moved up"])
    assert "from RAC to CNF S1-" in next(m.body for m in mail.outbox if rac.pnr in m.subject)


def test_bookings_still_all_waitlisted_are_cancelled_and_refunded_in_full(django_capture_on_commit_callbacks):
    train = sleeper(rac_berths=2)  # GN confirms 70, 4 RAC, a waitlist of 14
    asha, ravi, mira = make_user("asha"), make_user("ravi"), make_user("mira")
    with days_before(2):
        fill(train, 70)
        mixed = book(asha, train, 5)  # 4 RAC, 1 waitlisted
        waiting = book(ravi, train, 2)
        book_then_cancel_one = book(mira, train, 2)
    with days_before(1):
        cancel_passengers(booking_id=book_then_cancel_one.pk, by=mira, passengers=[1])
        with django_capture_on_commit_callbacks(execute=True):
            chart(train)

    for booking in (mixed, waiting, book_then_cancel_one):
        booking.refresh_from_db()
    # A booking with someone on RAC travels: its waitlisted passenger stays waitlisted.
    assert statuses(mixed) == ["RAC"] * 4 + ["WL"]
    assert mixed.status == "WAITLISTED"
    assert mixed.refunds.count() == 0
    assert (waiting.status, statuses(waiting)) == ("CANCELLED", ["CANCELLED", "CANCELLED"])
    [refund] = waiting.refunds.all()
    assert (refund.amount, refund.charge, refund.passengers, refund.at_charting) == (
        2 * waiting.passenger_fare,
        Decimal("0.00"),
        [1, 2],
        True,
    )
    # Someone left of an all-waitlisted booking is refunded for themselves only.
    assert book_then_cancel_one.status == "CANCELLED"
    at_charting = book_then_cancel_one.refunds.get(at_charting=True)
    assert (at_charting.amount, at_charting.passengers) == (book_then_cancel_one.passenger_fare, [2])
    assert sorted(m.subject for m in mail.outbox if "cancelled at charting" in m.subject) == sorted(
        [
            f"PNR {waiting.pnr}: cancelled at charting, refunded",
            f"PNR {book_then_cancel_one.pnr}: cancelled at charting, refunded",
        ]
    )


def test_a_run_is_charted_once():
    train = sleeper()
    with days_before(1):
        fill(train, 6)
        first = chart(train)
        with pytest.raises(ChartPrepared) as refused:
            chart(train)
    assert refused.value.code == "chart_prepared"
    assert TrainRun.objects.get(pk=first.pk).charted_at == first.charted_at


def test_a_run_nobody_booked_is_charted_too_and_then_sells_confirmed_berths_only():
    train = sleeper(quotas={"TQ": 10}, rac_berths=2)
    asha = make_user("asha")
    with days_before(1):
        run = chart(train)
        assert run.pk is not None
        fill(train, 60)
        # The Tatkal berths are general now: a GN booking gets them, confirmed.
        tatkal_berths = book(asha, train, 6, allow_waitlist=True)
        assert statuses(tatkal_berths) == ["CNF"] * 6
        fill(train, 4, username="last")
        # Only the RAC berths are left: after the chart nobody is sold RAC or the waitlist.
        with pytest.raises(SoldOut) as refused:
            book(asha, train, 1, allow_waitlist=True)
    assert "chart is prepared" in refused.value.message
    assert Booking.objects.filter(status__in=["RAC", "WAITLISTED"]).count() == 0


def test_runs_due_for_charting_by_the_clock(settings):
    settings.CHART_HOURS = 8
    train = sleeper()  # leaves its first stop at 18:00: due from 10:00 that day
    with at(RUN_DATE, 9, 59):
        assert (train.pk, RUN_DATE) not in charting.runs_due_for_charting(now=timezone.now())
    with at(RUN_DATE, 10, 0):
        assert (train.pk, RUN_DATE) in charting.runs_due_for_charting(now=timezone.now())
        chart(train)
        assert (train.pk, RUN_DATE) not in charting.runs_due_for_charting(now=timezone.now())


def test_beats_task_charts_every_due_run_once(settings):
    settings.CHART_HOURS = 8
    due, later = sleeper(), sleeper()
    later.is_active = False
    later.save(update_fields=["is_active"])
    with at(RUN_DATE, 10, 5):
        assert tasks.chart_due_runs() == 1
        assert tasks.chart_due_runs() == 0
        # A chart_run that arrives twice (two beats, a retried task) finds the run charted.
        assert tasks.chart_run(due.pk, RUN_DATE.isoformat()) is False
    assert TrainRun.objects.get(train=due, run_date=RUN_DATE).charted_at is not None
    assert not TrainRun.objects.filter(train=later).exists()


def test_chart_departed_runs_are_not_due(settings):
    settings.CHART_HOURS = 8
    train = sleeper()
    with at(RUN_DATE, 18, 0):
        assert (train.pk, RUN_DATE) not in charting.runs_due_for_charting(now=timezone.now())
    with at(RUN_DATE - timedelta(days=1), 23, 0):
        assert (train.pk, RUN_DATE) not in charting.runs_due_for_charting(now=timezone.now())


def test_search_says_chart_prepared_once_no_berth_is_free_after_the_chart(settings):
    train = sleeper(quotas={"TQ": 10}, rac_berths=2)
    with days_before(1):
        fill(train, 60)
        client = client_for(make_user("asha"))
        query = f"/api/trains/search/?source=Agra+Cantt&destination=Jhansi&date={RUN_DATE}"
        before = client.get(query).json()["results"][0]["availability"][0]
        chart(train)
        after = client.get(query).json()["results"][0]["availability"][0]
        tatkal = client.get(query + "&quota=TQ").json()["results"][0]["availability"][0]
        fill(train, 10, username="last")
        full = client.get(query).json()["results"][0]["availability"][0]
    assert (before["status"], before["rac_available"]) == ("RAC", 4)
    # The Tatkal berths are general now, for whichever quota is searched; the RAC berths are not sold.
    assert (after["status"], after["available_seats"], after["rac_available"]) == ("AVAILABLE", 10, 0)
    assert (before["charted"], after["charted"], full["charted"]) == (False, True, True)
    assert (tatkal["status"], tatkal["available_seats"]) == ("AVAILABLE", 10)
    assert (full["status"], full["available_seats"], full["waitlist_next"]) == ("CHART_PREPARED", 0, None)


def test_the_seat_map_after_the_chart_offers_the_released_berths_to_hold():
    train = sleeper(quotas={"TQ": 10}, rac_berths=2)
    asha = make_user("asha")
    with days_before(1):
        client = client_for(asha)
        fill(train, 60)
        seats = f"/api/trains/{train.pk}/seats/?date={RUN_DATE}"
        before = client.get(seats).json()
        chart(train)
        after = client.get(seats).json()
        tatkal_berth = after["free_seat_numbers"][0]
        held = client.post(
            "/api/holds/",
            {"train": train.pk, "travel_date": str(RUN_DATE), "seat_numbers": [tatkal_berth]},
            format="json",
        )
    assert (before["charted"], before["available_seats"]) == (False, 0)
    # The ten Tatkal berths are general now; the RAC berths are not offered.
    assert (after["charted"], after["available_seats"]) == (True, 10)
    assert {berth["quota"] for berth in after["free_berths"]} == {"GN"}
    assert not any(berth["rac"] for berth in after["free_berths"])
    assert held.status_code == 201, held.json()
