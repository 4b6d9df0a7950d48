"""A class's quotas and RAC berths: written through the train API, checked, and fixed per run."""

import pytest
from django.test import Client

from bookings import services
from tests.bookings.helpers import tomorrow
from tests.factories import make_train, make_user
from tests.trains.helpers import rajdhani_body
from trains.layouts import berth_type_of
from trains.models import TrainClass
from trains.pools import pools_of

pytestmark = pytest.mark.django_db


def _sleeper_body(**class_fields) -> dict:
    return rajdhani_body(classes=[{"code": "SL", "coaches": 2, "fare_per_km": "0.50", **class_fields}])


def test_a_class_takes_quotas_and_rac_berths_and_shows_them(admin_client):
    body = _sleeper_body(quotas={"TQ": 30, "SS": 6, "LD": 4}, rac_berths=8)

    response = admin_client.post("/api/trains/", body, format="json")

    assert response.status_code == 201, response.json()
    (sleeper,) = response.json()["classes"]
    assert sleeper["quotas"] == {"TQ": 30, "SS": 6, "LD": 4}
    assert sleeper["rac_berths"] == 8
    stored = TrainClass.objects.get(train_id=response.json()["id"])
    assert (stored.quota_tq, stored.quota_ss, stored.quota_ld, stored.rac_berths) == (30, 6, 4, 8)
    # Searched trains show the class as rendered with the row.
    again = admin_client.get(f"/api/trains/{response.json()['id']}/").json()
    assert again["classes"][0]["quotas"] == {"TQ": 30, "SS": 6, "LD": 4}


def test_a_quota_left_out_is_zero(admin_client):
    response = admin_client.post("/api/trains/", _sleeper_body(quotas={"TQ": 10}), format="json")

    assert response.status_code == 201
    assert response.json()["classes"][0]["quotas"] == {"TQ": 10, "SS": 0, "LD": 0}
    assert response.json()["classes"][0]["rac_berths"] == 0


