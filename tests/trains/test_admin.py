from unittest import mock

import pytest
from django.test import Client

from tests.factories import make_train, make_user
from tests.trains.helpers import train_body
from trains.models import Train, mask_from_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_site(db):
    client = Client()
    client.force_login(make_user("root", role="ADMIN", is_superuser=True))
    return client


def form_data(**changes) -> dict:
    """The admin form's POST for the API's example train: the same fields, as a browser sends them."""
    body = train_body(**{"runs_on": ["MON", "FRI"], **changes})
    return {field: value if isinstance(value, list) else str(value) for field, value in body.items()}


def test_changelist_searches_by_number_name_and_station(admin_site):
    rajdhani = make_train(
        train_number="12951", name="Mumbai Rajdhani", source="Mumbai Central", destination="New Delhi"
    )
    make_train(train_number="12002", name="Bhopal Shatabdi", source="New Delhi", destination="Bhopal")

    for term in ("12951", "rajdhani", "mumbai central"):
        response = admin_site.get("/admin/trains/train/", {"q": term})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [rajdhani]


def test_changelist_filters_on_active(admin_site):
    make_train()
    retired = make_train(is_active=False)

    response = admin_site.get("/admin/trains/train/", {"is_active__exact": "0"})

    assert list(response.context["cl"].result_list) == [retired]


def test_admin_adds_a_train_with_weekday_checkboxes(admin_site):
    response = admin_site.post("/admin/trains/train/add/", form_data(source="  Mumbai   Central "))

    assert response.status_code == 302, response.context["adminform"].form.errors
    train = Train.objects.get(train_number="12951")
    assert train.runs_on_mask == mask_from_codes(["MON", "FRI"])
    assert (train.source, train.source_key) == ("Mumbai Central", "mumbai central")


def test_admin_form_applies_the_api_rules(admin_site):
    response = admin_site.post(
        "/admin/trains/train/add/", form_data(destination="mumbai central", train_number="१२३४५")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "train_number" in errors
    assert not Train.objects.exists()


def test_admin_cannot_lower_seats_below_those_sold(admin_site):
    train = make_train(total_seats=100)

    with mock.patch("trains.services.max_seats_sold_on_future_runs", return_value=60):
        response = admin_site.post(f"/admin/trains/train/{train.id}/change/", form_data(total_seats="50"))

    assert response.status_code == 200
    assert "60 seats are already sold" in str(response.context["adminform"].form.non_field_errors())
    train.refresh_from_db()
    assert train.total_seats == 100


def test_retire_action_goes_through_the_service(admin_site):
    free, booked = make_train(), make_train()

    def has_bookings(train):
        return train.pk == booked.pk

    with mock.patch("trains.services.has_active_future_bookings", side_effect=has_bookings):
        response = admin_site.post(
            "/admin/trains/train/",
            {"action": "retire_trains", "_selected_action": [free.pk, booked.pk]},
            follow=True,
        )

    free.refresh_from_db()
    booked.refresh_from_db()
    assert (free.is_active, booked.is_active) == (False, True)
    notes = [str(message) for message in response.context["messages"]]
    assert any("active bookings on future runs" in note for note in notes)
    assert any("Retired 1 train" in note for note in notes)
