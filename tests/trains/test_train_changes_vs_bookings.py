"""Train changes that would strand sold seats, checked against the real booking engine."""

import pytest

from tests.bookings.helpers import book, tomorrow

pytestmark = pytest.mark.django_db


def test_taking_a_booked_weekday_out_of_runs_on_is_a_conflict(admin_client, user, train):
    book(user, train)
    booked_day = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"][tomorrow().weekday()]
    other_days = [day for day in ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] if day != booked_day]

    response = admin_client.patch(f"/api/trains/{train.id}/", {"runs_on": other_days}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "runs_on_has_bookings"
    assert response.json()["weekdays"] == [booked_day]
    train.refresh_from_db()
    assert train.runs_on == ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]


def test_dropping_a_day_without_bookings_is_fine(admin_client, user, train):
    book(user, train)
    booked_day = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"][tomorrow().weekday()]

    response = admin_client.patch(f"/api/trains/{train.id}/", {"runs_on": [booked_day]}, format="json")

    assert response.status_code == 200
    assert response.json()["runs_on"] == [booked_day]


def test_lowering_seats_below_a_real_sale_is_a_conflict(admin_client, user, train):
    book(user, train, seats=4)

    response = admin_client.patch(f"/api/trains/{train.id}/", {"total_seats": 3}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "seats_already_sold"


def test_retiring_a_train_with_a_real_booking_is_a_conflict_and_booking_a_retired_one_is_refused(
    admin_client, user_client, user, train
):
    booking = book(user, train)
    assert admin_client.delete(f"/api/trains/{train.id}/").status_code == 409

    user_client.post(f"/api/bookings/{booking.pk}/cancel/")
    assert admin_client.delete(f"/api/trains/{train.id}/").status_code == 204

    response = user_client.post(
        "/api/bookings/", {"train": train.id, "travel_date": str(tomorrow()), "seats": 1}, format="json"
    )
    assert response.status_code == 400
