"""Seats picked on the seat map go to the right people: the passengers' berth preferences first,
then lower berths to those aged 60 or more, then the rest in the order they are listed; never
the order the names happened to be typed in."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookings.inventory.seat_choice import PassengerRequest, assign_chosen_seats
from tests.bookings.helpers import tomorrow
from tests.factories import make_train, route
from trains.layouts import LAYOUTS, berth_type_of

# 3A: seats 1..8 of coach B1 are LB MB UB LB MB UB SL SU.


def person(name, age=30, preference=None):
    return PassengerRequest(name=name, age=age, gender="F", berth_preference=preference)


def test_the_issues_example_the_senior_gets_the_lower_and_the_upper_goes_to_who_asked():
    # In form order, Asha (asked for an upper) got lower 4 and Meera, 68, side-upper 8.
    passengers = [person("Asha", 34, "UB"), person("Kabir", 30), person("Meera", 68)]

    seats = assign_chosen_seats(seat_numbers=[4, 6, 8], code="3A", passengers=passengers)

    assert seats == [6, 8, 4]
    assert [berth_type_of("3A", seat) for seat in seats] == ["UB", "SU", "LB"]


def test_a_stated_preference_comes_before_a_seniors_lower_berth():
    passengers = [person("Senior", 70), person("Asked for lower", 30, "LB")]

    assert assign_chosen_seats(seat_numbers=[1, 2], code="3A", passengers=passengers) == [2, 1]


def test_of_two_seniors_and_one_lower_berth_the_first_listed_gets_it():
    passengers = [person("Younger", 25), person("First senior", 61), person("Second senior", 80)]

    assert assign_chosen_seats(seat_numbers=[3, 2, 1], code="3A", passengers=passengers) == [2, 1, 3]


def test_without_wishes_the_seats_go_lowest_first_in_the_order_passengers_are_listed():
    passengers = [person("A"), person("B"), person("C")]

    assert assign_chosen_seats(seat_numbers=[8, 2, 5], code="3A", passengers=passengers) == [2, 5, 8]


def test_a_preference_none_of_the_chosen_seats_meets_gets_a_seat_left_over():
    passengers = [person("Wants side lower", 30, "SL"), person("Senior", 65)]

    assert assign_chosen_seats(seat_numbers=[3, 4], code="3A", passengers=passengers) == [3, 4]


def test_seats_without_berth_types_go_in_order_even_to_seniors():
    passengers = [person("Young"), person("Senior", 90)]

    assert assign_chosen_seats(seat_numbers=[40, 7], code="GEN", passengers=passengers) == [7, 40]


def test_one_seat_per_passenger_is_required():
    with pytest.raises(ValueError):
        assign_chosen_seats(seat_numbers=[1, 2], code="3A", passengers=[person("Alone")])


sleeper_types = [None, *dict.fromkeys(LAYOUTS["SL"].berth_types)]


@given(
    seats=st.lists(st.integers(1, 144), min_size=1, max_size=6, unique=True).flatmap(
        lambda seats: st.tuples(
            st.just(seats),
            st.lists(
                st.tuples(st.integers(1, 99), st.sampled_from(sleeper_types)),
                min_size=len(seats),
                max_size=len(seats),
            ),
        )
    )
)
def test_every_chosen_seat_goes_to_exactly_one_passenger_and_no_senior_is_passed_over(seats):
    seat_numbers, people = seats
    passengers = [person(f"P{i}", age, preference) for i, (age, preference) in enumerate(people)]

    given_out = assign_chosen_seats(seat_numbers=seat_numbers, code="SL", passengers=passengers)

    assert sorted(given_out) == sorted(seat_numbers)
    by_type = [berth_type_of("SL", seat) for seat in given_out]
    for passenger, berth_type in zip(passengers, by_type, strict=True):
        if passenger.berth_preference and berth_type != passenger.berth_preference:
            # Unmet only when every chosen seat of that type went to someone who asked for it.
            assert all(
                other.berth_preference == passenger.berth_preference
                for other, other_type in zip(passengers, by_type, strict=True)
                if other_type == passenger.berth_preference
            )
        if not passenger.berth_preference and passenger.age >= 60 and berth_type != "LB":
            # A lower berth went to someone else only if they asked for it or are a senior too.
            assert all(
                other.berth_preference == "LB" or (not other.berth_preference and other.age >= 60)
                for other, other_type in zip(passengers, by_type, strict=True)
                if other_type == "LB"
            )


@pytest.mark.django_db
def test_a_hold_of_chosen_seats_seats_the_passengers_by_their_wishes_and_the_booking_keeps_it(user_client, user):
    train = make_train(stops=route("A", "B"), classes=[{"code": "3A", "coaches": 1}])
    body = {
        "train": train.id,
        "travel_date": str(tomorrow()),
        "seat_numbers": [4, 6, 8],
        "passengers": [
            {"name": "Asha", "age": 34, "gender": "F", "berth_preference": "UB"},
            {"name": "Kabir", "age": 30, "gender": "M", "berth_preference": None},
            {"name": "Meera", "age": 68, "gender": "F", "berth_preference": None},
        ],
    }

    held = user_client.post("/api/holds/", body, format="json")

    assert held.status_code == 201, held.content
    seated = [(p["name"], p["seat_number"], p["berth_type"]) for p in held.json()["passengers"]]
    assert seated == [("Asha", 6, "UB"), ("Kabir", 8, "SU"), ("Meera", 4, "LB")]
    assert held.json()["seat_numbers"] == [4, 6, 8]

    booking = user_client.post(f"/api/holds/{held.json()['id']}/confirm/")

    assert booking.status_code == 201, booking.content
    assert [(p["name"], p["seat_number"]) for p in booking.json()["passengers"]] == [
        ("Asha", 6),
        ("Kabir", 8),
        ("Meera", 4),
    ]
