"""Search between any two stops (with and without a date), per class; fares; PNR status; admin filters."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings import services
from tests.bookings.helpers import tomorrow
from tests.conftest import client_for
from tests.factories import make_train, make_user, route
from trains.models import weekday_bit

pytestmark = pytest.mark.django_db
# What search says of a class with seats free, asked for the general quota.
GENERAL_AVAILABLE = {"quota": "GN", "status": "AVAILABLE", "rac_available": 0, "waitlist_next": None, "charted": False}

SEARCH = "/api/trains/search/"


def at(day, clock) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def pin_clock(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def charges(base, reservation, superfast, tatkal, gst, total) -> dict:
    """A `fare_breakdown` as the API shows it."""
    return dict(base=base, reservation=reservation, superfast=superfast, tatkal=tatkal, gst=gst, total=total)


def fared_train(**fields):
    # A 06:00, B 07:00 (150 km), C 08:00 (300 km)
    return make_train(
        stops=route("Amber", "Bhilwara", "Chittor", km_apart=150),
        classes=[
            {"code": "2A", "coaches": 1},
            {"code": "3A", "coaches": 1, "fare_per_km": "1.25"},
            {"code": "SL", "coaches": 1, "fare_per_km": "0.45"},
        ],
        **fields,
    )


# --- Search --------------------------------------------------------------------------------------


def test_search_finds_a_journey_between_intermediate_stops_with_availability_and_fares(user_client):
    train = fared_train()
    services.book_seats(user=make_user("rider"), train=train, travel_date=tomorrow(), class_code="3A", seats=4)

    body = user_client.get(SEARCH, {"source": " bhilwara ", "destination": "CHITTOR", "date": str(tomorrow())}).json()

    assert body["count"] == 1
    (result,) = body["results"]
    assert result["id"] == train.id
    assert (result["from_station"], result["to_station"]) == ("Bhilwara", "Chittor")
    assert (result["travel_date"], result["run_date"]) == (str(tomorrow()), str(tomorrow()))
    assert result["departure"] == f"{tomorrow()}T07:05:00+05:30"
    assert result["arrival"] == f"{tomorrow()}T08:00:00+05:30"
    assert (result["duration_minutes"], result["distance_km"]) == (55, 150)
    # Base fares: 150 km x 1.25 = 187.5 -> 188 (half up); x 0.45 = 67.5 -> 68; no rate -> null.
    # 3A: + 40 reservation, + 5% GST = 239.40 -> 240; SL: + 20 reservation = 88 -> 90.
    assert result["availability"] == [
        {"class": "2A", "available_seats": 48, "fare": None, "fare_breakdown": None, **GENERAL_AVAILABLE},
        {
            "class": "3A",
            "available_seats": 60,
            "fare": "240",
            "fare_breakdown": charges("188.00", "40.00", "0.00", "0.00", "11.40", "240.00"),
            **GENERAL_AVAILABLE,
        },
        {
            "class": "SL",
            "available_seats": 72,
            "fare": "90",
            "fare_breakdown": charges("68.00", "20.00", "0.00", "0.00", "0.00", "90.00"),
            **GENERAL_AVAILABLE,
        },
    ]
    assert result["available_seats"] == 48 + 60 + 72


def test_search_never_goes_backwards_along_the_route(user_client):
    fared_train()

    body = user_client.get(SEARCH, {"source": "Chittor", "destination": "Amber", "date": str(tomorrow())}).json()

    assert body["count"] == 0 and body["results"] == []


def test_the_class_filter_keeps_trains_with_that_class(user_client):
    with_3a = fared_train()
    make_train(stops=route("Amber", "Bhilwara", "Chittor"), classes=[{"code": "CC", "coaches": 2}])

    only_3a = user_client.get(SEARCH, {"source": "Amber", "destination": "Chittor", "class": "3A"}).json()
    only_cc = user_client.get(SEARCH, {"source": "Amber", "destination": "Chittor", "class": "CC"}).json()
    every = user_client.get(SEARCH, {"source": "Amber", "destination": "Chittor"}).json()
    unknown = user_client.get(SEARCH, {"source": "Amber", "destination": "Chittor", "class": "XX"})

    assert [result["id"] for result in only_3a["results"]] == [with_3a.id]
    assert [[option["class"] for option in result["availability"]] for result in only_cc["results"]] == [["CC"]]
    assert every["count"] == 2
    assert unknown.status_code == 400 and "class" in unknown.json()["fields"]


def test_fares_are_null_without_distances(user_client):
    make_train(
        stops=route("Amber", "Bhilwara", km_apart=None), classes=[{"code": "3A", "coaches": 1, "fare_per_km": "1.25"}]
    )

    result = user_client.get(SEARCH, {"source": "Amber", "destination": "Bhilwara"}).json()["results"][0]

    assert result["distance_km"] is None
    assert result["availability"] == [
        {"class": "3A", "available_seats": 64, "fare": None, "fare_breakdown": None, **GENERAL_AVAILABLE}
    ]


def test_without_a_date_each_train_is_on_its_next_departure_still_ahead(user_client, monkeypatch):
    today = timezone.localdate()
    pin_clock(monkeypatch, at(today, time(12, 0)))
    gone_today = make_train(stops=route("Pune", "Satara", start=time(10, 0)))
    later_today = make_train(stops=route("Pune", "Satara", start=time(14, 0)))
    next_week = today + timedelta(days=7)
    weekly_gone = make_train(stops=route("Pune", "Satara", start=time(9, 0)), runs_on_mask=weekday_bit(today.weekday()))

    results = user_client.get(SEARCH, {"source": "Pune", "destination": "Satara"}).json()["results"]

    # By the actual departure: today 14:00, tomorrow 10:00, next week 09:00.
    assert [(result["id"], result["travel_date"]) for result in results] == [
        (later_today.id, str(today)),
        (gone_today.id, str(today + timedelta(days=1))),
        (weekly_gone.id, str(next_week)),
    ]
    assert [result["departure"] for result in results] == [
        f"{today}T14:00:00+05:30",
        f"{today + timedelta(days=1)}T10:00:00+05:30",
        f"{next_week}T09:00:00+05:30",
    ]


def test_without_a_date_a_stop_left_after_midnight_may_be_on_yesterdays_run(user_client, monkeypatch):
    today = timezone.localdate()
    # X 20:00, Y 23:05, Z 02:05 on day 1, W 05:00 on day 1
    train = make_train(stops=route("X", "Y", "Z", "W", start=time(20, 0), minutes_apart=180))

    pin_clock(monkeypatch, at(today, time(1, 0)))  # yesterday's run is on its way to Z
    early = user_client.get(SEARCH, {"source": "Z", "destination": "W"}).json()["results"]
    pin_clock(monkeypatch, at(today, time(3, 0)))  # it has left Z: the next one is tonight's run
    late = user_client.get(SEARCH, {"source": "Z", "destination": "W"}).json()["results"]

    assert [(r["id"], r["travel_date"], r["run_date"]) for r in early] == [
        (train.id, str(today), str(today - timedelta(days=1)))
    ]
    assert [(r["travel_date"], r["run_date"]) for r in late] == [(str(today + timedelta(days=1)), str(today))]


def test_with_a_date_the_weekday_is_that_of_the_origin_date(user_client):
    origin = tomorrow()
    train = make_train(
        stops=route("X", "Y", "Z", "W", start=time(20, 0), minutes_apart=180),
        runs_on_mask=weekday_bit(origin.weekday()),
    )

    next_day = user_client.get(SEARCH, {"source": "Z", "destination": "W", "date": str(origin + timedelta(days=1))})
    same_day = user_client.get(SEARCH, {"source": "Z", "destination": "W", "date": str(origin)})
    from_start = user_client.get(SEARCH, {"source": "X", "destination": "W", "date": str(origin)})

    assert [(r["id"], r["run_date"]) for r in next_day.json()["results"]] == [(train.id, str(origin))]
    assert same_day.json()["count"] == 0
    assert [r["travel_date"] for r in from_start.json()["results"]] == [str(origin)]


# --- Fares on bookings ---------------------------------------------------------------------------


def test_a_booking_costs_the_fare_per_passenger_times_passengers(user_client):
    train = fared_train()
    body = {"train": train.id, "travel_date": str(tomorrow()), "to_station": "Bhilwara", "class": "3A", "seats": 2}

    response = user_client.post("/api/bookings/", body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["fare"] == "480"  # 2 x (round(187.5) + 40 + 5% GST, up to 240)
    whole = user_client.post("/api/bookings/", {**body, "to_station": "Chittor", "seats": 3}, format="json")
    assert whole.json()["fare"] == "1320"  # 3 x (300 km x 1.25 + 40 + 5% GST = 435.75, up to 440)
    no_rate = user_client.post("/api/bookings/", {**body, "class": "2A"}, format="json")
    assert no_rate.status_code == 201 and no_rate.json()["fare"] is None


# --- PNR status ----------------------------------------------------------------------------------


def test_pnr_status_needs_no_token_and_shows_no_personal_data(anon):
    train = fared_train()
    booking = services.book_seats(
        user=make_user("secretive", email="secretive@example.com"),
        train=train,
        travel_date=tomorrow(),
        from_station="Bhilwara",
        class_code="SL",
        passengers=[
            {"name": "Meera Kulkarni", "age": 67, "gender": "F", "berth_preference": None},
            {"name": "Arjun Kulkarni", "age": 41, "gender": "M", "berth_preference": "SU"},
        ],
    )

    response = anon.get(f"/api/pnr/{booking.pnr}/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["pnr"] == booking.pnr and body["status"] == "CONFIRMED"
    assert body["train"] == {"train_number": train.train_number, "name": train.name}
    assert (body["travel_date"], body["from_station"], body["to_station"]) == (str(tomorrow()), "Bhilwara", "Chittor")
    assert body["departure"] == f"{tomorrow()}T07:05:00+05:30"
    assert body["class"] == "SL"
    assert [
        {key: p[key] for key in ("number", "status", "coach", "berth", "berth_type")} for p in body["passengers"]
    ] == [
        {"number": 1, "status": "CONFIRMED", "coach": "S1", "berth": 1, "berth_type": "LB"},
        {"number": 2, "status": "CONFIRMED", "coach": "S1", "berth": 8, "berth_type": "SU"},
    ]
    text = response.content.decode()
    for secret in ("Meera", "Arjun", "Kulkarni", "secretive", '"gender"', '"age"', '"user'):
        assert secret not in text, secret
    # The ages may not appear as values anywhere (the PNR and times are digits too, so not as text).
    values = [value for passenger in body["passengers"] for value in passenger.values()]
    assert 67 not in values and 41 not in values


def test_pnr_status_of_a_waitlisted_booking_and_with_a_bad_token(anon, settings):
    settings.WAITLIST_PERCENT = 100
    train = make_train(total_seats=1)
    rider = make_user("rider")
    services.book_seats(user=rider, train=train, travel_date=tomorrow(), seats=1)
    waiting = services.book_seats(user=rider, train=train, travel_date=tomorrow(), seats=1, allow_waitlist=True)
    anon.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    body = anon.get(f"/api/pnr/{waiting.pnr}/").json()

    assert (body["status"], body["waitlist_position"]) == ("WAITLISTED", 1)
    assert [(p["status"], p["coach"], p["berth"]) for p in body["passengers"]] == [("WAITLISTED", None, None)]


@pytest.mark.parametrize("pnr", ["1234567890", "0000000000", "abc", "9" * 40])
def test_an_unknown_pnr_is_a_404(anon, pnr):
    make_train()

    response = anon.get(f"/api/pnr/{pnr}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Operators' list filtered by class -----------------------------------------------------------


def test_operators_filter_bookings_by_class(admin_client):
    train = fared_train()
    rider = make_user("rider")
    in_3a = services.book_seats(user=rider, train=train, travel_date=tomorrow(), class_code="3A", seats=1)
    services.book_seats(user=rider, train=train, travel_date=tomorrow(), class_code="SL", seats=1)

    filtered = admin_client.get("/api/bookings/", {"class": "3A"}).json()
    bad = admin_client.get("/api/bookings/", {"class": "XYZ"})

    assert [booking["id"] for booking in filtered["results"]] == [in_3a.id]
    assert filtered["results"][0]["class"] == "3A"
    assert admin_client.get("/api/bookings/").json()["count"] == 2
    assert bad.status_code == 400


def test_bookings_of_other_users_stay_hidden_with_classes(user):
    train = fared_train()
    theirs = services.book_seats(user=make_user("other"), train=train, travel_date=tomorrow(), class_code="SL", seats=1)

    assert client_for(user).get(f"/api/bookings/{theirs.id}/").status_code == 404


def test_a_new_route_is_searchable_at_once_and_the_old_one_is_not(admin_client, user_client):
    stops = [
        {"station": "Amber", "departure_time": "06:00", "distance_km": 0},
        {"station": "Bhilwara", "arrival_time": "07:00", "departure_time": "07:05", "distance_km": 150},
        {"station": "Chittor", "arrival_time": "08:00", "distance_km": 300},
    ]
    body = {"train_number": "12345", "name": "Route Changer", "stops": stops, "total_seats": 50}
    train_id = admin_client.post("/api/trains/", body, format="json").json()["id"]
    found = lambda source, destination: [  # noqa: E731
        result["id"]
        for result in user_client.get(SEARCH, {"source": source, "destination": destination}).json()["results"]
    ]
    assert found("Bhilwara", "Chittor") == [train_id]

    stops[1]["station"] = "Kota Junction"
    response = admin_client.put(f"/api/trains/{train_id}/", {**body, "stops": stops}, format="json")

    assert response.status_code == 200, response.content
    assert found("Kota Junction", "Chittor") == [train_id]
    assert found("Amber", "Kota Junction") == [train_id]
    assert found("Bhilwara", "Chittor") == []
    assert found("Chittor", "Amber") == []  # pairs run forward only
