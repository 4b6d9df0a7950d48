from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_train
from tests.trains.helpers import next_weekday, sell

pytestmark = pytest.mark.django_db


def seats(client, train, **params):
    return client.get(f"/api/trains/{train.id}/seats/", params)


def test_seat_map_of_a_run(user_client, user):
    train = make_train(total_seats=4)
    travel_date = next_weekday("TUE")
    sell(train, user=user, seat_numbers=[2, 3], run_date=travel_date)

    response = seats(user_client, train, date=travel_date.isoformat())

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "train": user_client.get(f"/api/trains/{train.id}/").json(),
        "travel_date": travel_date.isoformat(),
        "run_date": travel_date.isoformat(),
        "from_station": train.source,
        "to_station": train.destination,
        "class": "GEN",
        "quota": "GN",
        "charted": False,
        "total_seats": 4,
        "available_seats": 2,
        "free_seat_numbers": [1, 4],
        "free_berths": [
            {"seat_number": 1, "coach": None, "berth": 1, "berth_type": None, "quota": "GN", "rac": False},
            {"seat_number": 4, "coach": None, "berth": 4, "berth_type": None, "quota": "GN", "rac": False},
        ],
    }


def test_an_unsold_run_has_every_seat_free(user_client):
    train = make_train(total_seats=3)

    body = seats(user_client, train, date=next_weekday("MON").isoformat()).json()

    assert body["available_seats"] == 3
    assert body["free_seat_numbers"] == [1, 2, 3]


def test_date_is_required(user_client, train):
    response = seats(user_client, train)

    assert response.status_code == 400
    assert "date" in response.json()["fields"]


@pytest.mark.parametrize("value", ["", "soon", "2030-1-1", "01-01-2030"])
def test_malformed_date_is_a_400(user_client, train, value):
    response = seats(user_client, train, date=value)

    assert response.status_code == 400
    assert "date" in response.json()["fields"]


def test_past_date_is_a_400(user_client, train):
    response = seats(user_client, train, date=(timezone.localdate() - timedelta(days=1)).isoformat())

    assert response.status_code == 400
    assert "past" in response.json()["fields"]["date"][0]


def test_a_day_the_train_does_not_run_is_a_400_saying_when_it_runs(user_client):
    train = make_train(runs_on_mask=0b0000101)  # MON, WED

    response = seats(user_client, train, date=next_weekday("TUE").isoformat())

    assert response.status_code == 400
    message = response.json()["fields"]["date"][0]
    assert "Tuesday" in message and "MON, WED" in message


def test_unknown_or_retired_train_is_404(user_client):
    retired = make_train(is_active=False)

    assert seats(user_client, retired, date=next_weekday("MON").isoformat()).status_code == 404
    assert user_client.get("/api/trains/424242/seats/", {"date": next_weekday("MON").isoformat()}).status_code == 404


def test_seat_map_needs_a_signed_in_user(anon, train):
    assert seats(anon, train, date=next_weekday("MON").isoformat()).status_code == 401
