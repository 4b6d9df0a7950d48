"""The one place that takes run locks.

Every write on a run's inventory (its bookings, holds and seats) happens under the run's row
lock, taken here as the transaction's first statement on that run: `lock_run_of` for a new
booking or hold (the run found by train and date, created at first use, its free seats read with
the lock), `lock_run` for a booking or hold that exists, `lock_future_runs` for a change to a
train. Each refuses to run outside a transaction, where a lock would end with its statement.

The lock order is the train, then its runs in id order, then a run's bookings, holds and seats,
on every path: a train change locks the train (`trains.services`), then its runs here; a booking
locks one run and never the train (it reads the train row, see `lock_run`), then that run's rows.
So a transaction only ever waits for a lock that comes later in this order than every lock it
holds, and no two can each wait for the other: one waits until the other commits, and MariaDB
never has a deadlock to break.

Connections read committed data (`isolation_level` in settings; SQLite serializes writers
anyway), so whatever a transaction reads after taking the lock includes every write of the
transaction that held it before, even if the caller's own transaction read earlier (the
idempotency wrapper validates the request before the service runs).
"""

from datetime import date, timedelta

from django.db import IntegrityError, connection
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from bookings import search_cache
from bookings.errors import NoSuchTrain
from bookings.inventory import availability, statements
from bookings.inventory.availability import OpenSeats
from bookings.models import TrainRun
from irctc import process_memory
from trains.journeys import Journey
from trains.models import MAX_DAY_OFFSET, Train


def lock_run_of(journey: Journey) -> tuple[TrainRun, OpenSeats]:
    """Lock the journey's run for the rest of the transaction, creating it at first use, and read
    its free seats for the journey under the lock.

    The lock is the first statement: there is no lookup of the run's id before it, and on MariaDB
    the free-seat read goes to the server with it, in one round trip (`_lock_and_read`). A run
    seen for the first time is inserted by this transaction, which holds the new row's lock from
    then on; a concurrent first use waits for it. `run.train` is the journey's train as the caller
    read it, before the lock: the free-seat read says whether it is still current
    (`allocation.prepare_run`).
    """
    _require_transaction()
    # Whatever the caller changes on this run, cached searches that show it must not outlive it.
    # Said before the lock: a cache round trip it costs (`search_cache`) is one the run's other
    # bookings don't wait for.
    searches_of_run_change(journey.train, journey.run_date)
    run = TrainRun(train=journey.train, run_date=journey.run_date)
    seats = _lock_and_read(run, journey)
    if run.pk is None:
        seats = _lock_and_read(run, journey, create=True)
    return run, seats


def lock_run(run_id: int) -> TrainRun:
    """Lock a run's row for the rest of the transaction, and read its train as it is now.

    The train is read separately, without a lock: locking it here too would serialize bookings
    on every run of the train and take the train after the run, against the order train changes
    use (`lock_future_runs`).
    """
    _require_transaction()
    run = TrainRun.objects.select_for_update().get(pk=run_id)
    run.train = train_now(run.train_id)
    searches_of_run_change(run.train, run.run_date)
    return run


def lock_future_runs(train: Train) -> None:
    """Lock every run of `train` that may still carry someone, for a change to the train.

    The caller holds the train's lock; runs follow it, in id order. A booking in flight on one
    of them finishes first, and a booking that starts later sees the change: under its run lock
    it checks that the train row was not saved since it read it (`allocation.prepare_run`), and a
    brand-new run can't be inserted while the train row is locked (InnoDB's foreign-key check
    waits for it; the other way round, the change waits for the booking that inserted it).
    """
    _require_transaction()
    list(
        TrainRun.objects.select_for_update()
        .filter(train=train, run_date__gte=timezone.localdate() - timedelta(days=MAX_DAY_OFFSET))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise TransactionManagementError("A run lock is taken inside a transaction: it is held until its end.")


def _lock_and_read(run: TrainRun, journey: Journey, *, create: bool = False) -> OpenSeats:
    """Lock the run by (train, date), setting `run.pk` (None if there is no such run yet), and read
    the journey's free seats under the lock.

    `SELECT ... FOR UPDATE` only locks that row. On MariaDB the lock and the read go in one round
    trip: the server runs the read once the lock is granted, with a snapshot of its own
    (connections read committed data), so it sees every write of whoever held the lock before.
    Each round trip under the lock is one every booking of a busy run waits for, and its thread
    then waits for the GIL too.

    With `create`, the run is first inserted unless it exists (`statements.run_insert_sql`), in
    the same round trip on MariaDB: a run's first booking costs one round trip more than the
    others, not the four of the ORM's `get_or_create` (its SELECT, then a savepoint around the
    INSERT). A train gone meanwhile (the foreign key fails) is refused as a train that doesn't
    exist.
    """
    run_key = [journey.train.pk, connection.ops.adapt_datefield_value(run.run_date)]
    create_params = [*run_key, connection.ops.adapt_datetimefield_value(timezone.now())] if create else []
    if connection.vendor != "mysql":
        with connection.cursor() as cursor:
            if create:
                _execute_run_insert(cursor, statements.run_insert_sql(), create_params)
            cursor.execute(statements.run_lock_sql(), run_key)
            _set_run_id(run, cursor.fetchall())
        return availability.open_seats(run, journey)
    params = [*create_params, *run_key, *availability.open_seats_params(run_key, journey)]
    with connection.cursor() as cursor:
        sql = statements.locked_open_seats_sql(create=create)
        if create:
            _execute_run_insert(cursor, sql, params)
            cursor.nextset()
        else:
            cursor.execute(sql, params)
        _set_run_id(run, cursor.fetchall())
        cursor.nextset()
        return availability.open_seats_of(cursor.fetchall(), journey)


def _execute_run_insert(cursor, sql: str, params: list) -> None:
    try:
        cursor.execute(sql, params)
    except IntegrityError:
        train_id = params[0]  # the train is gone: no run of it can be made
        process_memory.kept_trains.pop(train_id)
        raise NoSuchTrain(train_id) from None


def _set_run_id(run: TrainRun, rows: list[tuple]) -> None:
    run.pk = rows[0][0] if rows else None
    charted_at = rows[0][1] if rows else None
    if charted_at is not None:
        charted_at = connection.ops.convert_datetimefield_value(
            charted_at, TrainRun._meta.get_field("charted_at"), connection
        )
    run.charted_at = charted_at
    run._state.adding, run._state.db = run.pk is None, connection.alias


def train_now(train_id: int) -> Train:
    """The train with its stops and classes as they are now (read, not locked: see `lock_run`)."""
    return Train.objects.prefetch_related("stops", "classes").get(pk=train_id)


def searches_of_run_change(train: Train, run_date: date) -> None:
    """Cached searches between any two of the train's stations that show this run must not outlive
    the change the caller makes to it."""
    search_cache.run_changed(run_date, [stop.station_key for stop in train.stop_list()])
