from datetime import timedelta

import pytest
from django.utils import timezone

from analytics import selectors
from bookings.cancellation import cancel_passengers
from bookings.services import book_seats, cancel_booking
from tests.factories import make_train, make_user, route

pytestmark = pytest.mark.django_db

BOOKING_FIGURES = "/api/analytics/bookings/"


def test_figures_count_bookings_by_status_and_rank_trains_by_seats_sold(user, admin_client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    rajdhani = make_train(train_number="12951", name="Rajdhani", total_seats=10)
    shatabdi = make_train(train_number="12002", name="Shatabdi")
    duronto = make_train(train_number="12260", name="Duronto")
    garib_rath = make_train(train_number="12216", name="Garib Rath")
    book_seats(user=user, train=rajdhani, travel_date=tomorrow, seats=6)
    book_seats(user=user, train=rajdhani, travel_date=tomorrow, seats=4)
    book_seats(user=user, train=rajdhani, travel_date=tomorrow, seats=2, allow_waitlist=True)
    changed_mind = book_seats(user=user, train=shatabdi, travel_date=tomorrow, seats=2)
    cancel_booking(booking_id=changed_mind.id, by=user)
    book_seats(user=user, train=shatabdi, travel_date=tomorrow, seats=3)
    book_seats(user=user, train=duronto, travel_date=tomorrow, seats=1)
    book_seats(user=user, train=garib_rath, travel_date=tomorrow, seats=1)

    response = admin_client.get(BOOKING_FIGURES)

    assert response.status_code == 200
    assert response.json() == {
        "bookings": 7,
        "confirmed": 5,
        "rac": 0,
        "waitlisted": 1,
        "cancelled": 1,
        "seats_sold": 15,
        "top_trains": [
            {"train_number": "12951", "name": "Rajdhani", "bookings": 3, "seats_sold": 10},
            {"train_number": "12002", "name": "Shatabdi", "bookings": 2, "seats_sold": 3},
            # Equal sales and bookings: by train number.
            {"train_number": "12216", "name": "Garib Rath", "bookings": 1, "seats_sold": 1},
            {"train_number": "12260", "name": "Duronto", "bookings": 1, "seats_sold": 1},
        ],
        # Version-1 trains sell one class, GEN, without fares.
        "by_class": [{"class": "GEN", "bookings": 7, "seats_sold": 15, "revenue": None}],
    }


def test_top_trains_are_the_five_best_sellers(user, admin_client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    for seats in range(1, 7):
        book_seats(user=user, train=make_train(name=f"Express {seats}"), travel_date=tomorrow, seats=seats)

    top_trains = admin_client.get(BOOKING_FIGURES).json()["top_trains"]

    assert [train["seats_sold"] for train in top_trains] == [6, 5, 4, 3, 2]


def test_no_bookings_means_zeros(admin_client):
    response = admin_client.get(BOOKING_FIGURES)

    assert response.json() == {
        "bookings": 0,
        "confirmed": 0,
        "rac": 0,
        "waitlisted": 0,
        "cancelled": 0,
        "seats_sold": 0,
        "top_trains": [],
        "by_class": [],
    }


def test_figures_take_the_same_two_queries_however_many_bookings(user, django_assert_num_queries):
    tomorrow = timezone.localdate() + timedelta(days=1)
    for _ in range(3):
        train = make_train()
        for _ in range(3):
            book_seats(user=user, train=train, travel_date=tomorrow, seats=2)

    with django_assert_num_queries(2):
        selectors.booking_figures()


def test_by_class_counts_bookings_seats_and_fares_of_confirmed_bookings_per_class(user, admin_client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    train = make_train(
        stops=route("A", "B", "C", km_apart=150),
        classes=[{"code": "3A", "coaches": 1, "fare_per_km": "1.25"}, {"code": "SL", "coaches": 1}],
    )
    book_seats(user=user, train=train, travel_date=tomorrow, class_code="3A", seats=2)  # 2 x 440
    book_seats(user=user, train=train, travel_date=tomorrow, class_code="3A", seats=1, from_station="B")  # 240
    dropped = book_seats(user=user, train=train, travel_date=tomorrow, class_code="3A", seats=3)
    cancel_booking(booking_id=dropped.id, by=make_user("ops", role="ADMIN"))
    book_seats(user=user, train=train, travel_date=tomorrow, class_code="SL", seats=4)

    by_class = admin_client.get(BOOKING_FIGURES).json()["by_class"]

    assert sorted(by_class, key=lambda row: row["class"]) == [
        # Fares with their charges: 300 km x 1.25 = 375 + 40 reservation + 5% GST = 435.75, up
        # to 440; 150 km: 188 + 40 + 11.40 = 239.40, up to 240.
        {"class": "3A", "bookings": 3, "seats_sold": 3, "revenue": "1120"},
        {"class": "SL", "bookings": 1, "seats_sold": 4, "revenue": None},
    ]


def test_seats_sold_are_the_passengers_holding_a_confirmed_berth_now(user, admin_client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    sleeper = make_train(
        train_number="12627",
        name="Karnataka Express",
        classes=[{"code": "SL", "seats": 8, "rac_berths": 1, "fare_per_km": "0.50"}],
    )
    party = [{"name": f"Traveller {n}", "age": 30 + n, "gender": "F"} for n in range(1, 5)]
    four = book_seats(user=user, train=sleeper, travel_date=tomorrow, class_code="SL", passengers=party)
    cancel_passengers(booking_id=four.id, by=user, passengers=[2])  # three still travel
    # Four berths are left besides the RAC berth: four confirmed, then two RAC places on it.
    mixed = book_seats(user=user, train=sleeper, travel_date=tomorrow, class_code="SL", seats=6, allow_waitlist=True)
    assert [p.status for p in mixed.passengers.order_by("position")] == ["CNF"] * 4 + ["RAC"] * 2

    figures = admin_client.get(BOOKING_FIGURES).json()

    assert (figures["bookings"], figures["confirmed"], figures["rac"], figures["waitlisted"]) == (2, 1, 1, 0)
    assert figures["seats_sold"] == 3 + 4
    assert figures["top_trains"] == [
        {"train_number": "12627", "name": "Karnataka Express", "bookings": 2, "seats_sold": 7}
    ]
    assert [(row["class"], row["bookings"], row["seats_sold"]) for row in figures["by_class"]] == [("SL", 2, 7)]
