"""Booking and holding from a quota: the Tatkal window, who may book SS and LD, seats only from the pool."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bookings import services
from bookings.models import Booking, Hold, SeatAllocation
from tests.factories import make_train, make_user
from trains.pools import pools_of

pytestmark = pytest.mark.django_db

INDIA = ZoneInfo("Asia/Kolkata")
RUN_DATE = date(2027, 3, 10)
EVE = date(2027, 3, 9)  # the day before the run: Tatkal opens then


@pytest.fixture
def user_client(user):
    """Authenticated without a token: a token issued now would have expired at the frozen moments."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def at(day: date, hour: int, minute: int = 0, second: int = 0):
    """Freeze the clock at this India time."""
    return time_machine.travel(datetime.combine(day, time(hour, minute, second), tzinfo=INDIA), tick=False)


def sleeper(**class_fields):
    return make_train(classes=[{"code": "SL", "coaches": 1, "fare_per_km": "0.50", **class_fields}])


def ac_three_tier(**class_fields):
    return make_train(classes=[{"code": "3A", "coaches": 1, "fare_per_km": "1.20", **class_fields}])


def body(train, seats=None, **extra):
    request = {"train": train.id, "travel_date": str(RUN_DATE), **extra}
    if seats is not None:
        request["seats"] = seats
    return request


def people(*ages_and_genders):
    return [
        {"name": f"Traveller {n}", "age": age, "gender": gender} for n, (age, gender) in enumerate(ages_and_genders)
    ]


def booked_seats(booking_id) -> set[int]:
    return set(SeatAllocation.objects.filter(booking_id=booking_id).values_list("seat_number", flat=True))


# --- Tatkal ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "opening"), [(ac_three_tier, 10), (sleeper, 11)])
def test_tatkal_opens_the_day_before_the_run_at_its_class_s_hour(user_client, make, opening):
    train = make(quotas={"TQ": 16})

    with at(EVE, opening - 1, 59, 59):
        early = user_client.post("/api/bookings/", body(train, 2, quota="TQ"), format="json")
    with at(EVE, opening):
        sharp = user_client.post("/api/bookings/", body(train, 2, quota="TQ"), format="json")

    assert early.status_code == 400, early.json()
    assert early.json()["code"] == "tatkal_not_open"
    assert f"{EVE} {opening}:00" in early.json()["detail"]
    assert sharp.status_code == 201, sharp.json()
    assert sharp.json()["quota"] == "TQ" and sharp.json()["status"] == "CONFIRMED"
    pool = pools_of(train.classes.get().code, train.classes.get().seats, tq=16).seats["TQ"]
    assert set(sharp.json()["seat_numbers"]) <= set(pool)
    assert Booking.objects.count() == 1


def test_a_tatkal_booking_carries_at_most_four(user_client):
    train = ac_three_tier(quotas={"TQ": 16})

    with at(EVE, 12):
        five = user_client.post("/api/bookings/", body(train, 5, quota="TQ"), format="json")
        four = user_client.post("/api/bookings/", body(train, 4, quota="TQ"), format="json")

    assert five.status_code == 400 and "seats" in five.json()["fields"]
    assert four.status_code == 201


def test_a_quota_the_class_lacks_is_refused(user_client):
    train = sleeper(quotas={"TQ": 10})

    with at(EVE, 12):
        response = user_client.post(
            "/api/bookings/", body(train, quota="LD", passengers=people((30, "F"))), format="json"
        )

    assert response.status_code == 400
    assert response.json()["code"] == "quota_not_available"
    assert "quota" in response.json()["fields"]
    bad = user_client.post("/api/bookings/", body(train, 1, quota="VIP"), format="json")
    assert bad.status_code == 400 and "quota" in bad.json()["fields"]


# --- SS and LD ---------------------------------------------------------------------------------