def test_patch_changes_a_class_s_quotas(admin_client):
    train = make_train(classes=[{"code": "3A", "coaches": 2}])
    body = {"classes": [{"code": "3A", "coaches": 2, "quotas": {"TQ": 16}, "rac_berths": 4}]}

    response = admin_client.patch(f"/api/trains/{train.id}/", body, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["classes"][0]["quotas"]["TQ"] == 16
    assert response.json()["classes"][0]["rac_berths"] == 4


@pytest.mark.parametrize(
    ("class_fields", "field"),
    [
        ({"code": "SL", "coaches": 1, "quotas": {"TQ": 40, "LD": 30, "SS": 5}}, "classes[0].quotas"),
        ({"code": "SL", "coaches": 1, "quotas": {"TQ": 64}, "rac_berths": 9}, "classes[0].quotas"),
        ({"code": "CC", "coaches": 1, "quotas": {"SS": 2}}, "classes[0].quotas.SS"),
        ({"code": "1A", "coaches": 1, "quotas": {"TQ": 2}}, "classes[0].quotas.TQ"),
        ({"code": "SL", "coaches": 1, "quotas": {"SS": 25}}, "classes[0].quotas.SS"),
        ({"code": "CC", "coaches": 1, "rac_berths": 1}, "classes[0].rac_berths"),
        ({"code": "1A", "coaches": 1, "rac_berths": 1}, "classes[0].rac_berths"),
        ({"code": "SL", "coaches": 1, "rac_berths": 10}, "classes[0].rac_berths"),
        ({"code": "SL", "coaches": 1, "rac_berths": -1}, "classes[0].rac_berths"),
        ({"code": "SL", "coaches": 1, "rac_berths": "many"}, "classes[0].rac_berths"),
        ({"code": "SL", "coaches": 1, "quotas": {"TQ": -1}}, "classes[0].quotas.TQ"),
        ({"code": "SL", "coaches": 1, "quotas": {"GN": 5}}, "classes[0].quotas.GN"),
        ({"code": "SL", "coaches": 1, "quotas": [5]}, "classes[0].quotas"),
    ],
)
def test_quotas_that_don_t_fit_the_class_are_a_400_naming_the_field(admin_client, class_fields, field):
    response = admin_client.post("/api/trains/", rajdhani_body(classes=[class_fields]), format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]
    assert not TrainClass.objects.exists()


def test_a_quota_in_gen_is_a_400(admin_client):
    body = {**rajdhani_body(), "classes": [{"code": "GEN", "quotas": {"LD": 5}}], "total_seats": 90}

    response = admin_client.post("/api/trains/", body, format="json")

    assert response.status_code == 400
    assert "classes[0].quotas" in response.json()["fields"]


def test_pools_are_a_pure_function_of_the_layout_and_the_counts():
    pools = pools_of("SL", 144, tq=30, ss=6, ld=6, rac_berths=9)

    assert pools == pools_of("SL", 144, tq=30, ss=6, ld=6, rac_berths=9)
    assert [len(pools.seats[quota]) for quota in ("GN", "TQ", "SS", "LD")] == [144 - 30 - 6 - 6 - 9, 30, 6, 6]
    every = [seat for seats in pools.seats.values() for seat in seats] + list(pools.rac_berths)
    assert sorted(every) == list(range(1, 145))  # each seat in exactly one pool
    assert {berth_type_of("SL", seat) for seat in pools.seats["SS"]} == {"LB"}
    assert {berth_type_of("SL", seat) for seat in pools.rac_berths} == {"SL"}
    assert all(pools.quota_of(seat) == "GN" for seat in pools.rac_berths)
    # GN keeps the front of the class.
    assert pools.seats["GN"][:10] == tuple(range(1, 11))


def test_the_seat_map_shows_each_berth_s_quota_and_lists_one_pool(user_client):
    train = make_train(classes=[{"code": "SL", "coaches": 1, "quotas": {"TQ": 10, "SS": 2}, "rac_berths": 3}])
    pools = pools_of("SL", 72, tq=10, ss=2, rac_berths=3)

    general = user_client.get(f"/api/trains/{train.id}/seats/", {"date": str(tomorrow())}).json()
    tatkal = user_client.get(f"/api/trains/{train.id}/seats/", {"date": str(tomorrow()), "quota": "TQ"}).json()

    assert general["quota"] == "GN"
    assert general["free_seat_numbers"] == list(pools.seats["GN"])
    assert general["available_seats"] == 72 - 10 - 2 - 3
    rac = [berth["seat_number"] for berth in general["free_berths"] if berth["rac"]]
    assert rac == list(pools.rac_berths)
    assert {berth["quota"] for berth in general["free_berths"]} == {"GN"}
    assert tatkal["free_seat_numbers"] == list(pools.seats["TQ"])
    assert {(berth["quota"], berth["rac"]) for berth in tatkal["free_berths"]} == {("TQ", False)}


def test_the_seat_map_of_a_quota_the_class_lacks_is_a_400(user_client, train):
    response = user_client.get(f"/api/trains/{train.id}/seats/", {"date": str(tomorrow()), "quota": "LD"})

    assert response.status_code == 400
    assert response.json()["code"] == "quota_not_available"
    bad = user_client.get(f"/api/trains/{train.id}/seats/", {"date": str(tomorrow()), "quota": "XX"})
    assert bad.status_code == 400 and "quota" in bad.json()["fields"]


def test_a_change_that_moves_a_sold_seat_to_another_pool_is_a_conflict(admin_client, user):
    train = make_train(classes=[{"code": "SL", "coaches": 1}])
    booking = services.book_seats(user=user, train=train, travel_date=tomorrow(), seats=2)
    # The last seats of the class would become Tatkal seats: seats 1 and 2 stay GN.
    fine = {"classes": [{"code": "SL", "coaches": 1, "quotas": {"TQ": 10}}]}
    assert admin_client.patch(f"/api/trains/{train.id}/", fine, format="json").status_code == 200
    # Every seat but one set aside: the sold seats would move.
    moving = {"classes": [{"code": "SL", "coaches": 1, "quotas": {"TQ": 60, "LD": 11}}]}

    response = admin_client.patch(f"/api/trains/{train.id}/", moving, format="json")

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "quota_seats_sold"
    assert response.json()["seat_numbers"] == [1, 2]
    assert TrainClass.objects.get(train=train).quota_tq == 10
    services.cancel_booking(booking_id=booking.pk, by=user)
    assert admin_client.patch(f"/api/trains/{train.id}/", moving, format="json").status_code == 200


def test_the_admin_shows_a_class_s_pools():
    train = make_train(classes=[{"code": "SL", "coaches": 1, "quotas": {"TQ": 10, "SS": 2}, "rac_berths": 3}])
    client = Client()
    client.force_login(make_user("root", role="ADMIN", is_superuser=True))

    page = client.get(f"/admin/trains/train/{train.pk}/change/").content.decode()

    pools = pools_of("SL", 72, tq=10, ss=2, rac_berths=3)
    assert f"SS: {pools.seats['SS'][0]}, {pools.seats['SS'][1]}" in page
    assert "TQ: " in page and "RAC: " in page
