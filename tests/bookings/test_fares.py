"""Fares with their charges as search, bookings, holds and PNR status show them.

The arithmetic itself is tests/trains/test_fares.py's; here: which journey, class, train and quota
each answer prices, that a booking keeps the fare it was charged, and that fares cost search and
booking no statement.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import services
from bookings.models import Booking
from bookings.selectors import search_journeys
from tests.bookings.helpers import tomorrow
from tests.factories import make_train, make_user, route
from trains import services as train_services

pytestmark = pytest.mark.django_db

SEARCH = "/api/trains/search/"
# A 06:00, B 07:00 (200 km), C 08:00 (400 km)
STOPS = ("Agra", "Bharatpur", "Churu")


def superfast_train(**fields):
    fields.setdefault("superfast", True)
    return make_train(
        stops=route(*STOPS, km_apart=200),
        classes=[
            {"code": "1A", "coaches": 1, "fare_per_km": "2.90"},
            {"code": "3A", "coaches": 1, "fare_per_km": "1.20"},
            {"code": "SL", "coaches": 1, "fare_per_km": "0.45"},
        ],
        **fields,
    )


# 400 km, superfast, general quota:
#   1A: 1160 + 60 + 75 = 1295, GST 64.75 -> 1359.75 -> 1360
#   3A: 480 + 40 + 45 = 565, GST 28.25 -> 593.25 -> 595
#   SL: 180 + 20 + 30 = 230 -> 230
FARE_1A = {"base": "1160.00", "reservation": "60.00", "superfast": "75.00", "tatkal": "0.00", "gst": "64.75",
           "total": "1360.00"}  # fmt: skip
FARE_3A = {"base": "480.00", "reservation": "40.00", "superfast": "45.00", "tatkal": "0.00", "gst": "28.25",
           "total": "595.00"}  # fmt: skip
FARE_SL = {"base": "180.00", "reservation": "20.00", "superfast": "30.00", "tatkal": "0.00", "gst": "0.00",
           "total": "230.00"}  # fmt: skip
# Tatkal, 3A: 30% of 480 = 144, at least 300: 480 + 40 + 45 + 300 = 865, GST 43.25 -> 908.25 -> 910
TATKAL_3A = {**FARE_3A, "tatkal": "300.00", "gst": "43.25", "total": "910.00"}

PASSENGERS = [
    {"name": "Kavya Rao", "age": 34, "gender": "F"},
    {"name": "Rohan Rao", "age": 36, "gender": "M"},
    {"name": "Ira Rao", "age": 8, "gender": "F"},
]


def _search(client, **params):
    return client.get(SEARCH, {"source": "Agra", "destination": "Churu", "date": str(tomorrow()), **params})


def test_search_shows_each_class_fare_with_its_charges_and_the_total_as_fare(user_client):
    superfast_train()

    (result,) = _search(user_client).json()["results"]

    assert [(option["class"], option["fare"], option["fare_breakdown"]) for option in result["availability"]] == [
        ("1A", "1360", FARE_1A),
        ("3A", "595", FARE_3A),
        ("SL", "230", FARE_SL),
    ]


def test_an_ordinary_train_charges_no_superfast_charge(user_client):
    superfast_train(superfast=False)

    (result,) = _search(user_client).json()["results"]

    sl = result["availability"][2]
    assert (sl["fare"], sl["fare_breakdown"]["superfast"], sl["fare_breakdown"]["total"]) == ("200", "0.00", "200.00")


def test_search_prices_another_quota_when_asked_and_tatkal_has_no_first_ac_fare():
    superfast_train()

    _count, (journey,) = search_journeys(
        source="Agra", destination="Churu", travel_date=tomorrow(), offset=0, limit=10, quota="TQ"
    )

    by_class = {option["class"]: option for option in journey["availability"]}
    assert by_class["3A"]["fare_breakdown"].as_data() == TATKAL_3A
    assert by_class["3A"]["fare"] == Decimal("910")
    assert (by_class["1A"]["fare"], by_class["1A"]["fare_breakdown"]) == (None, None)


def test_fares_cost_search_no_statement(user_client):
    superfast_train()
    make_train(stops=route("Agra", "Churu", km_apart=None), classes=[{"code": "3A", "coaches": 1}])
    user_client.get(SEARCH, {"source": "Nowhere", "destination": "Elsewhere"})  # reads the user once
    with CaptureQueriesContext(connection) as with_fares:
        assert len(_search(user_client).json()["results"]) == 2
    with CaptureQueriesContext(connection) as again:
        _search(user_client)

    # The route with its runs, the timetables (trains, stops), and the station codes, which a process
    # reads again once per timetable change (the trains above are one).
    assert len(with_fares) <= 4
    assert len(again) == 0  # the answer cache keeps the fares with the rest


def test_each_passenger_pays_the_total_and_the_booking_their_sum(user_client):
    train = superfast_train()
    body = {"train": train.id, "travel_date": str(tomorrow()), "class": "3A", "passengers": PASSENGERS}

    booking = user_client.post("/api/bookings/", body, format="json").json()

    assert booking["fare"] == "1785"  # 3 x 595
    assert [(p["fare"], p["fare_breakdown"]) for p in booking["passengers"]] == [("595", FARE_3A)] * 3
    again = user_client.get(f"/api/bookings/{booking['id']}/").json()
    assert (again["fare"], again["passengers"]) == (booking["fare"], booking["passengers"])
    (mine,) = user_client.get("/api/bookings/my/").json()["results"]
    assert (mine["fare"], mine["passengers"]) == (booking["fare"], booking["passengers"])


def test_a_booking_by_seats_alone_pays_the_total_for_each_seat(user_client):
    train = superfast_train()

    response = user_client.post(
        "/api/bookings/",
        {"train": train.id, "travel_date": str(tomorrow()), "class": "SL", "seats": 4},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["fare"] == "920"  # 4 x 230
    assert Booking.objects.get().fare_breakdown.total == Decimal("230")


def test_a_waitlisted_booking_is_priced_like_a_confirmed_one(user_client):
    train = make_train(
        stops=route(*STOPS, km_apart=200), classes=[{"code": "SL", "coaches": 1, "fare_per_km": "0.45"}], superfast=True
    )
    crowd = make_user("crowd")
    for _ in range(12):  # 72 berths
        services.book_seats(user=crowd, train=train, travel_date=tomorrow(), seats=6)

    response = user_client.post(
        "/api/bookings/",
        {"train": train.id, "travel_date": str(tomorrow()), "seats": 2, "allow_waitlist": True},
        format="json",
    )

    assert response.json()["status"] == "WAITLISTED"
    assert response.json()["fare"] == "460"


def test_a_booking_keeps_the_fare_it_was_charged_when_the_train_changes(user_client, user):
    train = superfast_train()
    booking = services.book_seats(
        user=user, train=train, travel_date=tomorrow(), class_code="SL", passengers=PASSENGERS[:1]
    )

    train_services.update_train(train_id=train.pk, superfast=False)

    shown = user_client.get(f"/api/bookings/{booking.pk}/").json()
    assert (shown["fare"], shown["passengers"][0]["fare_breakdown"]) == ("230", FARE_SL)
    (result,) = _search(user_client).json()["results"]
    assert result["availability"][2]["fare"] == "200"  # a new booking pays the ordinary fare


def test_a_confirmed_hold_is_charged_the_fare_of_its_journey(user_client):
    train = superfast_train()
    hold = user_client.post(
        "/api/holds/",
        {"train": train.id, "travel_date": str(tomorrow()), "class": "1A", "passengers": PASSENGERS[:2]},
        format="json",
    ).json()

    booking = user_client.post(f"/api/holds/{hold['id']}/confirm/").json()

    assert booking["fare"] == "2720"  # 2 x 1360
    assert [p["fare_breakdown"] for p in booking["passengers"]] == [FARE_1A, FARE_1A]


def test_pnr_status_shows_the_fare_and_each_travellers_breakdown(anon, user):
    train = superfast_train()
    booking = services.book_seats(user=user, train=train, travel_date=tomorrow(), class_code="3A", seats=2)

    body = anon.get(f"/api/pnr/{booking.pnr}/").json()

    assert body["fare"] == "1190"
    assert [(p["number"], p["fare"], p["fare_breakdown"]) for p in body["passengers"]] == [
        (1, "595", FARE_3A),
        (2, "595", FARE_3A),
    ]


def test_without_a_rate_every_fare_is_null(user_client, anon, user):
    train = make_train(stops=route(*STOPS, km_apart=200), classes=[{"code": "SL", "coaches": 1}], superfast=True)
    booking = services.book_seats(user=user, train=train, travel_date=tomorrow(), passengers=PASSENGERS[:1])

    (option,) = _search(user_client).json()["results"][0]["availability"]
    shown = user_client.get(f"/api/bookings/{booking.pk}/").json()
    pnr = anon.get(f"/api/pnr/{booking.pnr}/").json()

    assert (option["fare"], option["fare_breakdown"]) == (None, None)
    assert (shown["fare"], shown["passengers"][0]["fare"], shown["passengers"][0]["fare_breakdown"]) == (
        None,
        None,
        None,
    )
    assert (pnr["fare"], pnr["passengers"][0]["fare_breakdown"]) == (None, None)
