"""The search log: a bounded in-process queue in front of MongoDB's `search_logs` collection.

A search must never wait on MongoDB, so `record_search` only puts the document on a bounded queue
and a daemon thread writes what has gathered there in batches. When MongoDB is slow or down the
queue fills up and later documents are dropped and counted (with a rate-limited warning): memory
stays bounded and searches answer as fast as ever. What is still queued at exit is flushed, with
a bounded wait.

Everything that touches a process (queue, writer thread, pymongo client, counters) is created at
first use in each process, and again after a fork: gunicorn forks its workers from a parent whose
pymongo client and threads must not be shared with them.

`MONGO_URI` unset or `mongomock://...` selects the in-process stand-in (one client per process);
any other URI a real server, with short timeouts so neither the writer nor the health check hangs.
"""

import atexit
import logging
import math
import os
import queue
import threading
import time
import weakref
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pymongo
from django.conf import settings
from pymongo.errors import OperationFailure

logger = logging.getLogger(__name__)

COLLECTION_NAME = "search_logs"
QUEUE_SIZE = 10_000
BATCH_SIZE = 500
# After the first log of a batch, the writer waits this long for more before it writes (a flush
# cuts the wait short). Under load that turns one insert per search into one per 200 ms: each
# insert_many costs the writer (while holding the GIL the request threads need) and the server far
# more than a document does (docs/performance.md, The search log's cost).
BATCH_LINGER_SECONDS = 0.2
SHUTDOWN_WAIT_SECONDS = 5.0
DROP_WARNING_INTERVAL_SECONDS = 60.0
EMBEDDED_EXPIRY_INTERVAL_SECONDS = 60.0
# Long enough for a healthy server across a network, short enough that a failing batch or an
# analytics query gives up quickly, also on a server that accepts connections but never answers
# (paused, or a network that drops packets): socketTimeoutMS bounds every wait on a reply.
CONNECT_TIMEOUTS_MS = {"serverSelectionTimeoutMS": 2000, "connectTimeoutMS": 2000, "socketTimeoutMS": 10000}
# A load balancer's probe must hear "down" well before its own timeout, whatever MongoDB is doing.
PING_TIMEOUT_SECONDS = 1.0
# MongoDB's codes for "an index with these keys already exists with other options".
INDEX_OPTIONS_CONFLICT_CODES = {85, 86}

_mongomock_client = None
_mongomock_client_lock = threading.Lock()


def uses_embedded_stand_in(uri: str) -> bool:
    return not uri or uri.startswith("mongomock://")


def _shared_mongomock_client():
    global _mongomock_client
    with _mongomock_client_lock:
        if _mongomock_client is None:
            # Imported only here: a deployment on a real MongoDB never loads the stand-in.
            import mongomock

            _mongomock_client = mongomock.MongoClient(tz_aware=True)
        return _mongomock_client


def _new_client(uri: str):
    if uses_embedded_stand_in(uri):
        return _shared_mongomock_client()
    # Options written in the URI win over our defaults (pymongo would let keywords win).
    in_uri = {name.lower() for name in parse_qs(urlsplit(uri).query)}
    timeouts = {name: value for name, value in CONNECT_TIMEOUTS_MS.items() if name.lower() not in in_uri}
    return pymongo.MongoClient(uri, tz_aware=True, **timeouts)


class _ProcessState:
    """What one process owns: never inherited across a fork."""

    def __init__(self, queue_size: int):
        self.pid = os.getpid()
        self.queue: queue.Queue = queue.Queue(maxsize=queue_size)
        # `lock` guards quick bookkeeping a request may need; `connect_lock` only the client's
        # creation (no I/O, short of a DNS lookup for mongodb+srv); `index_lock` is held for as
        # long as MongoDB takes to answer, so nobody ever waits for it.
        self.lock = threading.Lock()
        self.connect_lock = threading.Lock()
        self.index_lock = threading.Lock()
        self.idle = threading.Condition()
        self.unfinished = 0
        # Set by a flush: the writer stops lingering until it has written what is queued.
        self.hurry = threading.Event()
        self.writer: threading.Thread | None = None
        self.client = None
        self.indexed = False
        self.dropped = 0
        self.unreported_drops = 0
        self.last_drop_warning = -math.inf


