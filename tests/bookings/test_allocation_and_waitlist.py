import pytest

from bookings.errors import WaitlistFull
from bookings.inventory.seat_choice import choose_seats
from bookings.models import Booking, SeatAllocation, TrainRun
from tests.bookings.helpers import book, booking_body, seats_of
from tests.conftest import client_for
from tests.factories import make_train, make_user

# --- Seat choice -------------------------------------------------------------------------------


def test_a_group_gets_the_lowest_contiguous_block():
    assert choose_seats(taken={1, 3, 4}, total_seats=10, count=3) == [5, 6, 7]


def test_a_group_takes_the_first_gap_big_enough_even_above_smaller_gaps():
    assert choose_seats(taken={3, 6}, total_seats=10, count=2) == [1, 2]
    assert choose_seats(taken={2, 5}, total_seats=10, count=2) == [3, 4]


def test_without_a_big_enough_block_a_group_gets_the_lowest_free_seats():
    assert choose_seats(taken={2, 4, 6}, total_seats=7, count=3) == [1, 3, 5]


def test_not_enough_free_seats_gives_none():
    assert choose_seats(taken={1, 2}, total_seats=3, count=2) is None


@pytest.mark.django_db
def test_seats_are_allocated_lowest_first_and_kept_together(user):
    train = make_train(total_seats=10)
    first = book(user, train, 2)
    second = book(user, train, 1)
    third = book(user, train, 3)
    Booking.objects.filter(pk=first.pk).update(status=Booking.Status.CANCELLED)
    SeatAllocation.objects.filter(booking=first).delete()

    group = book(user, train, 3)
    pair = book(user, train, 2)

    assert seats_of(second) == [3]
    assert seats_of(third) == [4, 5, 6]
    assert seats_of(group) == [7, 8, 9]
    assert seats_of(pair) == [1, 2]


@pytest.mark.django_db
def test_a_group_is_split_only_when_no_block_is_free(user):
    train = make_train(total_seats=6)
    singles = [book(user, train) for _ in range(6)]
    for booking in singles[::2]:
        Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
        SeatAllocation.objects.filter(booking=booking).delete()

    group = book(user, train, 3)

    assert seats_of(group) == [1, 3, 5]


# --- Waitlist ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_waitlist_allowed_a_full_run_waitlists_in_order(user):
    train = make_train(total_seats=20)  # waitlist room: 4 seats
    book(user, train, 6)
    book(user, train, 6)
    book(user, train, 6)
    book(user, train, 2)
    client = client_for(user)

    first = client.post("/api/bookings/", booking_body(train, 1, allow_waitlist=True), format="json")
    second = client.post("/api/bookings/", booking_body(train, 2, allow_waitlist=True), format="json")

    assert first.status_code == 201
    assert first.json()["status"] == "WAITLISTED"
    assert first.json()["seat_numbers"] == []
    assert first.json()["waitlist_position"] == 1
    assert second.json()["waitlist_position"] == 2


