from datetime import timedelta
from unittest import mock

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from tests.factories import make_train
from tests.trains.helpers import TRAIN_BODY, sell, train_body, version_1_answer
from trains.models import Train, mask_from_codes

pytestmark = pytest.mark.django_db


# --- create --------------------------------------------------------------------------------------


def test_admin_creates_a_train_and_gets_it_back_as_in_the_contract(admin_client):
    response = admin_client.post("/api/trains/", TRAIN_BODY)

    assert response.status_code == 201, response.json()
    body = response.json()
    train = Train.objects.get(train_number="12951")
    assert body == version_1_answer(train.id)
    assert train.runs_on_mask == mask_from_codes(["MON", "WED", "FRI"])
    assert (train.source_key, train.destination_key) == ("mumbai central", "new delhi")


def test_runs_on_defaults_to_every_day_and_offset_to_zero(admin_client):
    body = train_body(departure_time="06:00", arrival_time="14:25")
    del body["runs_on"], body["arrival_day_offset"]

    response = admin_client.post("/api/trains/", body)

    assert response.status_code == 201, response.json()
    assert response.json()["runs_on"] == ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
    assert response.json()["arrival_day_offset"] == 0


def test_names_and_stations_are_trimmed_and_inner_spaces_collapsed(admin_client):
    response = admin_client.post(
        "/api/trains/",
        train_body(name="  Mumbai   Rajdhani\tExpress ", source=" Mumbai  Central", destination="New Delhi "),
    )

    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "Mumbai Rajdhani Express"
    assert response.json()["source"] == "Mumbai Central"
    assert response.json()["destination"] == "New Delhi"


def test_runs_on_comes_back_in_weekday_order(admin_client):
    response = admin_client.post("/api/trains/", train_body(runs_on=["SUN", "MON", "THU"]))

    assert response.json()["runs_on"] == ["MON", "THU", "SUN"]


def test_duplicate_train_number_is_a_conflict(admin_client, train):
    response = admin_client.post("/api/trains/", train_body(train_number=train.train_number))

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_train_number"
    assert Train.objects.count() == 1


def test_a_retired_train_keeps_its_number(admin_client):
    make_train(train_number="12951", is_active=False)

    response = admin_client.post("/api/trains/", TRAIN_BODY)

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_train_number"


def test_duplicate_number_that_slips_past_the_check_is_still_a_conflict(admin_client):
    make_train(train_number="12951")
    # Both racing requests saw the number free; the unique index stops the second one.
    real_exists = QuerySet.exists
    calls = []

    def first_check_misses(queryset):
        calls.append(queryset)
        return False if len(calls) == 1 else real_exists(queryset)

    with mock.patch("trains.models.TrainQuerySet.exists", first_check_misses):
        response = admin_client.post("/api/trains/", TRAIN_BODY)

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "duplicate_train_number"
    assert Train.objects.filter(train_number="12951").count() == 1


def test_user_cannot_create_a_train(user_client):
    response = user_client.post("/api/trains/", TRAIN_BODY)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Train.objects.exists()


def test_anonymous_cannot_create_a_train(anon):
    response = anon.post("/api/trains/", TRAIN_BODY)

    assert response.status_code == 401
    assert not Train.objects.exists()


# --- list and detail -----------------------------------------------------------------------------


