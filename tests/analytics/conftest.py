"""Each test gets its own search-log store (a fresh database) and installs it as the one in use.

`search_logs` is the in-process stand-in; `any_search_logs` is parametrized to run the same test
against a real MongoDB too when MONGO_TEST_URI is set (the contract run), and skips that run
otherwise.
"""

import os

import pytest

from tests.analytics.logs import installed, new_store

MONGO_TEST_URI = os.environ.get("MONGO_TEST_URI", "").strip()

BACKENDS = [
    pytest.param("mongomock://", id="mongomock"),
    pytest.param(
        MONGO_TEST_URI,
        id="mongodb",
        marks=pytest.mark.skipif(not MONGO_TEST_URI, reason="MONGO_TEST_URI is not set: no real MongoDB to check"),
    ),
]


@pytest.fixture
def search_logs():
    with installed(new_store()) as store:
        yield store


@pytest.fixture(params=BACKENDS)
def any_search_logs(request):
    with installed(new_store(uri=request.param)) as store:
        yield store