@pytest.mark.django_db
def test_a_full_waitlist_is_a_conflict(user):
    train = make_train(total_seats=10)  # waitlist room: 2 seats
    book(user, train, 6)
    book(user, train, 4)
    book(user, train, 1, allow_waitlist=True)

    response = client_for(user).post("/api/bookings/", booking_body(train, 2, allow_waitlist=True), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "waitlist_full"
    assert Booking.objects.filter(status=Booking.Status.WAITLISTED).count() == 1


@pytest.mark.django_db
def test_waitlist_room_is_rounded_down_and_may_be_zero(user, settings):
    settings.WAITLIST_PERCENT = 20
    train = make_train(total_seats=4)  # 20% of 4 is 0.8: no waitlist at all
    book(user, train, 4)

    with pytest.raises(WaitlistFull):
        book(user, train, 1, allow_waitlist=True)


@pytest.mark.django_db
def test_cancelling_promotes_the_waitlist_in_order(user):
    train = make_train(total_seats=10)
    blocker = book(user, train, 6)
    book(user, train, 4)
    first = book(user, train, 1, allow_waitlist=True)
    second = book(user, train, 1, allow_waitlist=True)

    response = client_for(user).post(f"/api/bookings/{blocker.id}/cancel/")

    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Booking.Status.CONFIRMED
    assert seats_of(first) == [1]
    assert seats_of(second) == [2]


@pytest.mark.django_db
def test_promotion_stops_at_a_head_that_does_not_fit_no_overtaking(user):
    train = make_train(total_seats=20)  # waitlist room: 4 seats
    book(user, train, 6)
    book(user, train, 6)
    book(user, train, 6)
    pair = book(user, train, 2)
    big = book(user, train, 3, allow_waitlist=True)
    small = book(user, train, 1, allow_waitlist=True)
    client = client_for(user)

    client.post(f"/api/bookings/{pair.id}/cancel/")

    big.refresh_from_db()
    small.refresh_from_db()
    assert big.status == small.status == Booking.Status.WAITLISTED
    assert client.get(f"/api/bookings/{small.id}/").json()["waitlist_position"] == 2


@pytest.mark.django_db
def test_cancelling_the_head_of_the_queue_moves_everyone_up(user):
    train = make_train(total_seats=10)
    book(user, train, 6)
    book(user, train, 4)
    head = book(user, train, 1, allow_waitlist=True)
    behind = book(user, train, 1, allow_waitlist=True)
    client = client_for(user)

    client.post(f"/api/bookings/{head.id}/cancel/")

    body = client.get(f"/api/bookings/{behind.id}/").json()
    assert body["status"] == "WAITLISTED"
    assert body["waitlist_position"] == 1


@pytest.mark.django_db
def test_promotion_confirms_several_in_order_while_they_fit(user):
    train = make_train(total_seats=20)
    big = book(user, train, 6)
    for _ in range(2):
        book(user, train, 6)
    book(user, train, 2)
    waiting = [book(user, train, seats, allow_waitlist=True) for seats in (2, 1, 1)]

    client_for(user).post(f"/api/bookings/{big.id}/cancel/")

    for booking in waiting:
        booking.refresh_from_db()
    assert [b.status for b in waiting] == [Booking.Status.CONFIRMED] * 3
    assert [seats_of(b) for b in waiting] == [[1, 2], [3], [4]]


# --- Cancel ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cancel_frees_the_seats_for_the_next_booking(user):
    train = make_train(total_seats=3)
    booking = book(user, train, 3)
    client = client_for(user)

    response = client.post(f"/api/bookings/{booking.id}/cancel/")

    body = response.json()
    assert body["status"] == "CANCELLED"
    assert body["seat_numbers"] == []
    assert body["cancelled_at"].endswith("+05:30")
    assert seats_of(book(user, train, 3)) == [1, 2, 3]


@pytest.mark.django_db
def test_second_cancel_is_a_conflict(user, train):
    booking = book(user, train)
    client = client_for(user)
    client.post(f"/api/bookings/{booking.id}/cancel/")

    response = client.post(f"/api/bookings/{booking.id}/cancel/")

    assert response.status_code == 409
    assert response.json()["code"] == "already_cancelled"


@pytest.mark.django_db
def test_a_past_journey_cannot_be_cancelled(user, train):
    booking = book(user, train)
    # The booking's travel date (the day it leaves its boarding stop) is what decides "past".
    last_year = booking.travel_date.replace(year=booking.travel_date.year - 1)
    Booking.objects.filter(pk=booking.pk).update(travel_date=last_year)
    TrainRun.objects.filter(pk=booking.run_id).update(run_date=last_year)

    response = client_for(user).post(f"/api/bookings/{booking.id}/cancel/")

    assert response.status_code == 409
    assert response.json()["code"] == "journey_past"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert seats_of(booking) == [1]


@pytest.mark.django_db
def test_an_admin_may_cancel_anyones_booking(user, admin_client, train):
    booking = book(user, train)

    response = admin_client.post(f"/api/bookings/{booking.id}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "CANCELLED"


@pytest.mark.django_db
def test_someone_elses_booking_cannot_be_cancelled(user, train):
    booking = book(user, train)

    response = client_for(make_user("stranger")).post(f"/api/bookings/{booking.id}/cancel/")

    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


@pytest.mark.django_db
def test_cancel_needs_a_signed_in_user(anon, user, train):
    booking = book(user, train)

    assert anon.post(f"/api/bookings/{booking.id}/cancel/").status_code == 401
    assert client_for(user).get(f"/api/bookings/{booking.id}/cancel/").status_code == 405
