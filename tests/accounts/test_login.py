import pytest

from tests.factories import PASSWORD, make_user
from tests.operations.helpers import assert_json_error

LOGIN_PATHS = ["/api/auth/login/", "/api/login/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", LOGIN_PATHS)
@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "asha@example.com"},
        {"email": "  ASHA@Example.com "},
        {"username": "asha"},
        {"username": "ASHA"},
    ],
)
def test_login_by_email_or_username_in_any_case(anon, path, credentials):
    user = make_user("asha")

    response = anon.post(path, {**credentials, "password": PASSWORD})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["user"] == {"id": user.pk, "username": "asha", "email": "asha@example.com", "role": "USER"}
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert anon.get("/api/auth/me/").status_code == 200
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.django_db
def test_login_tells_an_admin_their_role(anon):
    make_user("operator", role="ADMIN")

    response = anon.post("/api/auth/login/", {"username": "operator", "password": PASSWORD})

    assert response.json()["user"]["role"] == "ADMIN"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "asha", "password": "Wrong-pass-phrase"},
        {"email": "asha@example.com", "password": "Wrong-pass-phrase"},
        {"username": "nobody", "password": PASSWORD},
        {"email": "nobody@example.com", "password": PASSWORD},
        # The email field is matched against emails only, never against usernames.
        {"email": "asha", "password": PASSWORD},
    ],
)
def test_wrong_credentials_are_401(anon, credentials):
    make_user("asha")

    response = anon.post("/api/auth/login/", credentials)

    assert_json_error(response, 401, "invalid_credentials")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "access" not in response.json()


@pytest.mark.django_db
def test_a_username_containing_at_signs_in_by_username(anon):
    make_user("a@b", email="someone@example.com")

    response = anon.post("/api/auth/login/", {"username": "a@b", "password": PASSWORD})

    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_inactive_user_cannot_log_in(anon):
    make_user("asha", is_active=False)

    response = anon.post("/api/auth/login/", {"username": "asha", "password": PASSWORD})

    assert_json_error(response, 401, "invalid_credentials")


@pytest.mark.django_db
def test_login_ignores_a_stale_authorization_header(anon):
    make_user("asha")
    anon.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")

    response = anon.post("/api/auth/login/", {"username": "asha", "password": PASSWORD})

    assert response.status_code == 200, response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [({"password": PASSWORD}, "email"), ({"username": "asha"}, "password"), ({}, "password")],
)
def test_missing_identifier_or_password_is_400(anon, body, field):
    response = anon.post("/api/auth/login/", body)

    assert field in assert_json_error(response, 400, "validation_error")["fields"]
