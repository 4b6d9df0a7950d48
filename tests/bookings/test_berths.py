"""Classes, coaches and berths: the arithmetic of the layouts in docs/api.md (Classes and berths), berth preferences, seniors, one coach."""

import itertools

import pytest

from bookings import services
from bookings.models import Booking
from tests.bookings.helpers import tomorrow
from tests.factories import make_train, make_user, route
from trains.layouts import berth_of

pytestmark = pytest.mark.django_db

# The table of docs/api.md (Classes and berths), copied rather than imported: the layouts are checked against the contract.
CONTRACT = {
    "1A": ("H", 24, "LB UB"),
    "2A": ("A", 48, "LB UB LB UB SL SU"),
    "3A": ("B", 64, "LB MB UB LB MB UB SL SU"),
    "SL": ("S", 72, "LB MB UB LB MB UB SL SU"),
    "CC": ("C", 75, "W M A A W"),
    "2S": ("D", 108, "W M A A M W"),
}


@pytest.mark.parametrize("code", list(CONTRACT))
def test_every_seat_of_every_class_is_where_the_contract_puts_it(code):
    prefix, per_coach, pattern = CONTRACT[code]
    types = pattern.split()
    coaches = 3
    for seat in range(1, coaches * per_coach + 1):
        coach = -(-seat // per_coach)  # ceil
        berth = seat - (coach - 1) * per_coach
        assert berth_of(code, seat).as_dict() == {
            "seat_number": seat,
            "coach": f"{prefix}{coach}",
            "berth": berth,
            "berth_type": types[(berth - 1) % len(types)],
        }, seat


@pytest.mark.parametrize(
    ("code", "seat", "coach", "berth", "berth_type"),
    [
        ("SL", 1, "S1", 1, "LB"),
        ("SL", 72, "S1", 72, "SU"),
        ("SL", 73, "S2", 1, "LB"),
        ("SL", 144, "S2", 72, "SU"),
        ("3A", 64, "B1", 64, "SU"),
        ("3A", 65, "B2", 1, "LB"),
        ("3A", 7, "B1", 7, "SL"),
        ("2A", 48, "A1", 48, "SU"),
        ("2A", 49, "A2", 1, "LB"),
        ("2A", 5, "A1", 5, "SL"),
        ("1A", 24, "H1", 24, "UB"),
        ("1A", 25, "H2", 1, "LB"),
        ("CC", 75, "C1", 75, "W"),
        ("CC", 76, "C2", 1, "W"),
        ("CC", 3, "C1", 3, "A"),
        ("2S", 108, "D1", 108, "W"),
        ("2S", 109, "D2", 1, "W"),
        ("2S", 5, "D1", 5, "M"),
        ("GEN", 17, None, 17, None),
    ],
)
def test_coach_boundaries(code, seat, coach, berth, berth_type):
    assert berth_of(code, seat).as_dict() == {
        "seat_number": seat,
        "coach": coach,
        "berth": berth,
        "berth_type": berth_type,
    }


def test_the_seat_map_of_a_class_lists_its_free_berths(user_client):
    train = make_train(stops=route("A", "B"), classes=[{"code": "SL", "coaches": 2}, {"code": "3A", "coaches": 1}])
    services.book_seats(user=make_user("rider"), train=train, travel_date=tomorrow(), class_code="SL", seats=2)

    body = user_client.get(f"/api/trains/{train.id}/seats/", {"date": str(tomorrow()), "class": "SL"}).json()

    assert body["class"] == "SL"
    assert (body["total_seats"], body["available_seats"]) == (144, 142)
    assert body["free_seat_numbers"] == list(range(3, 145))
    general = {"quota": "GN", "rac": False}  # a class without quotas or RAC: every berth is GN
    assert body["free_berths"] == [{**berth_of("SL", seat).as_dict(), **general} for seat in range(3, 145)]
    assert body["free_berths"][70] == {"seat_number": 73, "coach": "S2", "berth": 1, "berth_type": "LB", **general}
    other = user_client.get(f"/api/trains/{train.id}/seats/", {"date": str(tomorrow()), "class": "3A"}).json()
    assert (other["class"], other["available_seats"], other["free_seat_numbers"][0]) == ("3A", 64, 1)


def test_the_seat_map_of_a_train_with_several_classes_needs_the_class(user_client):
    train = make_train(stops=route("A", "B"), classes=[{"code": "SL", "coaches": 1}, {"code": "3A", "coaches": 1}])

    missing = user_client.get(f"/api/trains/{train.id}/seats/", {"date": str(tomorrow())})
    unknown = user_client.get(f"/api/trains/{train.id}/seats/", {"date": str(tomorrow()), "class": "1A"})

    assert missing.status_code == 400 and "class" in missing.json()["fields"]
    assert unknown.status_code == 400 and "class" in unknown.json()["fields"]


def passenger(name, age=30, preference=None, gender="M"):
    return {"name": name, "age": age, "gender": gender, "berth_preference": preference}


_bookers = itertools.count(1)


def book_passengers(train, passengers, code="SL", user=None):
    return services.book_seats(
        user=user or make_user(f"booker{next(_bookers)}"),
        train=train,
        travel_date=tomorrow(),
        class_code=code,
        passengers=passengers,
    )


@pytest.fixture
def sleeper():
    return make_train(stops=route("A", "B", "C"), classes=[{"code": "SL", "coaches": 2}])


def types_of(booking):
    return [berth_of(booking.class_code, p.seat_number).berth_type for p in booking.passengers.order_by("position")]


def test_berth_preferences_are_honoured_when_free(sleeper, user_client):
    response = user_client.post(
        "/api/bookings/",
        {
            "train": sleeper.id,
            "travel_date": str(tomorrow()),
            "passengers": [passenger("Asha", 34, "UB", "F"), passenger("Ravi", 36, "SL"), passenger("Kid", 8)],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["class"] == "SL" and body["seats"] == 3
    people = body["passengers"]
    assert [p["name"] for p in people] == ["Asha", "Ravi", "Kid"]
    assert [(p["seat_number"], p["coach"], p["berth"], p["berth_type"]) for p in people] == [
        (3, "S1", 3, "UB"),
        (7, "S1", 7, "SL"),
        (1, "S1", 1, "LB"),
    ]
    assert body["seat_numbers"] == [1, 3, 7]
    assert [p["berth_preference"] for p in people] == ["UB", "SL", None]


def test_a_preference_that_cant_be_met_still_books_another_berth():
    train = make_train(stops=route("A", "B"), classes=[{"code": "1A", "coaches": 1}])  # LB UB x 12
    rider = make_user("rider")
    services.hold_seats(user=rider, train=train, travel_date=tomorrow(), seat_numbers=[2, 4, 6, 8, 10, 12])
    services.hold_seats(user=rider, train=train, travel_date=tomorrow(), seat_numbers=[14, 16, 18, 20, 22, 24])

    booking = book_passengers(train, [passenger("Wants upper", 30, "UB")], code="1A", user=rider)

    assert booking.status == "CONFIRMED"
    assert types_of(booking) == ["LB"]
    assert [p.seat_number for p in booking.passengers.all()] == [1]


def test_a_passenger_aged_60_without_preference_gets_a_lower_berth(sleeper):
    rider = make_user("rider")
    book_passengers(sleeper, [passenger("First", 30)], user=rider)  # seat 1, the first LB

    senior = book_passengers(sleeper, [passenger("Senior", 60)], user=rider)
    younger = book_passengers(sleeper, [passenger("Younger", 59)], user=rider)

    assert [p.seat_number for p in senior.passengers.all()] == [4]
    assert types_of(senior) == ["LB"]
    assert [p.seat_number for p in younger.passengers.all()] == [2]


def test_a_senior_with_a_preference_gets_the_preference(sleeper):
    booking = book_passengers(sleeper, [passenger("Senior", 72, "SU")])

    assert types_of(booking) == ["SU"]


def test_six_passengers_with_preferences_travel_in_one_coach(sleeper):
    rider = make_user("rider")
    for _ in range(11):
        services.book_seats(user=rider, train=sleeper, travel_date=tomorrow(), class_code="SL", seats=6)
    # S1 has 67..72 free: UB LB MB UB SL SU; S2 is empty.
    wishes = ["LB", "LB", "MB", "UB", "SL", "SU"]

    booking = book_passengers(sleeper, [passenger(f"P{i}", 30, wish) for i, wish in enumerate(wishes)], user=rider)

    coaches = {berth_of("SL", p.seat_number).coach for p in booking.passengers.all()}
    assert coaches == {"S2"}
    assert types_of(booking) == wishes


def test_a_group_with_one_wish_stays_in_the_lowest_coach_that_meets_it(sleeper):
    rider = make_user("rider")
    for _ in range(11):
        services.book_seats(user=rider, train=sleeper, travel_date=tomorrow(), class_code="SL", seats=6)

    booking = book_passengers(
        sleeper, [passenger("Lower", 30, "LB"), *(passenger(f"P{i}") for i in range(5))], user=rider
    )

    seats = [p.seat_number for p in booking.passengers.all()]
    assert sorted(seats) == [67, 68, 69, 70, 71, 72]
    assert seats[0] == 68  # the one LB left in S1


def test_a_preference_the_class_does_not_have_is_a_400(user_client, sleeper):
    response = user_client.post(
        "/api/bookings/",
        {"train": sleeper.id, "travel_date": str(tomorrow()), "passengers": [passenger("Window", 30, "W")]},
        format="json",
    )

    assert response.status_code == 400
    assert "passengers" in response.json()["fields"]


@pytest.mark.parametrize(
    "extra",
    [
        {"seats": 2, "passengers": [passenger("One")]},
        {"passengers": []},
        {"passengers": [passenger(f"P{i}") for i in range(7)]},
        {"passengers": [{"name": "", "age": 30, "gender": "M"}]},
        {"passengers": [{"name": "Old", "age": 126, "gender": "M"}]},
        {"passengers": [{"name": "Nobody", "age": 30, "gender": "X"}]},
        {"passengers": [{"name": "x" * 51, "age": 30, "gender": "F"}]},
    ],
)
def test_malformed_passengers_are_a_400_and_book_nothing(user_client, sleeper, extra):
    response = user_client.post(
        "/api/bookings/", {"train": sleeper.id, "travel_date": str(tomorrow()), **extra}, format="json"
    )

    assert response.status_code == 400, response.content
    assert {"seats", "passengers"} & set(response.json()["fields"])
    assert not Booking.objects.exists()
