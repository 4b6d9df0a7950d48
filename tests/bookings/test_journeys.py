"""Journeys between intermediate stops: origin date vs travel date, and the segment-aware waitlist."""

from datetime import time, timedelta

import pytest

from bookings import selectors, services
from bookings.errors import SoldOut, WaitlistFull
from bookings.models import MAX_SEATS_PER_BOOKING, Booking, SeatAllocation
from tests.bookings.helpers import tomorrow
from tests.conftest import client_for
from tests.factories import make_train, make_user, route
from trains.models import weekday_bit

pytestmark = pytest.mark.django_db


def overnight_train(**fields):
    # X 20:00, Y 23:00-23:05, Z 02:00-02:05 (day 1), W 05:00 (day 1)
    return make_train(stops=route("X", "Y", "Z", "W", start=time(20, 0), minutes_apart=180), total_seats=4, **fields)


def journey(user, train, from_station, to_station, travel_date=None, seats=1, **extra):
    return services.book_seats(
        user=user,
        train=train,
        travel_date=travel_date or tomorrow(),
        from_station=from_station,
        to_station=to_station,
        seats=seats,
        **extra,
    )


# --- Travel date vs origin date ----------------------------------------------------------------


def test_a_stop_left_the_next_day_booked_for_d_lands_on_the_run_of_d_minus_1(user):
    train = overnight_train()
    origin = tomorrow()
    boarding_day = origin + timedelta(days=1)

    response = client_for(user).post(
        "/api/bookings/",
        {"train": train.id, "travel_date": str(boarding_day), "from_station": "z", "to_station": "W", "seats": 1},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["travel_date"], body["run_date"]) == (str(boarding_day), str(origin))
    assert (body["from_station"], body["to_station"]) == ("Z", "W")
    assert body["departure"] == f"{boarding_day}T02:05:00+05:30"
    assert body["arrival"] == f"{boarding_day}T05:00:00+05:30"
    booking = Booking.objects.get(pk=body["id"])
    assert booking.run.run_date == origin
    assert sorted(booking.allocations.values_list("segment", "seat_number")) == [(2, 1)]
    # The run's seat map (from its first stop, on its origin date) shows the seat taken on Z -> W.
    whole_route = client_for(user).get(f"/api/trains/{train.id}/seats/", {"date": str(origin)}).json()
    assert whole_route["run_date"] == str(origin)
    assert whole_route["free_seat_numbers"] == [2, 3, 4]
    from_z = client_for(user).get(f"/api/trains/{train.id}/seats/", {"date": str(boarding_day), "from": "Z"}).json()
    assert (from_z["run_date"], from_z["travel_date"]) == (str(origin), str(boarding_day))
    assert from_z["free_seat_numbers"] == [2, 3, 4]
    # Before Z the seat is still free on that run.
    x_to_z = selectors.seat_map(train=train, travel_date=origin, from_station="X", to_station="Z")
    assert x_to_z["free_seat_numbers"] == [1, 2, 3, 4]


