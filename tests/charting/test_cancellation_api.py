"""Partial cancellation, the refund quote and `refunds` through the API; the chart's endpoints.

The clock is frozen weeks ahead, so each client is made inside it: a token issued outside would
have expired there."""

from decimal import Decimal

import pytest

from tests.charting.helpers import LEAVES, RUN_DATE, at, book, days_before, fill, sleeper, statuses
from tests.conftest import client_for
from tests.factories import make_train, make_user, route

pytestmark = pytest.mark.django_db

FLAT_SL = Decimal("120.00")


@pytest.fixture
def asha():
    return make_user("asha")


@pytest.fixture
def operator():
    return make_user("operator", role="ADMIN")


def cancel(client, booking, passengers=None):
    body = {} if passengers is None else {"passengers": passengers}
    return client.post(f"/api/bookings/{booking.pk}/cancel/", body, format="json")


def test_cancelling_some_passengers_refunds_them_and_frees_their_berths_for_the_waitlist(asha):
    train = sleeper()
    with days_before(5):
        client = client_for(asha)
        fill(train, 69)
        trio = book(asha, train, 3)
        waiting = book(make_user("ravi"), train, 1)
        fare = trio.passenger_fare
        quote = client.get(f"/api/bookings/{trio.pk}/refund/?passengers=1,3")
        answer = cancel(client, trio, [1, 3])
        booking = client.get(f"/api/bookings/{trio.pk}/").json()

    refund = {"amount": f"{2 * (fare - FLAT_SL):.2f}", "charge": f"{2 * FLAT_SL:.2f}", "passengers": [1, 3]}
    assert quote.status_code == 200 and quote.json() == refund
    assert answer.status_code == 200
    assert answer.json()["refund"] == refund
    assert answer.json()["status"] == "CONFIRMED"
    assert [p["current_status"]["status"] for p in answer.json()["passengers"]] == ["CANCELLED", "CNF", "CANCELLED"]
    [made] = booking["refunds"]
    assert {key: made[key] for key in ("amount", "charge", "passengers")} == refund
    assert made["created_at"]
    # A berth freed goes to the waitlist at once.
    waiting.refresh_from_db()
    assert statuses(waiting) == ["CNF"]


def test_charges_follow_the_time_left(asha):
    train = sleeper()
    with days_before(5):
        booking = book(asha, train, 2)
    fare = booking.passenger_fare
    quotes = {}
    for label, moment in {"far": days_before(3), "day": days_before(1), "near": at(RUN_DATE, 8)}.items():
        with moment:
            client = client_for(asha)
            quotes[label] = client.get(f"/api/bookings/{booking.pk}/refund/?passengers=1").json()["charge"]
    assert quotes == {
        "far": f"{min(FLAT_SL, fare):.2f}",
        "day": f"{min(max(FLAT_SL, fare / 4), fare):.2f}",
        "near": f"{min(max(FLAT_SL, fare / 2), fare):.2f}",
    }


def test_confirmed_berths_cannot_be_cancelled_after_the_chart_and_nothing_changes(asha, operator):
    train = sleeper()
    with at(RUN_DATE, 10, 30):
        client, admin_client = client_for(asha), client_for(operator)
        booking = book(asha, train, 2)
        assert admin_client.post(f"/api/runs/{train.pk}/{RUN_DATE}/chart/").status_code == 200
        refused = cancel(client, booking, [1])
        quote = client.get(f"/api/bookings/{booking.pk}/refund/")
    assert (refused.status_code, refused.json()["code"]) == (409, "chart_prepared")
    assert (quote.status_code, quote.json()["code"]) == (409, "chart_prepared")
    assert statuses(booking) == ["CNF", "CNF"]
    assert booking.refunds.count() == 0


