"""Which database serves a query: the primary, or a read replica (`DB_REPLICA_HOSTS`).

Only the reads a view declares lag-tolerant (`@read_from_replica`: search, train list and detail,
station autocomplete, the seat map, PNR status, "my bookings" and one booking, the operators'
booking list and figures) go to a replica, and only when:

- the user has not written in the last few seconds (`MarkWritersMiddleware` marks writers in the
  cache, for longer than a replica used may lag), so "my bookings" right after a booking comes
  from the primary;
- the read is not inside a transaction (a booking's reads decide its writes);
- a replica is replicating and at most `DB_REPLICA_MAX_LAG` seconds behind, by its own
  `SHOW REPLICA STATUS`, or is a Galera node that is Synced (docs/galera.md), checked at most
  once a second per process.

Everything else, every write and every read outside such a view (authentication, JWT user
lookups, the idempotency records, the booking engine), goes to the primary. A request keeps one
replica for all its reads, so its page and its count agree. If the replica fails under a request,
the request is read again from the primary and the replica is skipped until it answers again:
the client never sees the replica's failure.
"""

import contextvars
import functools
import itertools
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

CHECK_INTERVAL_SECONDS = 1.0
GALERA_SYNCED = "4"  # wsrep_local_state of a node that has applied everything and serves
REPLICA_STATES = ["ok", "lagging", "down"]

# The database a lag-tolerant read in progress was given; unset outside one.
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("replica_read_alias", default=None)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Every alias holds the same data.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # Replicas get the schema from the primary's binary log.
        return db == DEFAULT_DB_ALIAS


def read_alias() -> str:
    """The database the current read goes to."""
    alias = _read_alias.get()
    if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return alias


def read_connection():
    """The connection for a hand-written read (`connection.cursor()` would always be the primary)."""
    return connections[read_alias()]


def read_from_replica(view):
    """Serve this view's reads from a replica when one is fit to serve them.

    For a view function `(request, ...)` or a view method `(self, request, ...)`, GET only: a
    read that fails on the replica is run again in full. The user is looked up before (DRF
    authenticates before the handler runs), so the JWT user lookup stays on the primary.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        request = args[0] if hasattr(args[0], "method") else args[1]
        alias = replica_for(request.user)
        if alias is None:
            return view(*args, **kwargs)
        token = _read_alias.set(alias)
        try:
            return view(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            logger.warning("Replica %s failed under a read (%s); reading from the primary", alias, exc)
            replicas.mark_down(alias)
        finally:
            _read_alias.reset(token)
        return view(*args, **kwargs)

    return wrapper


def replica_for(user) -> str | None:
    """A replica fit to serve `user`'s lag-tolerant reads now, or None for the primary."""
    if not settings.DB_REPLICAS or wrote_recently(user):
        return None
    return replicas.pick()


# --- Reading one's own writes ------------------------------------------------------------------


def read_your_writes_seconds() -> float:
    """How long a writer reads from the primary: longer than any replica still used may lag.

    A replica is used while at most DB_REPLICA_MAX_LAG behind, by a reading up to a check
    interval old, and Seconds_Behind_Master counts whole seconds.
    """
    return settings.DB_REPLICA_MAX_LAG + CHECK_INTERVAL_SECONDS + 1


def _writer_key(user) -> str:
    return f"replica:wrote-recently:{user.pk}"