def test_senior_citizens_are_men_from_60_and_women_from_45(user_client):
    train = sleeper(quotas={"SS": 6})

    with at(EVE, 12):
        young = user_client.post(
            "/api/bookings/", body(train, quota="SS", passengers=people((61, "M"), (59, "M"))), format="json"
        )
        seniors = user_client.post(
            "/api/bookings/", body(train, quota="SS", passengers=people((60, "M"), (45, "F"))), format="json"
        )

    assert young.status_code == 400
    assert young.json()["code"] == "quota_not_eligible"
    assert list(young.json()["fields"]) == ["passengers[1]"]
    assert "Traveller 1" in young.json()["fields"]["passengers[1]"][0]
    assert seniors.status_code == 201, seniors.json()
    assert {p["berth_type"] for p in seniors.json()["passengers"]} == {"LB"}
    assert set(seniors.json()["seat_numbers"]) <= set(pools_of("SL", 72, ss=6).seats["SS"])


def test_senior_citizens_book_two_at_most_and_by_name(user_client):
    train = sleeper(quotas={"SS": 6})

    with at(EVE, 12):
        three = user_client.post(
            "/api/bookings/", body(train, quota="SS", passengers=people((70, "M"), (70, "F"), (65, "F"))), format="json"
        )
        unnamed = user_client.post("/api/bookings/", body(train, 1, quota="SS"), format="json")

    assert (three.status_code, three.json()["code"]) == (400, "quota_not_eligible")
    assert (unnamed.status_code, unnamed.json()["code"]) == (400, "quota_not_eligible")
    assert not Booking.objects.exists()


def test_the_ladies_quota_is_for_women_only(user_client):
    train = sleeper(quotas={"LD": 4})

    with at(EVE, 12):
        mixed = user_client.post(
            "/api/bookings/", body(train, quota="LD", passengers=people((30, "F"), (32, "M"))), format="json"
        )
        women = user_client.post(
            "/api/bookings/", body(train, quota="LD", passengers=people((30, "F"), (32, "F"))), format="json"
        )

    assert (mixed.status_code, mixed.json()["code"]) == (400, "quota_not_eligible")
    assert "passengers[1]" in mixed.json()["fields"]
    assert women.status_code == 201
    assert set(women.json()["seat_numbers"]) <= set(pools_of("SL", 72, ld=4).seats["LD"])


def test_ss_and_ld_sell_confirmed_seats_only(user_client):
    train = sleeper(quotas={"LD": 2})
    with at(EVE, 12):
        first = user_client.post("/api/bookings/", body(train, quota="LD", passengers=people((30, "F"), (31, "F"))))
        assert first.status_code == 201

        again = user_client.post(
            "/api/bookings/",
            body(train, quota="LD", passengers=people((30, "F")), allow_waitlist=True),
            format="json",
        )

    assert (again.status_code, again.json()["code"]) == (409, "sold_out")
    assert Booking.objects.count() == 1


# --- Pools -------------------------------------------------------------------------------------


def test_general_bookings_never_take_a_seat_set_aside(user):
    train = sleeper(quotas={"TQ": 50, "SS": 6, "LD": 6})  # 10 seats left to GN
    general = set(pools_of("SL", 72, tq=50, ss=6, ld=6).seats["GN"])

    with at(EVE, 12):
        bookings = [services.book_seats(user=user, train=train, travel_date=RUN_DATE, seats=5) for _ in range(2)]
        with pytest.raises(Exception) as refusal:
            services.book_seats(user=user, train=train, travel_date=RUN_DATE, seats=1)

    assert refusal.value.code == "sold_out"
    assert set().union(*(booked_seats(booking.pk) for booking in bookings)) == general


def test_tatkal_has_a_waitlist_of_its_own_served_from_its_own_pool(user):
    train = sleeper(quotas={"TQ": 20})
    other = make_user("other")
    with at(EVE, 12):
        general_waiting = None
        for _ in range(9):  # 52 GN seats, then the GN waitlist
            general_waiting = services.book_seats(
                user=other, train=train, travel_date=RUN_DATE, seats=6, allow_waitlist=True
            )
        for _ in range(5):
            tatkal = services.book_seats(user=user, train=train, travel_date=RUN_DATE, seats=4, quota="TQ")
        waiting = services.book_seats(
            user=user, train=train, travel_date=RUN_DATE, seats=2, quota="TQ", allow_waitlist=True
        )
        assert (general_waiting.status, waiting.status) == ("WAITLISTED", "WAITLISTED")

        services.cancel_booking(booking_id=tatkal.pk, by=user)

    waiting.refresh_from_db()
    general_waiting.refresh_from_db()
    assert waiting.status == "CONFIRMED"
    assert booked_seats(waiting.pk) <= set(pools_of("SL", 72, tq=20).seats["TQ"])
    assert general_waiting.status == "WAITLISTED"  # earlier, but not in the Tatkal queue


