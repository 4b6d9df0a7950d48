import pytest
from django.contrib.auth import get_user_model

from tests.conftest import client_for
from tests.factories import PASSWORD, make_user
from tests.operations.helpers import assert_json_error

User = get_user_model()
REGISTRATION = {"username": "asha", "email": "asha@example.com", "password": PASSWORD}


@pytest.mark.django_db
# Outside /api/ an unknown URL is the site's HTML 404 page (tests/web).
@pytest.mark.parametrize("path", ["/api/nope/", "/api/auth/", "/api/auth/me/extra/"])
def test_unknown_urls_are_a_json_404(anon, path):
    assert_json_error(anon.get(path), 404, "not_found")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/auth/login/"),
        ("delete", "/api/auth/register/"),
        ("put", "/api/auth/me/"),
        ("post", "/api/health/"),
    ],
)
def test_a_method_the_path_does_not_take_is_a_json_405(user_client, method, path):
    assert_json_error(getattr(user_client, method)(path), 405, "method_not_allowed")


@pytest.mark.django_db
def test_malformed_json_is_400_and_creates_nothing(anon):
    response = anon.generic("POST", "/api/auth/register/", b'{"username": "asha",', content_type="application/json")

    assert_json_error(response, 400, "parse_error")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_415(anon):
    response = anon.post("/api/auth/register/", REGISTRATION, format="multipart")

    assert_json_error(response, 415, "unsupported_media_type")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_body_over_the_limit_is_413_and_creates_nothing(anon, settings):
    padding = "x" * settings.MAX_BODY_BYTES
    response = anon.post("/api/auth/register/", {**REGISTRATION, "padding": padding})

    assert_json_error(response, 413, "payload_too_large")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_body_just_under_the_limit_is_read(anon, settings):
    settings.MAX_BODY_BYTES = 400

    response = anon.post("/api/auth/register/", {**REGISTRATION, "padding": "x" * 250})

    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_a_chunked_body_without_content_length_is_refused_not_ignored(anon):
    response = anon.generic(
        "POST",
        "/api/auth/register/",
        b'{"username": "asha"}',
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert_json_error(response, 411, "length_required")
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["abc", "-5", "1e3"])
def test_a_malformed_content_length_is_400(anon, length):
    response = anon.generic("POST", "/api/auth/login/", b"{}", content_type="application/json", CONTENT_LENGTH=length)

    assert_json_error(response, 400, "bad_request")


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_a_post_without_the_trailing_slash_is_sent_on_with_its_method_and_nothing_happens(anon, settings, debug):
    settings.DEBUG = debug

    response = anon.post("/api/auth/register?next=1", REGISTRATION)

    assert response.status_code == 308
    assert response["Location"] == "/api/auth/register/?next=1"
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "trailing_slash_required"
    assert not User.objects.exists()


@pytest.mark.django_db
def test_following_the_trailing_slash_redirect_repeats_the_post(anon):
    response = anon.post("/api/auth/register", REGISTRATION, follow=True)

    assert response.status_code == 201, response.content
    assert User.objects.filter(username="asha").exists()


@pytest.mark.django_db
def test_a_request_for_a_bad_host_is_a_json_400(anon):
    assert_json_error(anon.get("/api/health/", HTTP_HOST="evil.example"), 400, "bad_request")


@pytest.mark.django_db
@pytest.mark.urls("tests.operations.urls")
@pytest.mark.parametrize("path", ["/api/test/crash/", "/api/test/crash-django/"])
def test_an_unexpected_exception_is_a_json_500(admin_client, path):
    admin_client.raise_request_exception = False

    assert_json_error(admin_client.get(path), 500, "server_error")


@pytest.mark.django_db
@pytest.mark.urls("tests.operations.urls")
def test_the_wrong_role_is_a_json_403_and_no_token_a_json_401(anon, user_client, admin_client):
    assert_json_error(user_client.get("/test/admin-only/"), 403, "permission_denied")
    assert_json_error(anon.get("/test/admin-only/"), 401, "not_authenticated")
    assert admin_client.get("/test/admin-only/").status_code == 200


@pytest.mark.django_db
@pytest.mark.urls("tests.operations.urls")
def test_a_django_validation_error_from_a_service_is_a_400_naming_the_field(user_client):
    body = assert_json_error(user_client.get("/test/raise/?kind=django-validation"), 400, "validation_error")

    assert body["fields"] == {"travel_date": ["Not a day this train runs."]}


@pytest.mark.django_db
@pytest.mark.urls("tests.operations.urls")
def test_a_domain_error_carries_its_code_and_extra_keys(user_client):
    body = assert_json_error(user_client.get("/test/raise/?kind=conflict"), 409, "sold_out")

    assert body["seats_free"] == 2


@pytest.mark.django_db
@pytest.mark.urls("tests.operations.urls")
def test_throttling_is_a_json_429_with_retry_after(user_client):
    response = user_client.get("/test/raise/?kind=throttled")

    assert_json_error(response, 429, "throttled")
    assert response["Retry-After"] == "42"


@pytest.mark.django_db
def test_an_inactive_users_token_gets_a_json_401():
    passenger = make_user("asha", is_active=False)

    assert_json_error(client_for(passenger).get("/api/auth/me/"), 401, "user_inactive")
