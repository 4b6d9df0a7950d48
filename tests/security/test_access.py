"""Nobody reaches another user's objects, raises their own role, or gets in with a bad token."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import User
from accounts.services import issue_tokens
from bookings import services
from bookings.models import Booking
from tests.bookings.helpers import tomorrow
from tests.factories import PASSWORD, make_user
from tests.operations.helpers import assert_json_error

pytestmark = pytest.mark.django_db


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


# --- Other users' objects: 404, and nothing happens -------------------------------------------


@pytest.fixture
def victim_objects(train):
    victim = make_user("victim")
    booking = services.book_seats(user=victim, train=train, travel_date=tomorrow(), seats=2)
    hold = services.hold_seats(user=victim, train=train, travel_date=tomorrow(), seat_numbers=[10])
    return booking, hold


def test_someone_elses_booking_is_not_found_for_reading_or_cancelling(user_client, victim_objects):
    booking, _hold = victim_objects

    assert_json_error(user_client.get(f"/api/bookings/{booking.pk}/"), 404, "not_found")
    assert_json_error(user_client.post(f"/api/bookings/{booking.pk}/cancel/"), 404, "not_found")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_someone_elses_hold_is_not_found_for_confirming_or_releasing(user_client, admin_client, victim_objects):
    _booking, hold = victim_objects

    for client in [user_client, admin_client]:  # a hold is its owner's alone, even to an operator
        assert_json_error(client.post(f"/api/holds/{hold.pk}/confirm/"), 404, "not_found")
        assert_json_error(client.delete(f"/api/holds/{hold.pk}/"), 404, "not_found")

    hold.refresh_from_db()
    assert hold.booking_id is None and hold.released_at is None


def test_my_bookings_never_lists_anyone_elses(user_client, victim_objects):
    assert user_client.get("/api/bookings/my/").json()["results"] == []


# --- Roles: no request raises one ---------------------------------------------------------------


@pytest.mark.parametrize("role_field", [{"role": "ADMIN"}, {"is_staff": True}, {"is_superuser": True}])
def test_registration_cannot_ask_for_a_role(anon, role_field):
    body = {"username": "mallory", "email": "mallory@example.com", "password": PASSWORD, **role_field}

    response = anon.post("/api/auth/register/", body)

    assert response.status_code == 201, response.content
    assert response.json()["user"]["role"] == "USER"
    mallory = User.objects.get(username="mallory")
    assert (mallory.role, mallory.is_staff, mallory.is_superuser) == ("USER", False, False)


@pytest.mark.parametrize("method", ["put", "patch", "post", "delete"])
def test_the_signed_in_user_cannot_be_changed_through_me(user_client, user, method):
    response = getattr(user_client, method)("/api/auth/me/", {"role": "ADMIN"})

    assert_json_error(response, 405, "method_not_allowed")
    user.refresh_from_db()
    assert user.role == "USER"


def test_a_role_claim_in_a_token_grants_nothing(user):
    # Even a correctly signed token that claims a role: the role is read from the database.
    token = AccessToken.for_user(user)
    token["role"] = "ADMIN"

    assert_json_error(bearer(str(token)).get("/api/bookings/"), 403, "permission_denied")
    assert_json_error(bearer(str(token)).get("/api/analytics/bookings/"), 403, "permission_denied")


def test_a_passenger_cannot_write_trains(user_client, train):
    assert_json_error(user_client.patch(f"/api/trains/{train.pk}/", {"total_seats": 1}), 403, "permission_denied")
    assert_json_error(user_client.delete(f"/api/trains/{train.pk}/"), 403, "permission_denied")
    train.refresh_from_db()
    assert train.is_active and train.total_seats == 50


# --- Tokens --------------------------------------------------------------------------------------


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    # A valid signature for another payload: the same user id, promoted to someone else.
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["user_id"] = str(int(claims["user_id"]) + 1)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _flipped_signature(token: str) -> str:
    head, _, signature = token.rpartition(".")
    return f"{head}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"


def _unsigned(token: str) -> str:
    _header, payload, _signature = token.split(".")
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    return f"{none_header}.{payload}."


@pytest.mark.parametrize("spoil", [_tampered, _flipped_signature, _unsigned], ids=["payload", "signature", "alg-none"])
def test_a_tampered_access_token_is_401(user, spoil):
    make_user("someone-else")
    access = issue_tokens(user)["access"]

    assert_json_error(bearer(spoil(access)).get("/api/auth/me/"), 401, "token_not_valid")


def test_an_expired_access_token_is_401(user):
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=5))

    response = bearer(str(token)).get("/api/auth/me/")

    assert_json_error(response, 401, "token_not_valid")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_refresh_token_is_not_an_access_token(user):
    refresh = issue_tokens(user)["refresh"]

    assert_json_error(bearer(refresh).get("/api/auth/me/"), 401, "token_not_valid")


def test_an_expired_refresh_token_is_refused(anon, user):
    token = RefreshToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(days=30), lifetime=timedelta(days=7))

    assert_json_error(anon.post("/api/auth/token/refresh/", {"refresh": str(token)}), 401, "token_not_valid")


def test_a_revoked_refresh_token_is_refused(anon, user):
    tokens = issue_tokens(user)
    assert bearer(tokens["access"]).post("/api/auth/logout/", {"refresh": tokens["refresh"]}).status_code == 205

    assert_json_error(anon.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}), 401)


def test_a_deactivated_users_tokens_stop_working(anon, user):
    tokens = issue_tokens(user)
    assert bearer(tokens["access"]).get("/api/auth/me/").status_code == 200

    User.objects.filter(pk=user.pk).update(is_active=False)

    assert_json_error(bearer(tokens["access"]).get("/api/auth/me/"), 401, "user_inactive")
    assert_json_error(anon.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}), 401)
    assert_json_error(anon.post("/api/auth/login/", {"username": user.username, "password": PASSWORD}), 401)


def test_a_deleted_users_token_is_401(user):
    access = issue_tokens(user)["access"]
    user.delete()

    assert_json_error(bearer(access).get("/api/auth/me/"), 401)
