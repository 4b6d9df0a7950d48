"""Run a booking transaction again when MariaDB gave up on one of its locks.

A deadlock victim has its whole transaction rolled back by the server, and a lock wait timeout
(`DB_LOCK_WAIT_SECONDS`) means someone held the run for too long: in both cases nothing of the
attempt is left and trying again is the right answer. On a Galera cluster a transaction that
lost certification to a conflicting one from another node (possible during a failover, when the
new writer is still applying the old one's last commits) fails the same way, with a deadlock, at
its COMMIT or at any statement before it: either way the error leaves the decorated function and
the transaction is run again.

After `ATTEMPTS` tries, or once the attempts have taken `BUDGET_SECONDS` (a request must finish
well inside gunicorn's timeout), the error goes on and the client gets 503
`database_unavailable` with Retry-After.

A `SeatClash` (the run's free-seat read and the seat insert disagreed, see `bookings.seat_clash`)
is logged, the connection dropped and the transaction run once more on a new one.

Only the outermost transaction can be retried: inside an enclosing `transaction.atomic()` (the
idempotency wrapper's) the conflict has already rolled back the enclosing transaction too, so
the decorator lets the error through to the enclosing block, which is retried itself.
"""

import functools
import logging
import random
import time

from django.db import DatabaseError, connection

from bookings.errors import SeatClash
from bookings.seat_clash import log_clash
from irctc.database_unavailable import lock_conflict_cause

logger = logging.getLogger(__name__)

ATTEMPTS = 3
BUDGET_SECONDS = 12.0
BACKOFF_SECONDS = 0.05


def retry_lock_conflicts(func):
    """Decorate a function whose body is one transaction, so lock conflicts run it again."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if connection.in_atomic_block:
            return func(*args, **kwargs)
        started, attempt, clashed = time.monotonic(), 1, False
        while True:
            try:
                return func(*args, **kwargs)
            except SeatClash as clash:
                log_clash(clash, func.__qualname__)
                if clashed:
                    raise
                clashed = True
                # Whatever state made this connection see a taken seat as free goes with it.
                connection.close()
                continue
            except DatabaseError as exc:
                cause = lock_conflict_cause(exc)
                if cause is None or attempt == ATTEMPTS or time.monotonic() - started > BUDGET_SECONDS:
                    raise
            attempt += 1
            logger.warning("%s: %s; attempt %d of %d", func.__qualname__, cause, attempt, ATTEMPTS)
            # Jittered, so two deadlock victims don't meet again at the same instant.
            time.sleep(BACKOFF_SECONDS * attempt * (0.5 + random.random()))

    return wrapper