class SearchLogStore:
    """Queue, writer thread and collection behind `record_search`."""

    def __init__(
        self,
        *,
        uri: str = "",
        db_name: str = "irctc_logs",
        retention_days: int = 90,
        collection_name: str = COLLECTION_NAME,
        queue_size: int = QUEUE_SIZE,
        batch_size: int = BATCH_SIZE,
        batch_linger: float = BATCH_LINGER_SECONDS,
    ):
        self.uri = uri
        self.db_name = db_name
        self.retention_days = retention_days
        self.collection_name = collection_name
        self.queue_size = queue_size
        self.batch_size = batch_size
        self.batch_linger = batch_linger
        self._state_lock = threading.Lock()
        self._state: _ProcessState | None = None
        self._last_embedded_expiry = -math.inf
        _stores.add(self)
        atexit.register(self.close)

    @classmethod
    def from_settings(cls) -> "SearchLogStore":
        return cls(uri=settings.MONGO_URI, db_name=settings.MONGO_DB, retention_days=settings.LOG_RETENTION_DAYS)

    @property
    def embedded(self) -> bool:
        return uses_embedded_stand_in(self.uri)

    # --- writing ----------------------------------------------------------------------------

    def record(self, document: dict) -> None:
        """Queue `document` for the writer; never blocks, never raises for MongoDB's sake."""
        state = self._started_state()
        with state.idle:
            state.unfinished += 1
        try:
            state.queue.put_nowait(document)
        except queue.Full:
            self._finished(state, 1)
            self._note_dropped(state, 1, "the queue is full (MongoDB slow or down)")

    def flush(self, timeout: float = 1.0) -> bool:
        """Wait up to `timeout` seconds until every queued document is written or dropped."""
        state = self._state
        if state is None or state.pid != os.getpid():
            return True
        deadline = time.monotonic() + timeout
        state.hurry.set()
        with state.idle:
            while state.unfinished:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                state.idle.wait(remaining)
        return True

    def close(self, timeout: float = SHUTDOWN_WAIT_SECONDS) -> None:
        if not self.flush(timeout):
            logger.warning("Exiting with %d search logs not yet written to MongoDB", self.pending)

    @property
    def pending(self) -> int:
        """Documents in the queue, not counting a batch the writer is working on."""
        state = self._state
        return state.queue.qsize() if state is not None and state.pid == os.getpid() else 0

    @property
    def dropped(self) -> int:
        """Documents this process gave up on since it started."""
        state = self._state
        return state.dropped if state is not None and state.pid == os.getpid() else 0

    def write_batch(self, documents: list[dict]) -> None:
        """Insert one batch; the writer thread's only contact with MongoDB."""
        collection = self.collection()
        collection.insert_many(documents, ordered=False)
        if self.embedded:
            self._expire_embedded_logs(collection)

    def _expire_embedded_logs(self, collection) -> None:
        """Do the TTL index's job for the stand-in, at most once a minute (see `_create_indexes`)."""
        now = time.monotonic()
        if now - self._last_embedded_expiry < EMBEDDED_EXPIRY_INTERVAL_SECONDS:
            return
        self._last_embedded_expiry = now
        cutoff = datetime.now(UTC) - timedelta(days=self.retention_days)
        collection.delete_many({"timestamp": {"$lt": cutoff}})

    # --- reading ----------------------------------------------------------------------------

    def collection(self):
        """`search_logs` of this process's client, its indexes created at first use.

        They are created again after a batch failed: the server that comes back may be a new,
        empty one, and a log collection without its TTL index would grow forever. Whoever finds
        another thread creating them goes on without waiting (creating them is idempotent, and
        the next caller tries again if that attempt fails).
        """
        state = self._current_state()
        collection = self._client(state)[self.db_name][self.collection_name]
        if not state.indexed and state.index_lock.acquire(blocking=False):
            try:
                if not state.indexed:
                    self._create_indexes(collection)
                    state.indexed = True
            finally:
                state.index_lock.release()
        return collection

    def _client(self, state: _ProcessState | None = None):
        state = state or self._current_state()
        if state.client is None:
            with state.connect_lock:
                if state.client is None:
                    state.client = _new_client(self.uri)
        return state.client

    def ping(self) -> bool:
        """Whether MongoDB answers within a second; the stand-in lives in this process, so it always does."""
        if self.embedded:
            return True
        try:
            with pymongo.timeout(PING_TIMEOUT_SECONDS):
                self._client().admin.command("ping")
        except Exception:  # noqa: BLE001 - to a health check any failure means "down"
            return False
        return True

    def _create_indexes(self, collection) -> None:
        # Only the TTL index on `timestamp`, which also serves every window the analytics read:
        # no query looks logs up by route, and a (source, destination, timestamp) index made every
        # inserted log cost the server much more.
        if self.embedded:
            # mongomock enforces a TTL index by scanning every stored document on every insert and
            # read, which made logging slow search down more and more as logs piled up; the
            # writer expires the stand-in's old logs itself instead.
            return
        ttl_seconds = self.retention_days * 86400
        try:
            collection.create_index("timestamp", name="timestamp_ttl", expireAfterSeconds=ttl_seconds)
        except OperationFailure as exc:
            if exc.code not in INDEX_OPTIONS_CONFLICT_CODES:
                raise
            # LOG_RETENTION_DAYS changed since the index was built: retime it in place.
            collection.database.command(
                "collMod",
                collection.name,
                index={"keyPattern": {"timestamp": 1}, "expireAfterSeconds": ttl_seconds},
            )

    # --- per-process state ------------------------------------------------------------------

    def _current_state(self) -> _ProcessState:
        state = self._state
        if state is not None and state.pid == os.getpid():
            return state
        with self._state_lock:
            if self._state is None or self._state.pid != os.getpid():
                self._state = _ProcessState(self.queue_size)
            return self._state

    def _started_state(self) -> _ProcessState:
        state = self._current_state()
        if state.writer is None:
            with state.lock:
                if state.writer is None:
                    state.writer = threading.Thread(
                        target=self._write_forever, args=(state,), name="search-log-writer", daemon=True
                    )
                    state.writer.start()
        return state

    def _write_forever(self, state: _ProcessState) -> None:
        while True:
            batch = [state.queue.get()]
            if self.batch_linger and state.queue.qsize() < self.batch_size - 1:
                # A wait on the flush's event, not a get with a timeout: no wake-up for every
                # search that comes in.
                state.hurry.wait(self.batch_linger)
            while len(batch) < self.batch_size:
                try:
                    batch.append(state.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self.write_batch(batch)
            except Exception as exc:  # noqa: BLE001 - the writer must outlive any failure of MongoDB
                state.indexed = False
                self._note_dropped(state, _failed_count(exc, len(batch)), f"MongoDB refused a batch: {exc}")
            finally:
                if state.queue.empty():
                    state.hurry.clear()
                self._finished(state, len(batch))

    @staticmethod
    def _finished(state: _ProcessState, count: int) -> None:
        with state.idle:
            state.unfinished -= count
            if not state.unfinished:
                state.idle.notify_all()

    @staticmethod
    def _note_dropped(state: _ProcessState, count: int, reason: str) -> None:
        with state.lock:
            state.dropped += count
            state.unreported_drops += count
            now = time.monotonic()
            if now - state.last_drop_warning < DROP_WARNING_INTERVAL_SECONDS:
                return
            unreported, state.unreported_drops, state.last_drop_warning = state.unreported_drops, 0, now
        logger.warning(
            "Dropped %d search logs (%d in all since this process started): %s", unreported, state.dropped, reason
        )

    def _forget_process_state(self) -> None:
        # A forked child must not touch its parent's locks, queue or pymongo client.
        self._state_lock = threading.Lock()
        self._state = None


def _failed_count(exc: Exception, batch_size: int) -> int:
    """How many documents of an unordered batch did not make it."""
    write_errors = (getattr(exc, "details", None) or {}).get("writeErrors")
    return len(write_errors) if write_errors else batch_size


_stores: "weakref.WeakSet[SearchLogStore]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    global _mongomock_client_lock, _store_lock
    _mongomock_client_lock = threading.Lock()
    _store_lock = threading.Lock()
    for store in list(_stores):
        store._forget_process_state()


os.register_at_fork(after_in_child=_after_fork_in_child)

_store: SearchLogStore | None = None
_store_lock = threading.Lock()


def get_store() -> SearchLogStore:
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                _store = SearchLogStore.from_settings()
    return _store


def use_store(store: SearchLogStore | None) -> SearchLogStore | None:
    """Make `store` the one every caller uses (None: rebuild from settings); returns the old one."""
    global _store
    with _store_lock:
        previous, _store = _store, store
    return previous


def record_search(document: dict) -> None:
    get_store().record(document)


def flush(timeout: float = 1.0) -> bool:
    return get_store().flush(timeout)


def search_logs():
    return get_store().collection()


def mongo_is_up() -> bool:
    return get_store().ping()
