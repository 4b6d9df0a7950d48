"""The database could not be reached or kept: which errors say so, and the one answer they get.

Wherever such an error surfaces (authentication's user lookup, a view, the idempotency wrapper,
a middleware, the health check) the client gets 503 `database_unavailable` with `Retry-After`,
one line is logged with the cause, and the transaction it interrupted is rolled back by the
server (a lost connection ends it). Any other database error is a defect and stays a 500.

Two kinds count:
- the connection is gone or never came (refused, lost mid-query, killed, server gone away, too
  many connections, the driver's own read/write timeout): `connection_lost_cause`. The MariaDB
  backend also shuts such a connection's socket at once (`irctc/mariadb/base.py`), so nothing
  reads a late answer meant for an earlier statement; Django then opens a new one next time.
- the server gave up waiting for a lock (lock wait timeout, deadlock victim): the statement or
  transaction was rolled back and the connection is fine. `bookings/retry.py` retries these a
  few times before they become the 503.
"""

import logging
import sqlite3

from django.db import Error as DjangoDatabaseError
from rest_framework import status
from rest_framework.exceptions import APIException

try:
    from mysql.connector import Error as ConnectorError
except ImportError:  # pragma: no cover - the driver is in requirements.txt
    ConnectorError = DjangoDatabaseError

logger = logging.getLogger("irctc.database")

RETRY_AFTER_SECONDS = 2

ER_LOCK_WAIT_TIMEOUT = 1205
ER_LOCK_DEADLOCK = 1213
LOCK_CONFLICT_ERRNOS = frozenset({ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK})

# Server-side codes for "this connection is over"; every client-side code (CR_*, 2000-2999) is a
# socket or protocol failure and counts too.
CONNECTION_LOST_ERRNOS = frozenset(
    {
        1040,  # ER_CON_COUNT_ERROR: too many connections
        1047,  # ER_UNKNOWN_COM_ERROR: a Galera node cut off from the primary component, or not synced
        1053,  # ER_SERVER_SHUTDOWN
        1203,  # ER_TOO_MANY_USER_CONNECTIONS
        1317,  # ER_QUERY_INTERRUPTED (KILL QUERY)
        1927,  # ER_CONNECTION_KILLED (MariaDB: KILL CONNECTION)
        3024,  # the driver's read/write timeout (it reuses MySQL's "execution time exceeded")
        4031,  # ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8: idle connection dropped)
    }
)

# SQLite has no server; these are its "busy or gone" answers (anything else, say "no such table",
# is a defect).
SQLITE_UNAVAILABLE_MESSAGES = ("database is locked", "unable to open database file", "disk i/o error")

# The driver's own connection errors that carry no code ("MySQL Connection not available").
CODELESS_DRIVER_ERRORS = frozenset(
    {"InterfaceError", "OperationalError", "ReadTimeoutError", "WriteTimeoutError", "ConnectionTimeoutError"}
)


class DatabaseUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "database_unavailable"
    default_detail = "The database is unavailable; retry shortly."
    wait = RETRY_AFTER_SECONDS  # sent as Retry-After by DRF's exception handler


def _database_errors(exc: BaseException):
    """`exc` and the driver errors it was raised from, if `exc` is a database error at all.

    Only `__cause__` is followed (Django raises its errors `from` the driver's): an error raised
    while handling a database error (a 409 in an `except OperationalError:`) is not one.
    """
    seen = set()
    while isinstance(exc, DjangoDatabaseError | ConnectorError | sqlite3.Error) and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__


def _errno(exc: BaseException) -> int | None:
    errno = getattr(exc, "errno", None)
    if isinstance(errno, int) and errno > 0:
        return errno
    if exc.args and isinstance(exc.args[0], int) and exc.args[0] > 0:
        return exc.args[0]
    return None


def connection_lost_cause(exc: BaseException) -> str | None:
    """Why the connection is unusable, if `exc` says it is; None otherwise."""
    for err in _database_errors(exc):
        errno = _errno(err)
        if errno is not None and (errno in CONNECTION_LOST_ERRNOS or 2000 <= errno < 3000):
            return _describe(err)
        if isinstance(err, ConnectorError) and errno is None and type(err).__name__ in CODELESS_DRIVER_ERRORS:
            return _describe(err)
        if isinstance(err, sqlite3.OperationalError) and str(err).lower().startswith(SQLITE_UNAVAILABLE_MESSAGES):
            return _describe(err)
    return None


def lock_conflict_cause(exc: BaseException) -> str | None:
    """The lock wait timeout or deadlock `exc` reports; None for anything else."""
    for err in _database_errors(exc):
        if _errno(err) in LOCK_CONFLICT_ERRNOS:
            return _describe(err)
    return None


def lock_wait_timed_out(exc: BaseException) -> bool:
    return any(_errno(err) == ER_LOCK_WAIT_TIMEOUT for err in _database_errors(exc))


def unavailability_cause(exc: BaseException) -> str | None:
    """Why the database could not serve this request, if `exc` is such an error; None otherwise."""
    if isinstance(exc, DatabaseUnavailable):
        return str(exc.detail)
    return connection_lost_cause(exc) or lock_conflict_cause(exc)


def _describe(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def database_unavailable(cause: str, request=None) -> DatabaseUnavailable:
    """The error to answer with, after logging one line with what went wrong and where."""
    where = f"{request.method} {request.path}" if request is not None else "outside a request"
    logger.warning("database unavailable during %s: %s", where, cause)
    return DatabaseUnavailable()
