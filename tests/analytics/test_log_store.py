import logging
import os
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings

from analytics.log_store import SearchLogStore, record_search
from tests.analytics.logs import REFUSING_MONGO_URI, installed, log_entry, logged, new_store


class StalledStore(SearchLogStore):
    """A store whose writer, once it holds a batch, waits for the test's go-ahead to write it."""

    def __init__(self, **options):
        super().__init__(**options)
        self.writing = threading.Event()
        self.go_ahead = threading.Event()
        self.batches_attempted = 0

    def write_batch(self, documents):
        self.writing.set()
        self.go_ahead.wait(30)
        self.batches_attempted += 1
        super().write_batch(documents)


@pytest.fixture
def stalled_store():
    store = new_store(StalledStore, queue_size=10)
    with installed(store):
        try:
            yield store
        finally:
            store.go_ahead.set()


@pytest.mark.urls("tests.analytics.urls")
@pytest.mark.django_db
def test_search_answers_while_mongodb_refuses_connections_and_the_entry_is_counted_as_dropped(user_client):
    store = new_store(StalledStore, uri=REFUSING_MONGO_URI)
    with installed(store):
        try:
            response = user_client.get("/api/trains/search/", {"source": "Delhi", "destination": "Agra"})

            assert response.status_code == 200
            # The answer went out before the writer even tried MongoDB.
            assert store.batches_attempted == 0
            assert store.dropped == 0
        finally:
            store.go_ahead.set()
        assert store.flush(10)
        assert (store.batches_attempted, store.dropped) == (1, 1)


def test_the_queue_never_grows_past_its_bound_and_counts_what_it_drops(stalled_store, caplog):
    record_search(log_entry())
    assert stalled_store.writing.wait(10), "the writer never took the first entry"

    sizes = []
    with caplog.at_level(logging.WARNING, logger="analytics.log_store"):
        for _ in range(25):
            record_search(log_entry())
            sizes.append(stalled_store.pending)

    assert max(sizes) == 10
    assert stalled_store.dropped == 15
    # One warning for the whole burst, not one per entry.
    assert len([record for record in caplog.records if "Dropped" in record.getMessage()]) == 1

    stalled_store.go_ahead.set()
    assert len(logged(stalled_store)) == 11
    assert stalled_store.dropped == 15


def test_a_forked_worker_logs_through_a_writer_of_its_own(search_logs):
    record_search(log_entry(source="parent"))
    assert search_logs.flush(10)

    pid = os.fork()
    if pid == 0:
        exit_code = 1
        try:
            # The parent's writer thread does not exist here: only a fresh one can drain this.
            record_search(log_entry(source="child"))
            written = search_logs.flush(10) and search_logs.collection().count_documents({"source": "child"}) == 1
            exit_code = 0 if written else 1
        finally:
            os._exit(exit_code)
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0


def test_first_use_creates_the_retention_index_and_no_other(any_search_logs):
    indexes = {tuple(spec["key"]): spec for spec in any_search_logs.collection().index_information().values()}

    # Every index costs every insert; `_id` is MongoDB's own.
    assert set(indexes) <= {(("_id", 1),), (("timestamp", 1),)}
    if any_search_logs.embedded:
        # The stand-in expires old logs from its writer instead (see the next test).
        assert (("timestamp", 1),) not in indexes
    else:
        assert indexes[(("timestamp", 1),)]["expireAfterSeconds"] == settings.LOG_RETENTION_DAYS * 86400


class CountingStore(SearchLogStore):
    def __init__(self, **options):
        super().__init__(**options)
        self.batches = []

    def write_batch(self, documents):
        self.batches.append(len(documents))
        super().write_batch(documents)


def test_logs_that_arrive_while_the_writer_lingers_go_in_one_batch_and_a_flush_cuts_the_wait_short():
    with installed(new_store(CountingStore, batch_linger=30)) as store:
        for number in range(5):
            store.record(log_entry(source=f"s{number}"))
        started = time.monotonic()

        assert store.flush(10)
        assert time.monotonic() - started < 5, "the flush waited out the writer's linger"
        assert store.batches == [5]
        assert sorted(doc["source"] for doc in logged(store)) == [f"s{number}" for number in range(5)]


def test_the_stand_in_drops_logs_older_than_the_retention_when_it_writes():
    from datetime import UTC, datetime, timedelta

    old = log_entry(source="old")
    old["timestamp"] = datetime.now(UTC) - timedelta(days=settings.LOG_RETENTION_DAYS + 1)
    recent = log_entry(source="recent")
    with installed(new_store(uri="mongomock://")) as stand_in:
        stand_in.write_batch([old])
        stand_in._last_embedded_expiry = float("-inf")

        stand_in.write_batch([recent])

        assert [doc["source"] for doc in stand_in.collection().find()] == ["recent"]


@pytest.mark.urls("tests.analytics.urls")
@pytest.mark.django_db
def test_health_reports_the_search_log_as_up(search_logs, anon):
    response = anon.get("/api/health/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "mongo": "ok"}


@pytest.mark.urls("tests.analytics.urls")
@pytest.mark.django_db
def test_health_names_an_unreachable_mongodb(anon):
    with installed(new_store(uri=REFUSING_MONGO_URI)):
        response = anon.get("/api/health/")

    assert response.status_code == 503
    assert response.json()["mongo"] == "down"
    assert response.json()["database"] == "ok"


EXITING_PROCESS = """
import atexit, sys, threading
from analytics.log_store import SearchLogStore

class FileStore(SearchLogStore):
    exiting = threading.Event()

    def write_batch(self, documents):
        # Hold every batch until the interpreter is shutting down.
        self.exiting.wait(30)
        with open(sys.argv[1], "a") as out:
            out.writelines(f"{document['n']}\\n" for document in documents)

store = FileStore(uri="mongomock://")
# atexit runs last-registered first: this lets the writer go just before the store's own flush.
atexit.register(FileStore.exiting.set)
for n in range(3):
    store.record({"n": n})
"""


def test_entries_still_queued_at_exit_are_written_before_the_process_ends(tmp_path):
    written = tmp_path / "written.txt"

    subprocess.run([sys.executable, "-c", EXITING_PROCESS, str(written)], cwd=settings.BASE_DIR, check=True, timeout=60)

    assert sorted(written.read_text().split()) == ["0", "1", "2"]
