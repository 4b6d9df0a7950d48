"""Helpers shared by every test: clients for a passenger and an operator, and small factories.

The suite runs on SQLite by default and on MariaDB with DB_ENGINE=mysql (see .ci/run).
"""

import os

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import make_train, make_user
from tests.own_database import own_database  # noqa: F401 (a fixture for the tests that start processes)

# The browser tests need Chromium: they run wherever it is installed (BROWSER_TESTS=0 leaves them
# out, as CI's database passes do, which run them in a step of their own; =1 insists on them).
_BROWSER_TESTS = os.environ.get("BROWSER_TESTS", "auto")
_HAVE_CHROMIUM = os.path.exists(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
collect_ignore = [] if _BROWSER_TESTS == "1" or (_BROWSER_TESTS == "auto" and _HAVE_CHROMIUM) else ["browser"]


def client_for(user) -> APIClient:
    """An API client that sends `user`'s access token, as a real client would."""
    from accounts.services import issue_tokens

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user)['access']}")
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's deliberate slowness protects stored passwords, not tests: it cost ~1 s of set-up
    per test that makes users. Password *validation* rules are unchanged."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_throttling(settings):
    """Throttling is tested on its own (tests/security); elsewhere it would only get in the way."""
    settings.THROTTLE_RATES = dict.fromkeys(settings.THROTTLE_RATES)


@pytest.fixture(autouse=True)
def cached_users(settings):
    """Every test authenticates through the user cache, as production with Redis does, starting
    from an empty cache: user ids are reused from one test to the next, cached users must not be."""
    settings.AUTH_USER_CACHE_SECONDS = 300
    settings.SEARCH_CACHE_SECONDS = 10
    cache.clear()


@pytest.fixture(autouse=True)
def empty_process_memory():
    """What a process keeps between requests (kept trains, timetables, verified tokens, owed cache
    bumps: `irctc.process_memory`) starts empty too: a test's rows are rolled back, not deleted,
    and the next test may reuse their ids."""
    from irctc import process_memory

    process_memory.reset()


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def user(db):
    return make_user("passenger")


@pytest.fixture
def admin_user(db):
    return make_user("operator", role="ADMIN")


@pytest.fixture
def user_client(user):
    return client_for(user)


@pytest.fixture
def admin_client(admin_user):
    return client_for(admin_user)


@pytest.fixture
def train(db):
    return make_train()