def test_the_weekday_rule_is_on_the_origin_date_not_the_travel_date(user):
    origin = tomorrow()
    train = overnight_train(runs_on_mask=weekday_bit(origin.weekday()))  # starts on one weekday only

    from_z = journey(user, train, "Z", "W", travel_date=origin + timedelta(days=1))
    assert from_z.run.run_date == origin

    response = client_for(user).post(
        "/api/bookings/",
        {"train": train.id, "travel_date": str(origin + timedelta(days=1)), "from_station": "X", "seats": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "travel_date" in response.json()["fields"]
    response = client_for(user).post(
        "/api/bookings/",
        {"train": train.id, "travel_date": str(origin), "from_station": "Z", "seats": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "travel_date" in response.json()["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from_station": "Nowhere"}, "from_station"),
        ({"to_station": "Nowhere"}, "to_station"),
        ({"from_station": "Z", "to_station": "Y"}, "to_station"),
        ({"from_station": "Y", "to_station": "Y"}, "to_station"),
        ({"class": "SL"}, "class"),
    ],
)
def test_stations_off_the_route_or_out_of_order_are_a_400_naming_the_field(user, body, field):
    train = overnight_train()

    response = client_for(user).post(
        "/api/bookings/", {"train": train.id, "travel_date": str(tomorrow()), "seats": 1, **body}, format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Booking.objects.exists()


# --- Cancellation and the waitlist ---------------------------------------------------------------


def test_a_seat_is_sold_again_on_segments_it_is_free_on():
    train = make_train(stops=route("A", "B", "C", "D"), total_seats=1)
    user = make_user("rider")

    first = journey(user, train, "A", "B")
    second = journey(user, train, "B", "D")

    assert [first.status, second.status] == ["CONFIRMED", "CONFIRMED"]
    assert sorted(SeatAllocation.objects.values_list("segment", "seat_number", "booking_id")) == [
        (0, 1, first.pk),
        (1, 1, second.pk),
        (2, 1, second.pk),
    ]
    with pytest.raises(SoldOut):
        journey(user, train, "A", "C")


def test_a_cancellation_frees_only_its_own_segments():
    train = make_train(stops=route("A", "B", "C", "D"), total_seats=1)
    user = make_user("rider")
    a_to_b = journey(user, train, "A", "B")
    b_to_d = journey(user, train, "B", "D")

    services.cancel_booking(booking_id=a_to_b.pk, by=user)

    assert list(SeatAllocation.objects.values_list("segment", flat=True).order_by("segment")) == [1, 2]
    assert all(allocation.booking_id == b_to_d.pk for allocation in SeatAllocation.objects.all())

    def free(frm, to):
        return selectors.seat_map(train=train, travel_date=tomorrow(), from_station=frm, to_station=to)[
            "free_seat_numbers"
        ]

    assert (free("A", "B"), free("B", "C"), free("C", "D"), free("A", "C")) == ([1], [], [], [])
    assert journey(user, train, "A", "B").status == "CONFIRMED"


def test_a_later_overlapping_journey_does_not_overtake_the_waitlist(settings):
    settings.WAITLIST_PERCENT = 300  # three may wait for the one seat
    train = make_train(stops=route("A", "B", "C"), total_seats=1)
    user = make_user("rider")
    journey(user, train, "A", "B")
    b_to_c = journey(user, train, "B", "C")
    first_in_line = journey(user, train, "A", "C", allow_waitlist=True)  # needs both segments
    overlapping = journey(user, train, "B", "C", allow_waitlist=True)  # later, shares B -> C
    assert [first_in_line.status, overlapping.status] == ["WAITLISTED", "WAITLISTED"]

    services.cancel_booking(booking_id=b_to_c.pk, by=user)  # B -> C is free, A -> B is not

    first_in_line.refresh_from_db()
    overlapping.refresh_from_db()
    assert [first_in_line.status, overlapping.status] == ["WAITLISTED", "WAITLISTED"]
    assert selectors.visible_booking(booking_id=overlapping.pk, user=user).waitlist_position == 2
    assert not SeatAllocation.objects.filter(segment=1).exists()


def test_a_later_journey_that_overlaps_no_waiting_one_may_be_confirmed_first(settings):
    settings.WAITLIST_PERCENT = 300  # three may wait for the one seat
    train = make_train(stops=route("A", "B", "C", "D"), total_seats=1)
    user = make_user("rider")
    a_to_b = journey(user, train, "A", "B")
    c_to_d = journey(user, train, "C", "D")
    first_in_line = journey(user, train, "A", "C", allow_waitlist=True)  # segments 0, 1
    elsewhere = journey(user, train, "C", "D", allow_waitlist=True)  # segment 2 only

    services.cancel_booking(booking_id=c_to_d.pk, by=user)

    first_in_line.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (first_in_line.status, elsewhere.status) == ("WAITLISTED", "CONFIRMED")
    assert list(elsewhere.allocations.values_list("segment", "seat_number")) == [(2, 1)]
    assert selectors.visible_booking(booking_id=first_in_line.pk, user=user).waitlist_position == 1

    services.cancel_booking(booking_id=a_to_b.pk, by=user)

    first_in_line.refresh_from_db()
    assert first_in_line.status == "CONFIRMED"
    assert sorted(first_in_line.allocations.values_list("segment", "seat_number")) == [(0, 1), (1, 1)]


def _fill(user, train, code, seats):
    while seats:
        count = min(seats, MAX_SEATS_PER_BOOKING)
        assert services.book_seats(user=user, train=train, travel_date=tomorrow(), class_code=code, seats=count).status
        seats -= count


def test_the_waitlist_is_per_class_and_so_is_its_capacity(settings):
    settings.WAITLIST_PERCENT = 10  # SL: 7 seats may wait, 3A: 6
    train = make_train(stops=route("A", "B"), classes=[{"code": "SL", "coaches": 1}, {"code": "3A", "coaches": 1}])
    user = make_user("rider")
    _fill(user, train, "SL", 72)

    def book(code, seats):
        return services.book_seats(
            user=user, train=train, travel_date=tomorrow(), class_code=code, seats=seats, allow_waitlist=True
        )

    # A full SL doesn't waitlist 3A.
    assert book("SL", 1).status == "WAITLISTED"
    assert book("3A", 6).status == "CONFIRMED"
    assert book("SL", 6).status == "WAITLISTED"
    with pytest.raises(WaitlistFull) as full:
        book("SL", 1)
    assert full.value.extra["waitlist_seats_left"] == 0
    # 3A's waitlist is its own: SL's being full takes nothing from it.
    _fill(user, train, "3A", 58)
    waiting_3a = book("3A", 6)
    assert waiting_3a.status == "WAITLISTED"
    assert selectors.visible_booking(booking_id=waiting_3a.pk, user=user).waitlist_position == 1
    with pytest.raises(WaitlistFull):
        book("3A", 1)
    # A cancellation in SL promotes SL's waitlist, not 3A's.
    some_sl = Booking.objects.filter(class_code="SL", status="CONFIRMED").first()
    services.cancel_booking(booking_id=some_sl.pk, by=user)
    statuses = dict(Booking.objects.filter(status__in=["WAITLISTED"]).values_list("class_code", "seats"))
    assert statuses == {"SL": 6, "3A": 6}
    waiting_3a.refresh_from_db()
    assert waiting_3a.status == "WAITLISTED"
