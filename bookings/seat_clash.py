"""A seat the run's free-seat read called free, found taken by the insert: detect, log, recover.

Under the run's lock the read and the unique (run, seat) insert can only disagree if the
connection's view of the run is wrong: a stale snapshot (a transaction left open, a session not
in READ COMMITTED), or a protocol stream one answer behind after a lost read. One profiled
benchmark run saw it persistently (issue 15): every booking after the 856th was refused.

So the insert raises `SeatClash` (`bookings.errors`) instead of a plain refusal, and `bookings.retry` answers it by
logging the clash with what the connection says about itself, dropping that connection and
running the whole transaction once more: its read, under the lock again, on a new connection.
Only if that clashes too does the client get the 409 `seats_unavailable`.
"""

import logging

from django.db import DatabaseError, connection

from bookings.errors import SeatClash

logger = logging.getLogger(__name__)


def log_clash(clash: SeatClash, where: str) -> None:
    """One line: the run, the seats, who holds them, and the state of the connection that read."""
    logger.error(
        "seat clash in %s: run %s seats %s were free to the read and taken at insert (%s)",
        where,
        clash.run_id,
        clash.seat_numbers,
        _diagnosis(clash),
    )


def _diagnosis(clash: SeatClash) -> str:
    if connection.vendor != "mysql" or connection.in_atomic_block:
        return connection.vendor
    from bookings.models import SeatAllocation

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT CONNECTION_ID(), @@tx_isolation, @@in_transaction")
            connection_id, isolation, in_transaction = cursor.fetchone()
        owners = list(
            SeatAllocation.objects.filter(run_id=clash.run_id, seat_number__in=clash.seat_numbers).values_list(
                "seat_number", "booking_id", "hold_id"
            )
        )
    except DatabaseError as exc:
        return f"connection unusable: {exc}"
    return (
        f"connection {connection_id}, {isolation}, open transaction after rollback: {bool(in_transaction)}; "
        f"(seat, booking, hold) now: {owners}"
    )