def test_waitlisted_passengers_cancel_for_60_until_half_an_hour_before(asha):
    train = sleeper()
    with days_before(3):
        fill(train, 72)
        waiting = book(asha, train, 1)
    with at(RUN_DATE, 17, 29):
        assert client_for(asha).get(f"/api/bookings/{waiting.pk}/refund/").json()["charge"] == "60.00"
    with at(RUN_DATE, 17, 31):
        too_late = cancel(client_for(asha), waiting)
    assert (too_late.status_code, too_late.json()["code"]) == (409, "too_late")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"passengers": []}, "passengers"),
        ({"passengers": [0]}, "passengers"),
        ({"passengers": ["one"]}, "passengers"),
        ({"passengers": [4]}, "passengers"),  # the booking has three
    ],
)
def test_bad_passenger_numbers_are_refused_and_nothing_is_cancelled(asha, body, field):
    train = sleeper()
    with days_before(3):
        booking = book(asha, train, 3)
        answer = client_for(asha).post(f"/api/bookings/{booking.pk}/cancel/", body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["fields"]
    assert statuses(booking) == ["CNF"] * 3


def test_a_passenger_cancelled_twice_is_a_conflict(asha):
    train = sleeper()
    with days_before(3):
        client = client_for(asha)
        booking = book(asha, train, 2)
        assert cancel(client, booking, [2]).status_code == 200
        again = cancel(client, booking, [2])
        rest = cancel(client, booking)
        after = cancel(client, booking)
    assert (again.status_code, again.json()["code"], again.json()["passengers"]) == (409, "already_cancelled", [2])
    assert rest.json()["refund"]["passengers"] == [1]
    assert rest.json()["status"] == "CANCELLED"
    assert (after.status_code, after.json()["code"]) == (409, "already_cancelled")


def test_quote_query_is_checked(asha):
    train = sleeper()
    with days_before(3):
        booking = book(asha, train, 2)
        answer = client_for(asha).get(f"/api/bookings/{booking.pk}/refund/?passengers=1,x")
    assert answer.status_code == 400
    assert "passengers" in answer.json()["fields"]


def test_someone_elses_booking_is_not_found(asha):
    train = sleeper()
    with days_before(3):
        booking = book(asha, train, 1)
        other = client_for(make_user("ravi"))
        assert other.get(f"/api/bookings/{booking.pk}/refund/").status_code == 404
        assert cancel(other, booking).status_code == 404


# --- The chart's endpoints ---------------------------------------------------------------------------


def test_the_chart_as_the_contract_shapes_it(asha, operator):
    train = sleeper(rac_berths=1)
    with days_before(1):
        admin_client = client_for(operator)
        assert admin_client.get(f"/api/runs/{train.pk}/{RUN_DATE}/chart/").status_code == 404
        fill(train, 70)
        alone = book(make_user("ravi"), train, 1)  # the last general berth, freed below
        shared = book(asha, train, 2)  # both RAC, on the one RAC berth
        client_for(alone.user).post(f"/api/bookings/{alone.pk}/cancel/")
        made = admin_client.post(f"/api/runs/{train.pk}/{RUN_DATE}/chart/")
        again = admin_client.post(f"/api/runs/{train.pk}/{RUN_DATE}/chart/")
        read = admin_client.get(f"/api/runs/{train.pk}/{RUN_DATE}/chart/")

    assert made.status_code == 200
    assert (again.status_code, again.json()["code"]) == (409, "chart_prepared")
    chart = read.json()
    assert chart == made.json()
    assert set(chart) == {"train", "run_date", "charted_at", "passengers", "vacant"}
    assert chart["run_date"] == str(RUN_DATE)
    assert len(chart["passengers"]) == 72
    # The freed berth went to one RAC passenger; the other keeps the RAC berth.
    rows = {row["status"]: row for row in chart["passengers"] if row["pnr"] == shared.pnr}
    assert set(rows) == {"CNF", "RAC"}
    assert rows["RAC"]["berth_type"] == "SL"
    first = rows["RAC"]
    assert set(first) == {
        "pnr",
        "name",
        "age",
        "gender",
        "class",
        "coach",
        "berth",
        "berth_type",
        "from_station",
        "to_station",
        "status",
    }
    # The RAC berth holds its RAC passenger: no berth is vacant anywhere.
    assert chart["vacant"] == []


def test_a_stretch_left_free_is_vacant_on_that_stretch_only(asha, operator):
    train = make_train(
        stops=route("Agra Cantt", "Gwalior", "Jhansi", start=LEAVES),
        classes=[{"code": "GEN", "seats": 1, "fare_per_km": "0.50"}],
    )
    with days_before(1):
        admin_client = client_for(operator)
        book(asha, train, 1, from_station="Gwalior", to_station="Jhansi", allow_waitlist=False)
        chart = admin_client.post(f"/api/runs/{train.pk}/{RUN_DATE}/chart/").json()
    assert [(row["berth"], row["from_station"], row["to_station"]) for row in chart["vacant"]] == [
        (1, "Agra Cantt", "Gwalior")
    ]


def test_only_an_admin_charts(asha):
    train = sleeper()
    with days_before(1):
        user_client = client_for(asha)
        assert user_client.post(f"/api/runs/{train.pk}/{RUN_DATE}/chart/").status_code == 403
        assert user_client.get(f"/api/runs/{train.pk}/{RUN_DATE}/chart/").status_code == 403


def test_a_bad_run_is_refused(operator):
    train = sleeper()
    with days_before(1):
        admin_client = client_for(operator)
        bad_date = admin_client.post(f"/api/runs/{train.pk}/2027-02-30/chart/")
        no_train = admin_client.post(f"/api/runs/999999/{RUN_DATE}/chart/")
    assert (bad_date.status_code, list(bad_date.json()["fields"])) == (400, ["run_date"])
    assert no_train.status_code == 404
