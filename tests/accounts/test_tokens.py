import time
from datetime import timedelta

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.services import issue_tokens
from irctc import process_memory
from tests.conftest import client_for
from tests.factories import make_user
from tests.operations.helpers import assert_json_error


def refresh(client, token: str):
    return client.post("/api/auth/token/refresh/", {"refresh": token})


@pytest.mark.django_db
def test_refresh_rotates_and_the_old_refresh_token_is_spent(anon, user):
    old = issue_tokens(user)["refresh"]

    first = refresh(anon, old)

    assert first.status_code == 200, first.content
    pair = first.json()
    assert set(pair) == {"access", "refresh"} and pair["refresh"] != old
    assert_json_error(refresh(anon, old), 401, "token_not_valid")
    assert refresh(anon, pair["refresh"]).status_code == 200
    assert client_for_access(pair["access"]).get("/api/auth/me/").json()["id"] == user.pk


def client_for_access(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["garbage", "", "a.b.c", "x" * 3000])
def test_refresh_with_a_bad_token_is_refused(anon, token):
    response = refresh(anon, token)

    assert response.status_code in (400, 401), response.content
    assert_json_error(response, response.status_code)


@pytest.mark.django_db
def test_an_access_token_is_not_a_refresh_token(anon, user):
    assert_json_error(refresh(anon, issue_tokens(user)["access"]), 401, "token_not_valid")


@pytest.mark.django_db
def test_refresh_for_a_deactivated_or_deleted_user_is_401(anon):
    gone, idle = make_user("gone"), make_user("idle")
    gone_refresh, idle_refresh = issue_tokens(gone)["refresh"], issue_tokens(idle)["refresh"]
    gone.delete()
    idle.is_active = False
    idle.save()

    assert_json_error(refresh(anon, gone_refresh), 401)
    assert_json_error(refresh(anon, idle_refresh), 401)


@pytest.mark.django_db
def test_logout_revokes_that_refresh_token(user_client, user):
    token = issue_tokens(user)["refresh"]

    response = user_client.post("/api/auth/logout/", {"refresh": token})

    assert response.status_code == 205, response.content
    assert_json_error(refresh(APIClient(), token), 401, "token_not_valid")
    # Logging out with it again is refused clearly rather than silently accepted.
    assert_json_error(user_client.post("/api/auth/logout/", {"refresh": token}), 400, "token_not_valid")


@pytest.mark.django_db
def test_logout_leaves_other_refresh_tokens_working(user_client, user):
    kept, revoked = issue_tokens(user)["refresh"], issue_tokens(user)["refresh"]

    user_client.post("/api/auth/logout/", {"refresh": revoked})

    assert refresh(APIClient(), kept).status_code == 200


@pytest.mark.django_db
def test_logout_with_someone_elses_refresh_token_is_refused_and_revokes_nothing(user_client):
    other = make_user("other")
    theirs = issue_tokens(other)["refresh"]

    response = user_client.post("/api/auth/logout/", {"refresh": theirs})

    assert_json_error(response, 400, "token_not_yours")
    assert refresh(APIClient(), theirs).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{"refresh": "garbage"}, {}, {"refresh": ""}, {"refresh": 12}])
def test_logout_with_garbage_is_400(user_client, body):
    assert_json_error(user_client.post("/api/auth/logout/", body), 400)


@pytest.mark.django_db
def test_logout_needs_a_signed_in_user(anon, user):
    response = anon.post("/api/auth/logout/", {"refresh": issue_tokens(user)["refresh"]})

    assert_json_error(response, 401, "not_authenticated")


@pytest.mark.django_db
def test_me_returns_the_signed_in_user(user_client, user):
    response = user_client.get("/api/auth/me/")

    assert response.status_code == 200
    assert response.json() == {"id": user.pk, "username": user.username, "email": user.email, "role": "USER"}


@pytest.mark.django_db
def test_me_without_a_token_is_401_naming_the_scheme(anon):
    response = anon.get("/api/auth/me/")

    assert_json_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["Bearer garbage", "Bearer ", "Token abc", "Bearer a.b.c", "Bearer " + "x" * 5000, "Basic dXNlcjpwYXNz"]
)
def test_me_with_a_malformed_authorization_header_is_401(anon, user, header):
    anon.credentials(HTTP_AUTHORIZATION=header)

    assert_json_error(anon.get("/api/auth/me/"), 401)


@pytest.mark.django_db
def test_an_expired_access_token_is_401(anon, user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_json_error(anon.get("/api/auth/me/"), 401, "token_not_valid")


@pytest.mark.django_db
def test_a_refresh_token_is_not_an_access_token(anon, user):
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user)}")

    assert_json_error(anon.get("/api/auth/me/"), 401, "token_not_valid")


@pytest.mark.django_db
def test_deactivating_a_user_stops_their_existing_access_token(user):
    client = client_for(user)
    assert client.get("/api/auth/me/").status_code == 200

    user.is_active = False
    user.save()

    assert_json_error(client.get("/api/auth/me/"), 401)


@pytest.mark.django_db
def test_a_token_accepted_before_is_refused_once_it_expires(anon, user):
    # The first request verifies the token and this process remembers it; the clock alone must
    # still end it.
    token = AccessToken.for_user(user)
    # `exp` is whole seconds (rounded down): 3 s of lifetime leave at least 2 for the first request.
    token.set_exp(lifetime=timedelta(seconds=3))
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert anon.get("/api/auth/me/").status_code == 200

    time.sleep(max(0.0, token["exp"] - time.time()) + 0.1)

    assert_json_error(anon.get("/api/auth/me/"), 401, "token_not_valid")


@pytest.mark.django_db
def test_an_accepted_token_is_remembered_by_the_process_until_its_memory_is_reset(anon, user):
    token = str(AccessToken.for_user(user))
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert anon.get("/api/auth/me/").status_code == 200

    assert token.encode() in process_memory.verified_tokens
    process_memory.reset()
    assert token.encode() not in process_memory.verified_tokens
    assert anon.get("/api/auth/me/").status_code == 200


@pytest.mark.django_db
def test_a_tampered_copy_of_an_accepted_token_is_refused(anon, user):
    token = str(AccessToken.for_user(user))
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert anon.get("/api/auth/me/").status_code == 200
    header, payload, signature = token.split(".")
    forged = ".".join([header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")])
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")

    assert_json_error(anon.get("/api/auth/me/"), 401, "token_not_valid")
