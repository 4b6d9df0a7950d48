"""Requests authenticate from the cached user, and every change to that user applies to the very
next request: deactivation, role, password (when tokens carry its hash), details, deletion."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from accounts import user_cache
from accounts.models import User
from accounts.services import issue_tokens
from tests.operations.helpers import assert_json_error

pytestmark = pytest.mark.django_db

ADMIN_ONLY = "/api/analytics/top-routes/"


def signed_in(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user)['access']}")
    return client


def me(client):
    response = client.get("/api/auth/me/")
    return response.status_code, response.json()


def test_a_signed_in_request_costs_no_user_query_once_cached(user, django_assert_num_queries):
    client = signed_in(user)
    with django_assert_num_queries(1):
        assert me(client)[0] == 200
    with django_assert_num_queries(0):
        assert me(client) == (200, {"id": user.pk, "username": user.username, "email": user.email, "role": "USER"})


def test_without_the_cache_every_request_reads_the_user(settings, user, django_assert_num_queries):
    settings.AUTH_USER_CACHE_SECONDS = 0
    client = signed_in(user)
    me(client)
    with django_assert_num_queries(1):
        assert me(client)[0] == 200


@pytest.mark.parametrize("how", ["save", "update"])
def test_deactivating_a_cached_user_refuses_the_next_request(user, how):
    client = signed_in(user)
    assert me(client)[0] == 200
    if how == "save":
        user.is_active = False
        user.save()
    else:
        User.objects.filter(pk=user.pk).update(is_active=False)

    assert_json_error(client.get("/api/auth/me/"), 401, "user_inactive")


@pytest.mark.parametrize("how", ["save", "update"])
def test_demoting_a_cached_admin_forbids_the_next_admin_request(admin_user, how):
    client = signed_in(admin_user)
    assert client.get(ADMIN_ONLY).status_code == 200
    if how == "save":
        admin_user.role = User.Role.USER
        admin_user.save()
    else:
        User.objects.filter(pk=admin_user.pk).update(role=User.Role.USER)

    assert_json_error(client.get(ADMIN_ONLY), 403)
    assert me(client)[1]["role"] == "USER"


def test_promoting_a_cached_user_allows_the_next_admin_request(user):
    client = signed_in(user)
    assert_json_error(client.get(ADMIN_ONLY), 403)
    user.role = User.Role.ADMIN
    user.save()

    assert client.get(ADMIN_ONLY).status_code == 200


def test_a_password_change_keeps_access_tokens_valid_as_simplejwt_does_by_default(user):
    # Today's rule (docs/api.md, Accounts): an access token lives out its 15 minutes; logout revokes refresh only.
    client = signed_in(user)
    assert me(client)[0] == 200
    user.set_password("An0ther-pass-phrase")
    user.save()

    assert me(client)[0] == 200


@pytest.fixture
def revoke_on_password_change(monkeypatch):
    # simplejwt's modules share one settings object and don't see SIMPLE_JWT overrides.
    monkeypatch.setattr(jwt_settings, "CHECK_REVOKE_TOKEN", True)


def test_with_revocation_on_a_password_change_refuses_the_next_request(revoke_on_password_change, user):
    client = signed_in(user)
    assert me(client)[0] == 200
    assert me(client)[0] == 200  # from the cache
    user.set_password("An0ther-pass-phrase")
    user.save()

    assert_json_error(client.get("/api/auth/me/"), 401, "password_changed")
    assert me(signed_in(user))[0] == 200


def test_changed_details_show_on_the_next_request(user):
    client = signed_in(user)
    assert me(client)[0] == 200
    User.objects.filter(pk=user.pk).update(email="renamed@example.com", username="renamed")

    assert me(client)[1] | {"id": None} == {
        "id": None,
        "username": "renamed",
        "email": "renamed@example.com",
        "role": "USER",
    }


def test_deleting_a_cached_user_refuses_the_next_request(user):
    client = signed_in(user)
    assert me(client)[0] == 200
    user.delete()

    assert_json_error(client.get("/api/auth/me/"), 401, "user_not_found")


def test_signing_in_again_keeps_the_cached_user(user, django_assert_num_queries):
    client = signed_in(user)
    me(client)
    assert (
        APIClient().post("/api/auth/login/", {"username": user.username, "password": "Str0ng-pass-phrase"}).status_code
        == 200
    )

    with django_assert_num_queries(0):
        assert me(client)[0] == 200


def test_a_request_that_read_the_user_before_a_change_cannot_cache_the_old_row(user):
    client = signed_in(user)
    stale = User.objects.get(pk=user.pk)  # read while still active...
    User.objects.filter(pk=user.pk).update(is_active=False)  # ...changed before it is cached
    user_cache.remember(stale, {})

    assert_json_error(client.get("/api/auth/me/"), 401, "user_inactive")


@pytest.mark.django_db(transaction=True)
def test_the_entry_is_invalidated_again_when_the_change_commits(user):
    client = signed_in(user)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        # A request before the commit saw the old row; suppose its entry made it into the cache.
        cache.delete(user_cache.key_for(user.pk))
        user_cache.remember(User(pk=user.pk, username=user.username, email=user.email, is_active=True), {})

    assert_json_error(client.get("/api/auth/me/"), 401, "user_inactive")


@pytest.fixture
def cache_down(settings):
    working = settings.CACHES
    # Nothing listens on port 1: every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    yield
    settings.CACHES = working


def test_with_the_cache_down_requests_are_authenticated_from_the_database(user, cache_down):
    client = signed_in(user)
    assert me(client)[0] == 200
    assert me(client)[0] == 200


def test_with_the_cache_down_a_change_to_a_user_fails_and_changes_nothing(user, cache_down):
    # Made anyway, the change would leave a stale entry to be served once the cache is back.
    with pytest.raises(Exception, match="(?i)connect"):
        User.objects.filter(pk=user.pk).update(is_active=False)
    user.role = User.Role.ADMIN
    with pytest.raises(Exception, match="(?i)connect"):
        user.save()

    user.refresh_from_db()
    assert user.is_active and user.role == User.Role.USER


# Search reads the signed-in user together with its cached answer (bookings.apis.TrainSearchApi):
# the same rules hold there.


def search(client, day_ahead: int = 1):
    day = timezone.localdate() + timedelta(days=day_ahead)
    return client.get("/api/trains/search/", {"source": "New Delhi", "destination": "Mumbai Central", "date": day})


def test_a_search_reads_the_cache_once(user, monkeypatch):
    client = signed_in(user)
    assert me(client)[0] == 200  # the user, now cached
    reads = CacheReads(monkeypatch)
    assert search(client, 2).status_code == 200
    assert [name for name, _keys in reads.calls] == ["get_many"]
    assert user_cache.key_for(user.pk) in reads.calls[0][1]


class CacheReads:
    """The cache's get and get_many calls, each once (locmem's get_many calls get for each key)."""

    def __init__(self, monkeypatch):
        self.calls, self.depth = [], 0
        monkeypatch.setattr(cache, "get", self.counted(cache.get, "get"))
        monkeypatch.setattr(cache, "get_many", self.counted(cache.get_many, "get_many"))

    def counted(self, read, name):
        def counted_read(keys, *args, **kwargs):
            if not self.depth:
                self.calls.append((name, list(keys) if name == "get_many" else [keys]))
            self.depth += 1
            try:
                return read(keys, *args, **kwargs)
            finally:
                self.depth -= 1

        return counted_read


@pytest.mark.parametrize("how", ["save", "update"])
def test_deactivating_a_cached_user_refuses_the_next_search(user, how):
    client = signed_in(user)
    assert search(client, 1).status_code == 200
    if how == "save":
        user.is_active = False
        user.save()
    else:
        User.objects.filter(pk=user.pk).update(is_active=False)

    assert_json_error(search(client, 1), 401, "user_inactive")  # the same query, answered before
    assert_json_error(search(client, 2), 401, "user_inactive")


def test_with_revocation_a_password_change_refuses_the_next_search(revoke_on_password_change, user):
    client = signed_in(user)
    assert search(client).status_code == 200
    assert search(client).status_code == 200  # the user (and the answer) from the cache
    user.set_password("An0ther-pass-phrase")
    user.save()

    assert_json_error(search(client), 401, "password_changed")


def test_a_deleted_user_cannot_search(user):
    client = signed_in(user)
    assert search(client).status_code == 200
    user.delete()

    assert search(client).status_code == 401


def test_a_search_with_a_bad_token_or_none_is_refused_before_its_parameters_are_read():
    client = APIClient()
    assert_json_error(client.get("/api/trains/search/", {"source": "New Delhi"}), 401)
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_json_error(client.get("/api/trains/search/", {"source": "A", "destination": "B"}), 401)


def test_with_the_cache_down_a_search_is_authenticated_from_the_database(user, cache_down):
    client = signed_in(user)
    assert search(client).status_code == 200
    assert search(client).status_code == 200