def test_list_is_paginated_ordered_by_departure_and_hides_retired_trains(user_client):
    late = make_train(train_number="22222", departure_time="21:00")
    early = make_train(train_number="11111", departure_time="06:00")
    make_train(train_number="33333", departure_time="07:00", is_active=False)

    response = user_client.get("/api/trains/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [t["id"] for t in body["results"]] == [early.id, late.id]
    assert set(body) == {"count", "next", "previous", "results"}


def test_list_honours_limit_and_offset(user_client):
    for hour in range(5):
        make_train(departure_time=f"0{hour}:30")

    response = user_client.get("/api/trains/?limit=2&offset=2")

    body = response.json()
    assert body["count"] == 5
    assert [t["departure_time"] for t in body["results"]] == ["02:30", "03:30"]
    assert body["next"] and body["previous"]


@pytest.mark.parametrize("limit", ["abc", "0", "-1"])
def test_list_rejects_a_bad_limit(user_client, limit):
    response = user_client.get(f"/api/trains/?limit={limit}")

    assert response.status_code == 400
    assert "limit" in response.json()["fields"]


def test_list_needs_a_signed_in_user(anon, train):
    assert anon.get("/api/trains/").status_code == 401


def test_any_signed_in_user_reads_one_train(user_client, train):
    response = user_client.get(f"/api/trains/{train.id}/")

    assert response.status_code == 200
    assert response.json()["train_number"] == train.train_number
    assert response.json()["departure_time"] == "16:30"


def test_unknown_train_is_404_json(user_client):
    for train_id in (999, 10**30):
        response = user_client.get(f"/api/trains/{train_id}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


# --- update --------------------------------------------------------------------------------------


def test_admin_patches_some_fields(admin_client, train):
    response = admin_client.patch(f"/api/trains/{train.id}/", {"total_seats": 80, "runs_on": ["SAT", "SUN"]})

    assert response.status_code == 200, response.json()
    train.refresh_from_db()
    assert train.total_seats == 80
    assert train.runs_on == ["SAT", "SUN"]
    assert train.name == "Test Express"


def test_admin_puts_the_whole_train(admin_client, train):
    response = admin_client.put(f"/api/trains/{train.id}/", TRAIN_BODY)

    assert response.status_code == 200, response.json()
    assert response.json() == version_1_answer(train.id)
    train.refresh_from_db()
    assert (train.source_key, train.destination_key) == ("mumbai central", "new delhi")


def test_put_needs_every_required_field(admin_client, train):
    response = admin_client.put(f"/api/trains/{train.id}/", {"total_seats": 80})

    assert response.status_code == 400
    assert {"train_number", "name", "source", "destination"} <= set(response.json()["fields"])
    train.refresh_from_db()
    assert train.total_seats == 50


def test_patch_is_checked_against_the_stored_fields(admin_client, train):
    # Stored: departs 16:30, arrives 08:30 next day. Making it same-day leaves arrival before departure.
    response = admin_client.patch(f"/api/trains/{train.id}/", {"arrival_day_offset": 0})

    assert response.status_code == 400
    assert "arrival_time" in response.json()["fields"]
    train.refresh_from_db()
    assert train.arrival_day_offset == 1


def test_patch_to_the_same_station_as_the_stored_source_is_refused(admin_client, train):
    response = admin_client.patch(f"/api/trains/{train.id}/", {"destination": " new DELHI "})

    assert response.status_code == 400
    assert "destination" in response.json()["fields"]


def test_changing_to_a_number_already_taken_is_a_conflict(admin_client, train):
    other = make_train(train_number="54321")

    response = admin_client.patch(f"/api/trains/{train.id}/", {"train_number": other.train_number})

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_train_number"
    train.refresh_from_db()
    assert train.train_number != "54321"


def test_patch_keeping_its_own_number_is_fine(admin_client, train):
    response = admin_client.patch(f"/api/trains/{train.id}/", {"train_number": train.train_number, "name": "New"})

    assert response.status_code == 200


def test_lowering_seats_below_the_highest_seat_sold_on_a_future_run_is_a_conflict(admin_client, user, train):
    sell(train, user=user, seat_numbers=[30])

    response = admin_client.patch(f"/api/trains/{train.id}/", {"total_seats": 29})

    assert response.status_code == 409
    assert response.json()["code"] == "seats_already_sold"
    assert response.json()["seats_sold"] == 30
    train.refresh_from_db()
    assert train.total_seats == 50
    assert train.classes.get().seats == 50


def test_lowering_seats_down_to_the_highest_seat_sold_is_allowed(admin_client, user, train):
    sell(train, user=user, seat_numbers=[30])

    response = admin_client.patch(f"/api/trains/{train.id}/", {"total_seats": 30})

    assert response.status_code == 200
    train.refresh_from_db()
    assert train.total_seats == 30
    assert train.classes.get().seats == 30


def test_raising_seats_does_not_need_the_sold_seat_check(admin_client, train):
    with mock.patch("bookings.schedule_guards.highest_seat_taken_by_class") as sold:
        response = admin_client.patch(f"/api/trains/{train.id}/", {"total_seats": 60})

    assert response.status_code == 200
    sold.assert_not_called()


def test_user_cannot_update_a_train(user_client, train):
    assert user_client.patch(f"/api/trains/{train.id}/", {"total_seats": 1}).status_code == 403
    assert user_client.put(f"/api/trains/{train.id}/", TRAIN_BODY).status_code == 403
    train.refresh_from_db()
    assert train.total_seats == 50


def test_anonymous_cannot_update_a_train(anon, train):
    assert anon.patch(f"/api/trains/{train.id}/", {"total_seats": 1}).status_code == 401


def test_updating_an_unknown_train_is_404(admin_client):
    assert admin_client.patch("/api/trains/999/", {"total_seats": 10}).status_code == 404


# --- retire --------------------------------------------------------------------------------------


def test_admin_retires_a_train_which_then_disappears_but_keeps_its_row(admin_client, user_client, train):
    response = admin_client.delete(f"/api/trains/{train.id}/")

    assert response.status_code == 204
    train.refresh_from_db()
    assert train.is_active is False
    assert user_client.get(f"/api/trains/{train.id}/").status_code == 404
    assert user_client.get("/api/trains/").json()["count"] == 0
    search = user_client.get("/api/trains/search/", {"source": train.source, "destination": train.destination})
    assert search.json()["count"] == 0


def test_retiring_twice_is_404(admin_client, train):
    admin_client.delete(f"/api/trains/{train.id}/")

    assert admin_client.delete(f"/api/trains/{train.id}/").status_code == 404
    assert admin_client.patch(f"/api/trains/{train.id}/", {"total_seats": 60}).status_code == 404


@pytest.mark.parametrize("status", ["CONFIRMED", "WAITLISTED"])
def test_retiring_a_train_with_active_future_bookings_is_a_conflict(admin_client, user, train, status):
    sell(train, user=user, status=status)

    response = admin_client.delete(f"/api/trains/{train.id}/")

    assert response.status_code == 409
    assert response.json()["code"] == "train_has_bookings"
    train.refresh_from_db()
    assert train.is_active is True


def test_a_cancelled_or_past_booking_does_not_keep_a_train_in_service(admin_client, user, train):
    sell(train, user=user, status="CANCELLED")
    sell(train, user=user, run_date=timezone.localdate() - timedelta(days=1))

    assert admin_client.delete(f"/api/trains/{train.id}/").status_code == 204


def test_user_cannot_retire_a_train(user_client, anon, train):
    assert user_client.delete(f"/api/trains/{train.id}/").status_code == 403
    assert anon.delete(f"/api/trains/{train.id}/").status_code == 401
    train.refresh_from_db()
    assert train.is_active is True