# --- Holds -------------------------------------------------------------------------------------


def test_a_hold_takes_its_seats_from_the_quota_and_keeps_it_when_confirmed(user_client):
    train = sleeper(quotas={"TQ": 10})
    tatkal_seats = pools_of("SL", 72, tq=10).seats["TQ"]

    with at(EVE, 10, 30):
        early = user_client.post("/api/holds/", body(train, 2, quota="TQ"), format="json")
    with at(EVE, 11, 0, 1):
        outside = user_client.post(
            "/api/holds/", body(train, quota="TQ", seat_numbers=[1, tatkal_seats[0]]), format="json"
        )
        held = user_client.post("/api/holds/", body(train, quota="TQ", seat_numbers=list(tatkal_seats[:2])))
        confirmed = user_client.post(f"/api/holds/{held.json()['id']}/confirm/")

    assert (early.status_code, early.json()["code"]) == (400, "tatkal_not_open")
    assert outside.status_code == 400 and "seat_numbers" in outside.json()["fields"]
    assert held.status_code == 201, held.json()
    assert held.json()["quota"] == "TQ"
    assert confirmed.status_code in (200, 201), confirmed.json()
    assert confirmed.json()["quota"] == "TQ"
    assert sorted(confirmed.json()["seat_numbers"]) == list(tatkal_seats[:2])
    assert Hold.objects.count() == 1


def test_the_seat_map_of_a_quota_shows_what_it_has_left(user_client):
    train = sleeper(quotas={"TQ": 10})
    with at(EVE, 12):
        user_client.post("/api/bookings/", body(train, 3, quota="TQ"), format="json")
        seat_map = user_client.get(f"/api/trains/{train.id}/seats/", {"date": str(RUN_DATE), "quota": "TQ"}).json()
        general = user_client.get(f"/api/trains/{train.id}/seats/", {"date": str(RUN_DATE)}).json()

    assert seat_map["available_seats"] == 7
    assert general["available_seats"] == 62


def test_each_queue_counts_its_own_positions_and_pnr_status_names_the_quota(user_client, user):
    train = sleeper(quotas={"TQ": 20})
    with at(EVE, 12):
        for seats in (6,) * 8 + (4,):  # the 52 GN seats
            services.book_seats(user=user, train=train, travel_date=RUN_DATE, seats=seats)
        for _ in range(5):  # the 20 TQ seats
            services.book_seats(user=user, train=train, travel_date=RUN_DATE, seats=4, quota="TQ")
        general = services.book_seats(user=user, train=train, travel_date=RUN_DATE, seats=2, allow_waitlist=True)
        tatkal = services.book_seats(
            user=user, train=train, travel_date=RUN_DATE, seats=1, quota="TQ", allow_waitlist=True
        )

        shown = [user_client.get(f"/api/bookings/{booking.pk}/").json() for booking in (general, tatkal)]
        pnr = user_client.get(f"/api/pnr/{tatkal.pnr}/").json()

    assert [(b["quota"], b["status"], b["waitlist_position"]) for b in shown] == [
        ("GN", "WAITLISTED", 1),
        ("TQ", "WAITLISTED", 1),
    ]
    assert (pnr["quota"], pnr["waitlist_position"]) == ("TQ", 1)


def test_a_quota_costs_a_booking_no_statement_more(user):
    plain, pooled = sleeper(), sleeper(quotas={"TQ": 20, "SS": 4}, rac_berths=3)
    counts = []
    with at(EVE, 12):
        for train, quota in ((plain, "GN"), (pooled, "TQ"), (pooled, "GN")):
            services.book_seats(user=user, train=train, travel_date=RUN_DATE, seats=2, quota=quota)  # the run exists
            with CaptureQueriesContext(connection) as captured:
                services.book_seats(user=user, train=train, travel_date=RUN_DATE, seats=2, quota=quota)
            counts.append(len(captured))

    assert counts[0] == counts[1] == counts[2]