def wrote_recently(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        return cache.get(_writer_key(user)) is not None
    except Exception:  # noqa: BLE001 - without the cache nobody can tell: the primary is always right
        return True


class MarkWritersMiddleware:
    """Marks a user who sent a write, so their next reads see it (installed with replicas only).

    Marks every unsafe request, even a refused one: cheaper to reason about than knowing which
    refusals wrote nothing. DRF sets `request.user` to the token's user during the view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method not in ("GET", "HEAD", "OPTIONS") and getattr(user, "is_authenticated", False):
            try:
                cache.set(_writer_key(user), 1, timeout=read_your_writes_seconds())
            except Exception:  # noqa: BLE001 - reads then fall back to the primary (see wrote_recently)
                logger.warning("Could not mark user %s as a recent writer", user.pk, exc_info=True)
        return response


# --- Replica health ----------------------------------------------------------------------------


class Replicas:
    """Each replica's state, re-read from the replica itself at most once a second per process.

    The request that finds a state stale re-reads it; requests arriving meanwhile use the last
    state instead of waiting for the check (a replica never checked counts as unfit).
    """

    def __init__(self):
        self._states: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._setup_lock = threading.Lock()
        self._turns = itertools.count()

    def pick(self) -> str | None:
        """A replica that is up and close enough behind, in turns; None when there is none."""
        fit = [alias for alias in settings.DB_REPLICAS if self.state(alias) == "ok"]
        if not fit:
            return None
        return fit[next(self._turns) % len(fit)]

    def states(self) -> dict[str, str]:
        """`{"host:port": "ok" | "lagging" | "down"}` for every configured replica."""
        return {address: self.state(alias) for alias, address in settings.DB_REPLICAS.items()}

    def state(self, alias: str) -> str:
        state, checked_at = self._states.get(alias, ("down", float("-inf")))
        if time.monotonic() - checked_at < CHECK_INTERVAL_SECONDS:
            return state
        lock = self._lock_for(alias)
        if not lock.acquire(blocking=False):
            return state
        try:
            state = check_replica(alias)
            self._states[alias] = (state, time.monotonic())
            return state
        finally:
            lock.release()

    def mark_down(self, alias: str):
        self._states[alias] = ("down", time.monotonic())
        _discard_connection(alias)

    def _lock_for(self, alias: str) -> threading.Lock:
        with self._setup_lock:
            return self._locks.setdefault(alias, threading.Lock())


replicas = Replicas()


def check_replica(alias: str) -> str:
    """The replica's state, from its own `SHOW REPLICA STATUS` (the same as SHOW SLAVE STATUS).

    "down": unreachable, or not a replica at all; "lagging": replication stopped or broken
    (Seconds_Behind_Master is NULL) or more than DB_REPLICA_MAX_LAG seconds behind. A server
    that is no replica may be a Galera node: see `_galera_node_state`.
    The replica's user needs the REPLICA MONITOR privilege (MariaDB; REPLICATION CLIENT on MySQL).
    """
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SHOW REPLICA STATUS")
            row = cursor.fetchone()
            columns = [column[0] for column in cursor.description] if row else []
    except Exception as exc:  # noqa: BLE001 - whatever the failure, this replica serves nothing now
        logger.warning("Replica %s is down: %s", settings.DB_REPLICAS[alias], exc)
        _discard_connection(alias)
        return "down"
    if row is None:
        return _galera_node_state(alias)
    status = dict(zip(columns, row, strict=True))
    behind = status.get("Seconds_Behind_Master", status.get("Seconds_Behind_Source"))
    if behind is None or int(behind) > settings.DB_REPLICA_MAX_LAG:
        return "lagging"
    return "ok"


def _galera_node_state(alias: str) -> str:
    """A Galera node serves reads as a replica does: "ok" while Synced (it applies the writer's
    commits within moments, held close by Galera's flow control), "lagging" while it joins,
    donates its state or is cut off from the primary component; "down" if it is no node either.
    """
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SHOW GLOBAL STATUS LIKE 'wsrep_local_state'")
            row = cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - as in `check_replica`
        logger.warning("Replica %s is down: %s", settings.DB_REPLICAS[alias], exc)
        _discard_connection(alias)
        return "down"
    if row is None:
        logger.warning("%s is not a replica (SHOW REPLICA STATUS is empty)", settings.DB_REPLICAS[alias])
        return "down"
    return "ok" if row[1] == GALERA_SYNCED else "lagging"


def _discard_connection(alias: str):
    """Close this thread's connection to `alias`, so the next use reconnects instead of failing."""
    try:
        connections[alias].close()
    except Exception:  # noqa: BLE001 - the connection is already broken; only its slot matters
        connections[alias].connection = None
