"""A cache every worker process of one machine shares, without Redis: a SQLite file in memory.

Without Redis, Django's in-process cache is one per worker: a booking in one worker could not
invalidate a search answer another worker keeps, or a signed-in user another worker cached, so
the search cache and the user cache were off, and every search read every timetable of its route
from the database (`trains.selectors.timetables` keeps them only under the timetable counter the
cache holds). A gunicorn deployment's workers are processes on one machine: a SQLite database in
shared memory (`/dev/shm` where there is one) gives them one store with atomic increments, which is
all the counters that stamp cached answers need (`trains.search_cache`), at the cost of a local
file read rather than a network round trip. Several machines still need Redis.

Values are stored pickled, except integers, which are stored as SQLite integers so that `incr` is
one atomic UPDATE (the counters must never lose a bump to a race between two processes, or an
answer cached between them would be served stale). The file is a cache: it is not synced to disk
and may be deleted at any time; a missing or corrupt file is made again.

Expired entries are deleted now and then by whichever process writes (`CULL_EVERY` writes), and
past `MAX_ENTRIES` the soonest to expire go first.
"""

import os
import pickle
import sqlite3
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

CULL_EVERY = 500
MAX_ENTRIES = 50_000
NEVER = 1e18  # an expiry for entries kept without a timeout
BUSY_TIMEOUT_MS = 2000

_SCHEMA = "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB, expires REAL) WITHOUT ROWID"


class SharedMemoryCache(BaseCache):
    """Django's cache API over one SQLite file (`LOCATION`), each thread of each process with its own
    connection."""

    def __init__(self, location: str, params: dict):
        super().__init__(params)
        self.path = location
        self._threads = threading.local()
        self._writes = 0

    # --- connections --------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        threads = self._threads
        # A worker forked from a process that had connected must not use its parent's connection.
        if getattr(threads, "pid", None) != os.getpid():
            threads.connection = self._connect()
            threads.pid = os.getpid()
        return threads.connection

    def _connect(self) -> sqlite3.Connection:
        if not os.path.exists(self.path):
            # Only this user may read or write it (SQLite gives its WAL files the same mode): what
            # it holds is unpickled. Never opened otherwise: closing any descriptor of the file
            # drops every lock the process holds on it, and another process closing its last
            # connection would then delete the WAL under this one's feet.
            try:
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))
            except FileExistsError:
                pass
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        # Nothing here outlives the machine: the file is not synced to disk.
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute(_SCHEMA)
        return connection

    # --- values -------------------------------------------------------------------------------

    @staticmethod
    def _encode(value):
        return value if type(value) is int else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def _decode(stored):
        return stored if type(stored) is int else pickle.loads(stored)

    def _expiry(self, timeout) -> float:
        expiry = self.get_backend_timeout(timeout)
        return NEVER if expiry is None else expiry

    # --- Django's cache API -------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        row = (
            self._db()
            .execute(
                "SELECT value FROM entries WHERE key = ? AND expires > ?", (self.make_key(key, version), time.time())
            )
            .fetchone()
        )
        return default if row is None else self._decode(row[0])

    def get_many(self, keys, version=None):
        keys = list(keys)
        if not keys:
            return {}
        stored = {self.make_key(key, version): key for key in keys}
        rows = (
            self._db()
            .execute(
                f"SELECT key, value FROM entries WHERE key IN ({', '.join('?' * len(stored))}) AND expires > ?",
                (*stored, time.time()),
            )
            .fetchall()
        )
        return {stored[key]: self._decode(value) for key, value in rows}

    def has_key(self, key, version=None):
        row = (
            self._db()
            .execute("SELECT 1 FROM entries WHERE key = ? AND expires > ?", (self.make_key(key, version), time.time()))
            .fetchone()
        )
        return row is not None

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if timeout is not None and timeout != DEFAULT_TIMEOUT and timeout <= 0:
            self.delete(key, version)
            return
        self._db().execute(
            "INSERT OR REPLACE INTO entries (key, value, expires) VALUES (?, ?, ?)",
            (self.make_key(key, version), self._encode(value), self._expiry(timeout)),
        )
        self._wrote()

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        expiry = self._expiry(timeout)
        rows = [(self.make_key(key, version), self._encode(value), expiry) for key, value in data.items()]
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT OR REPLACE INTO entries (key, value, expires) VALUES (?, ?, ?)", rows)
        finally:
            db.execute("COMMIT")
        self._wrote()
        return []

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        now = time.time()
        cursor = self._db().execute(
            "INSERT INTO entries (key, value, expires) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires"
            " WHERE entries.expires <= ?",
            (self.make_key(key, version), self._encode(value), self._expiry(timeout), now),
        )
        self._wrote()
        return cursor.rowcount > 0

    def incr(self, key, delta=1, version=None):
        row = (
            self._db()
            .execute(
                "UPDATE entries SET value = value + ? WHERE key = ? AND expires > ? AND typeof(value) = 'integer'"
                " RETURNING value",
                (delta, self.make_key(key, version), time.time()),
            )
            .fetchone()
        )
        if row is None:
            raise ValueError(f"Key '{key}' not found")
        return row[0]

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        cursor = self._db().execute(
            "UPDATE entries SET expires = ? WHERE key = ? AND expires > ?",
            (self._expiry(timeout), self.make_key(key, version), time.time()),
        )
        return cursor.rowcount > 0

    def delete(self, key, version=None):
        cursor = self._db().execute("DELETE FROM entries WHERE key = ?", (self.make_key(key, version),))
        return cursor.rowcount > 0

    def delete_many(self, keys, version=None):
        for key in keys:
            self.delete(key, version)

    def clear(self):
        self._db().execute("DELETE FROM entries")

    def close(self, **kwargs):
        # Kept open between requests: a connection is a file handle, not a server's resource.
        pass

    # --- housekeeping -------------------------------------------------------------------------

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes % CULL_EVERY == 0:
            self._cull()

    def _cull(self) -> None:
        db = self._db()
        db.execute("DELETE FROM entries WHERE expires <= ?", (time.time(),))
        (count,) = db.execute("SELECT COUNT(*) FROM entries").fetchone()
        if count > MAX_ENTRIES:
            db.execute(
                "DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY expires LIMIT ?)",
                (count - MAX_ENTRIES * 3 // 4,),
            )
