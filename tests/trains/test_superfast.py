"""A train's `superfast` flag: written and read through the API and the admin, shown in search."""

import pytest

from tests.factories import make_train
from tests.trains.helpers import next_weekday, train_body
from tests.trains.test_admin import admin_site, errors_of, form_data  # noqa: F401 - the fixture
from trains.models import Train

pytestmark = pytest.mark.django_db


def test_a_train_is_not_superfast_unless_it_says_so(admin_client):
    response = admin_client.post("/api/trains/", train_body(), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["superfast"] is False
    assert Train.objects.get().superfast is False


def test_admin_creates_a_superfast_train_and_reads_it_back(admin_client, user_client):
    response = admin_client.post("/api/trains/", train_body(superfast=True), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["superfast"] is True
    assert user_client.get(f"/api/trains/{response.json()['id']}/").json()["superfast"] is True


def test_patch_changes_only_superfast_and_put_without_it_makes_a_train_ordinary(admin_client):
    train = make_train(superfast=True)

    response = admin_client.patch(f"/api/trains/{train.id}/", {"name": "Renamed Express"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["superfast"] is True

    response = admin_client.patch(f"/api/trains/{train.id}/", {"superfast": False}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["superfast"] is False

    train.refresh_from_db()
    admin_client.patch(f"/api/trains/{train.id}/", {"superfast": True}, format="json")
    response = admin_client.put(f"/api/trains/{train.id}/", train_body(train_number=train.train_number), format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["superfast"] is False


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, None, [], {}])
def test_superfast_is_a_json_boolean(admin_client, value):
    train = make_train()

    created = admin_client.post("/api/trains/", train_body(superfast=value), format="json")
    patched = admin_client.patch(f"/api/trains/{train.id}/", {"superfast": value}, format="json")

    for response in (created, patched):
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"
        assert list(response.json()["fields"]) == ["superfast"]
    assert Train.objects.count() == 1
    train.refresh_from_db()
    assert train.superfast is False


def test_search_shows_whether_a_train_is_superfast(user_client):
    fast, slow = make_train(superfast=True), make_train()
    travel_date = next_weekday("MON")

    results = user_client.get(
        "/api/trains/search/", {"source": "New Delhi", "destination": "Mumbai Central", "date": travel_date}
    ).json()["results"]

    assert {result["id"]: result["superfast"] for result in results} == {fast.id: True, slow.id: False}


def test_admin_marks_a_train_superfast(admin_site):  # noqa: F811
    response = admin_site.post("/admin/trains/train/add/", form_data(superfast="on"))

    assert response.status_code == 302, errors_of(response)
    assert Train.objects.get(train_number="12951").superfast is True
    train = Train.objects.get()
    response = admin_site.post(f"/admin/trains/train/{train.id}/change/", form_data(train=train))
    assert response.status_code == 302, errors_of(response)
    train.refresh_from_db()
    assert train.superfast is False
