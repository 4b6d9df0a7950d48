"""How long each booking holds its run's lock, measured inside the benchmark's server.

Installed in every worker by bench/probe.gunicorn.conf.py (never by the application): it times a
booking from the moment `locking.lock_run_of` returns (the lock granted and the free seats read)
to the moment its transaction's COMMIT or ROLLBACK returns, which releases the lock, and writes
one line per booking that took the lock to the server's log, which the benchmark reads between
two offsets as it reads the access log:

    lock-hold <microseconds> <sold|refused> <locked at> <released at>

(the last two in microseconds of the wall clock, which every worker shares: the benchmark orders
the sales by them and measures the gap between one sale's release and the next sale's lock).

With BENCH_LATE_REFUSALS=1 in the server's environment it also turns the early refusals off
(every booking queues for the lock, as before them), to measure what they save.

It misses the part of the lock round trip after the grant (the free-seat read and its answer
travelling back), so it errs short by a fraction of a round trip. A refusal given before the lock
(`bookings.inventory.refusals`) takes no lock and writes nothing.
"""

import os
import sys
import threading
import time

LINE = "lock-hold"


def install() -> None:
    from django.db import connections

    from bookings.inventory import locking

    local = threading.local()
    lock_run_of = locking.lock_run_of
    wrapper = type(connections["default"])
    commit, rollback = wrapper.commit, wrapper.rollback

    def timed_lock(journey):
        taken = lock_run_of(journey)
        local.locked_at = (time.perf_counter(), time.time())
        return taken

    def ended(outcome: str) -> None:
        locked_at = getattr(local, "locked_at", None)
        if locked_at is not None:
            local.locked_at = None
            held = time.perf_counter() - locked_at[0]
            sys.stderr.write(
                f"{LINE} {held * 1e6:.0f} {outcome} {locked_at[1] * 1e6:.0f} {(locked_at[1] + held) * 1e6:.0f}\n"
            )

    def timed_commit(self):
        commit(self)
        ended("sold")

    def timed_rollback(self):
        rollback(self)
        ended("refused")

    locking.lock_run_of = timed_lock
    wrapper.commit, wrapper.rollback = timed_commit, timed_rollback
    if os.environ.get("BENCH_LATE_REFUSALS") == "1":
        from bookings.inventory import refusals

        refusals.refusing_early.__enter__ = lambda self: self
