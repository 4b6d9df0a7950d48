import pytest
from django.contrib.auth import get_user_model

from tests.factories import PASSWORD, make_user
from tests.operations.helpers import assert_json_error

User = get_user_model()
REGISTER_PATHS = ["/api/auth/register/", "/api/register/"]


def registration(**fields):
    return {"username": "asha", "email": "asha@example.com", "password": PASSWORD, **fields}


@pytest.mark.django_db
@pytest.mark.parametrize("path", REGISTER_PATHS)
def test_registering_returns_the_user_and_a_working_token_pair(anon, path):
    response = anon.post(path, registration(email="Asha@Example.COM"))

    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get(username="asha")
    assert body["user"] == {"id": user.pk, "username": "asha", "email": "asha@example.com", "role": "USER"}
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert anon.get("/api/auth/me/").json()["id"] == user.pk
    assert anon.post("/api/auth/token/refresh/", {"refresh": body["refresh"]}).status_code == 200


@pytest.mark.django_db
def test_password_is_stored_hashed(anon):
    anon.post("/api/auth/register/", registration())

    user = User.objects.get(username="asha")
    assert user.password != PASSWORD
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("sneaky", [{"role": "ADMIN"}, {"is_staff": True, "is_superuser": True, "role": "ADMIN"}])
def test_public_registration_never_creates_an_admin(anon, sneaky):
    response = anon.post("/api/auth/register/", registration(**sneaky))

    assert response.status_code == 201, response.content
    assert response.json()["user"]["role"] == "USER"
    user = User.objects.get(username="asha")
    assert (user.role, user.is_staff, user.is_superuser) == ("USER", False, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("taken", "duplicate", "fields"),
    [
        ({"username": "asha"}, {"username": "ASHA", "email": "other@example.com"}, {"username"}),
        ({"email": "asha@example.com"}, {"username": "other", "email": "ASHA@example.com"}, {"email"}),
        ({"username": "asha", "email": "asha@example.com"}, {}, {"username", "email"}),
    ],
)
def test_duplicate_username_or_email_is_a_conflict_naming_the_fields(anon, taken, duplicate, fields):
    make_user(taken.get("username", "someone"), email=taken.get("email", "someone@example.com"))

    response = anon.post("/api/auth/register/", registration(**duplicate))

    body = assert_json_error(response, 409, "already_registered")
    assert set(body["fields"]) == fields
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short1!", "too short"),
        ("password123", "too common"),
        ("83749261058", "entirely numeric"),
        ("ashaasha1", "like the username"),
    ],
)
def test_django_password_validators_apply(anon, password, why):
    response = anon.post("/api/auth/register/", registration(username="ashaasha", password=password))

    body = assert_json_error(response, 400, "validation_error")
    assert "password" in body["fields"], why
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", ""),
        ("username", "has space"),
        ("username", "x" * 151),
        ("email", "not-an-email"),
        ("email", ""),
        ("password", ""),
    ],
)
def test_invalid_fields_are_named(anon, field, value):
    response = anon.post("/api/auth/register/", registration(**{field: value}))

    body = assert_json_error(response, 400, "validation_error")
    assert field in body["fields"]
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["username", "email", "password"])
def test_every_field_is_required(anon, missing):
    body = registration()
    del body[missing]

    response = anon.post("/api/auth/register/", body)

    assert missing in assert_json_error(response, 400, "validation_error")["fields"]
