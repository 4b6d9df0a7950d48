"""The search log against a real MongoDB server process that dies, comes back, or stops answering.

The app runs in this process (Django's test client), MongoDB in another (`WireServer`), so every
failure is a real socket's: connections refused after a SIGKILL, requests that no one answers
after a SIGSTOP.
"""

import time

import pymongo
import pytest
from django.conf import settings

from analytics.log_store import CONNECT_TIMEOUTS_MS
from tests.analytics.logs import installed, new_store
from tests.analytics.wire_server import WireServer

pytestmark = [pytest.mark.urls("tests.analytics.urls"), pytest.mark.django_db]

SEARCH = "/api/trains/search/"
TOP_ROUTES = "/api/analytics/top-routes/"
SEARCH_STATS = "/api/analytics/search-stats/"
SOCKET_TIMEOUT_SECONDS = CONNECT_TIMEOUTS_MS["socketTimeoutMS"] / 1000


@pytest.fixture
def store_on(wire_server):
    with installed(new_store(uri=wire_server.uri)) as store:
        yield store


def search(client, source: str):
    return client.get(SEARCH, {"source": source, "destination": "agra"})


def sources_on(server: WireServer, store) -> list[str]:
    """What the server itself holds, read with a client of the test's own."""
    with pymongo.MongoClient(server.uri, serverSelectionTimeoutMS=5000) as client:
        return sorted(doc["source"] for doc in client[store.db_name][store.collection_name].find())


def test_a_killed_mongodb_costs_searches_nothing_and_logging_resumes_on_a_new_server_by_itself(
    wire_server, store_on, user_client, admin_client, anon
):
    assert search(user_client, "before").status_code == 200
    assert store_on.flush(10)
    assert sources_on(wire_server, store_on) == ["before"]

    wire_server.kill()
    statuses = [search(user_client, f"down{n}").status_code for n in range(3)]

    assert statuses == [200, 200, 200]
    # Answered while the writer was still waiting for the dead server: no search waited on it.
    assert (store_on.flush(0), store_on.dropped) == (False, 0)
    health = anon.get("/api/health/")
    assert (health.status_code, health.json()["mongo"], health.json()["database"]) == (503, "down", "ok")
    for path in (TOP_ROUTES, SEARCH_STATS):
        response = admin_client.get(path)
        assert (response.status_code, response.json()["code"]) == (503, "service_unavailable"), path
    # The writer gave up on them and counted them, as it does when the queue is full.
    assert store_on.flush(15)
    assert store_on.dropped == 3

    wire_server.start()  # a new, empty server on the same port; the app is not restarted

    assert search(user_client, "after").status_code == 200
    assert store_on.flush(15)
    assert store_on.dropped == 3
    assert sources_on(wire_server, store_on) == ["after"]
    assert anon.get("/api/health/").status_code == 200
    assert admin_client.get(TOP_ROUTES).json() == [{"source": "after", "destination": "agra", "search_count": 1}]
    assert admin_client.get(SEARCH_STATS).json()["searches"] == 1
    # The new server got the retention index again: without it its logs would never expire.
    indexes = {tuple(spec["key"]): spec for spec in store_on.collection().index_information().values()}
    assert indexes[(("timestamp", 1),)]["expireAfterSeconds"] == settings.LOG_RETENTION_DAYS * 86400


def test_a_paused_mongodb_hangs_neither_searches_nor_the_health_check(wire_server, store_on, user_client, anon):
    assert search(user_client, "before").status_code == 200
    assert store_on.flush(10)

    wire_server.pause()
    try:
        assert search(user_client, "paused").status_code == 200
        # The writer is blocked on the paused server's reply; the search did not wait for it.
        assert (store_on.flush(0), store_on.dropped) == (False, 0)

        started = time.monotonic()
        health = anon.get("/api/health/")
        health_seconds = time.monotonic() - started
    finally:
        wire_server.resume()

    assert (health.status_code, health.json()["mongo"]) == (503, "down")
    # Its ping has a timeout of its own, far below the socket timeout a write waits for.
    assert health_seconds < SOCKET_TIMEOUT_SECONDS / 2
    assert search(user_client, "after").status_code == 200
    assert store_on.flush(SOCKET_TIMEOUT_SECONDS + 10)
    # Every search is either written or counted as dropped, never lost unnoticed.
    written = sources_on(wire_server, store_on)
    assert "after" in written
    assert len(written) + store_on.dropped == 3
    assert anon.get("/api/health/").status_code == 200
