"""Helpers for search-log tests: stores on databases of their own, and log documents."""

import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

from django.conf import settings

from analytics.log_store import SearchLogStore, use_store

# Nothing listens on port 1: connections are refused at once, and pymongo gives up after 200 ms.
REFUSING_MONGO_URI = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200"


def new_store(store_class=SearchLogStore, *, uri: str | None = None, **options) -> SearchLogStore:
    """A store on a database of its own, so no test sees another's logs.

    On the MongoDB the app is configured with (MONGO_URI) unless `uri` says otherwise: the
    stand-in by default, a real server's socket when CI points MONGO_URI at one.
    """
    uri = settings.MONGO_URI if uri is None else uri
    db_name = f"test_irctc_logs_{uuid.uuid4().hex[:12]}"
    return store_class(uri=uri, db_name=db_name, retention_days=settings.LOG_RETENTION_DAYS, **options)


@contextmanager
def installed(store: SearchLogStore):
    """`store` is the one the middleware, the APIs and the health check use, until the block ends."""
    previous = use_store(store)
    try:
        yield store
    finally:
        use_store(previous)
        assert store.flush(10), "the writer did not finish its queue"
        if store.ping():
            store.collection().drop()


def logged(store) -> list[dict]:
    """Everything written so far, once the writer has caught up."""
    assert store.flush(10), "the writer did not finish its queue"
    return list(store.collection().find({}, {"_id": 0}).sort("timestamp", 1))


def log_entry(source="delhi", destination="mumbai", *, timestamp=None, execution_time_ms=10.0, **fields) -> dict:
    """A search-log document as the middleware writes it, for inserting history directly."""
    return {
        "endpoint": "/api/trains/search/",
        "method": "GET",
        "params": {"source": source, "destination": destination},
        "source": source,
        "destination": destination,
        "travel_date": None,
        "user_id": None,
        "status_code": 200,
        "result_count": 1,
        "execution_time_ms": execution_time_ms,
        "timestamp": timestamp or datetime.now(UTC),
        **fields,
    }
