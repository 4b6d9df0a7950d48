"""Each test gets its own search-log store (a fresh database) and installs it as the one in use.

`search_logs` is on the MongoDB the app is configured with (the in-process stand-in unless
MONGO_URI names a server); `any_search_logs` is parametrized to run the same test against the
stand-in and against a real MongoDB when MONGO_TEST_URI is set (the contract run). Without it
that run is skipped, except in CI, where a contract that silently did not run would pass for one
that holds: there it fails.
"""

import pytest

from tests.analytics.logs import installed, new_store
from tests.analytics.wire_server import MONGO_TEST_URI, WireServer, missing_in_ci

BACKENDS = [
    pytest.param("mongomock://", id="mongomock"),
    pytest.param(
        MONGO_TEST_URI,
        id="mongodb",
        marks=pytest.mark.skipif(
            not MONGO_TEST_URI and not missing_in_ci(), reason="MONGO_TEST_URI is not set: no real MongoDB to check"
        ),
    ),
]


@pytest.fixture
def search_logs():
    with installed(new_store()) as store:
        yield store


@pytest.fixture(params=BACKENDS)
def any_search_logs(request):
    if not request.param:
        pytest.fail("CI must run the MongoDB contract: set MONGO_TEST_URI (.ci/run starts scripts/mongo.sh)")
    with installed(new_store(uri=request.param)) as store:
        yield store


@pytest.fixture
def wire_server(tmp_path):
    """A MongoDB wire-protocol server process of the test's own (see wire_server.py)."""
    server = WireServer(tmp_path).start()
    yield server
    server.stop()
