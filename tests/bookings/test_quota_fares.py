"""A quota and its fare together: a booking, a hold and search are priced for the quota asked, so a
Tatkal traveller pays the Tatkal charge and a general one does not."""

import pytest

from bookings import services
from tests.bookings.test_quotas import (
    EVE,
    RUN_DATE,
    at,
    body,
    people,
    user_client,  # noqa: F401 - the fixture, authenticated without a token
)
from tests.factories import make_train, make_user, route

pytestmark = pytest.mark.django_db

# 3A at 1.20 a km over 500 km: base 600, reservation 40; Tatkal 30% of 600 = 180, raised to 3A's
# least, 300; GST 5%.
GENERAL_3A = {"base": "600.00", "reservation": "40.00", "superfast": "0.00", "tatkal": "0.00"}
GENERAL_3A |= {"gst": "32.00", "total": "675.00"}  # 672 rounded up to 675
TATKAL_3A = {"base": "600.00", "reservation": "40.00", "superfast": "0.00", "tatkal": "300.00"}
TATKAL_3A |= {"gst": "47.00", "total": "990.00"}  # 987 rounded up to 990


def fared_train():
    return make_train(
        stops=route("Agra", "Bhopal", km_apart=500),
        classes=[
            {"code": "1A", "coaches": 1, "fare_per_km": "3.00"},
            {"code": "3A", "coaches": 1, "fare_per_km": "1.20", "quotas": {"TQ": 16}},
        ],
    )


def test_a_tatkal_booking_pays_the_tatkal_charge_and_a_general_one_does_not(user_client):  # noqa: F811
    train = fared_train()
    travellers = people((30, "M"), (41, "F"))

    with at(EVE, 10, 0, 1):
        tatkal = user_client.post(
            "/api/bookings/", body(train, quota="TQ", passengers=travellers, **{"class": "3A"}), format="json"
        )
        general = user_client.post(
            "/api/bookings/", body(train, quota="GN", passengers=travellers, **{"class": "3A"}), format="json"
        )

    assert tatkal.status_code == 201, tatkal.json()
    assert (tatkal.json()["quota"], tatkal.json()["fare"]) == ("TQ", "1980")
    assert [p["fare_breakdown"] for p in tatkal.json()["passengers"]] == [TATKAL_3A, TATKAL_3A]
    assert (general.json()["quota"], general.json()["fare"]) == ("GN", "1350")
    assert [p["fare_breakdown"] for p in general.json()["passengers"]] == [GENERAL_3A, GENERAL_3A]
    pnr = user_client.get(f"/api/pnr/{tatkal.json()['pnr']}/").json()
    assert (pnr["quota"], pnr["fare"], pnr["passengers"][0]["fare_breakdown"]) == ("TQ", "1980", TATKAL_3A)


def test_a_confirmed_tatkal_hold_is_charged_the_tatkal_fare():
    train, rider = fared_train(), make_user("rider")

    with at(EVE, 10, 30):
        hold = services.hold_seats(user=rider, train=train, travel_date=RUN_DATE, seats=2, class_code="3A", quota="TQ")
        booking = services.confirm_hold(hold_id=hold.pk, by=rider)

    booking.refresh_from_db()
    assert (booking.quota, booking.fare, booking.tatkal_charge) == ("TQ", 1980, 300)


def test_search_shows_each_class_s_fare_in_the_quota_asked(user_client):  # noqa: F811
    fared_train()

    with at(EVE, 10, 30):
        general = user_client.get("/api/trains/search/", {"source": "Agra", "destination": "Bhopal"}).json()
        tatkal = user_client.get(
            "/api/trains/search/", {"source": "Agra", "destination": "Bhopal", "quota": "TQ"}
        ).json()

    first_class, general_3a = general["results"][0]["availability"]
    assert (general_3a["quota"], general_3a["status"], general_3a["fare"]) == ("GN", "AVAILABLE", "675")
    assert general_3a["fare_breakdown"] == GENERAL_3A
    assert first_class["fare"] is not None
    no_tatkal, tatkal_3a = tatkal["results"][0]["availability"]
    assert (tatkal_3a["quota"], tatkal_3a["status"], tatkal_3a["available_seats"]) == ("TQ", "AVAILABLE", 16)
    assert (tatkal_3a["fare"], tatkal_3a["fare_breakdown"]) == ("990", TATKAL_3A)
    # 1A has no Tatkal: no seats in that pool, and no Tatkal fare.
    assert (no_tatkal["status"], no_tatkal["fare"], no_tatkal["fare_breakdown"]) == ("REGRET", None, None)
