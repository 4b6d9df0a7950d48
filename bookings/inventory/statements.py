"""Every hand-written SQL statement of the inventory, MariaDB's and SQLite's side by side.

The ORM writes the rest. These are the statements that run under a run's lock or on every
search, where a round trip or a compile of the ORM's query is worth saving; each function says
why it is hand-written.
"""

import functools

from django.db import connection

from bookings.models import Hold, SeatAllocation, TrainRun
from trains.models import StopPair, Train

# --- Locking, availability and allocation (bookings.inventory) ---------------------------------


@functools.cache
def run_lock_sql() -> str:
    """Lock a run's row, found by (train, date), with no lookup of its id before: the first
    statement of a new booking or hold (`locking.lock_run_of`). `SELECT ... FOR UPDATE` only
    locks that row; SQLite, which has no row locks, serializes writers anyway. Its `charted_at`
    comes with it: a charted run sells only confirmed berths."""
    sql = f"SELECT id, charted_at FROM {TrainRun._meta.db_table} WHERE train_id = %s AND run_date = %s"
    return sql + " FOR UPDATE" if connection.features.has_select_for_update else sql


@functools.cache
def run_insert_sql() -> str:
    """Insert a run (train, date, created_at) unless it exists.

    On MariaDB a run that exists is "updated" to itself, which locks it exclusively at once: a
    plain INSERT's duplicate would take a shared lock, and two first uses upgrading theirs to
    the run lock would deadlock. A first use that finds the other's insert not yet committed
    waits for it, then finds the row.
    """
    table = TrainRun._meta.db_table
    sql = f"INSERT INTO {table} (train_id, run_date, created_at) VALUES (%s, %s, %s)"
    if connection.vendor == "mysql":
        return f"{sql} ON DUPLICATE KEY UPDATE id = id"
    return f"{sql} ON CONFLICT (train_id, run_date) DO NOTHING"


@functools.cache
def open_seats_sql(*, by_run_key: bool) -> str:
    """The seats of a journey's class free on all its segments, in one statement of few rows
    (`availability.open_seats`); the run is given by id, or `by_run_key` by (train, date).

    Reading every taken seat of a busy run (up to thousands of rows, each parsed by the
    pure-Python driver) under the run lock was the longest step of a booking. The database
    instead returns one row per gap between the seats taken on any of the journey's segments
    (each taken seat with the next one, `LEAD`, where they are not adjacent), after a row for
    "seat 0" that carries the totals. The unique key (run, class, segment, seat) makes the
    segment range an index range.

    The same row says whether the journey's train is still as it was read (its `updated_at`),
    so the booking path needs no statement of its own under the lock to know. The train row is
    read, not locked: see `locking.lock_run`.
    """
    allocation, hold, train = SeatAllocation._meta.db_table, Hold._meta.db_table, Train._meta.db_table
    run = f"(SELECT id FROM {TrainRun._meta.db_table} WHERE train_id = %s AND run_date = %s)" if by_run_key else "%s"
    return (
        "SELECT g.seat_number, g.next_taken, g.taken, g.expired, g.train_current FROM ("
        " SELECT s.seat_number, s.expired, s.train_current, COUNT(*) OVER () - 1 AS taken,"
        # MariaDB's LEAD takes no default: the last seat's "next" is total_seats + 1.
        "  COALESCE(LEAD(s.seat_number) OVER (ORDER BY s.seat_number), %s) AS next_taken"
        " FROM ("
        "  SELECT 0 AS seat_number,"
        f"   (SELECT COUNT(*) FROM {allocation} ea INNER JOIN {hold} eh ON eh.id = ea.hold_id"
        # `eh.run_id` too (a hold's seats are on its own run), so this ranges over the
        # run's holds in `hold_run_expires_idx` rather than scanning every hold.
        f"     WHERE ea.run_id = {run} AND eh.run_id = {run} AND eh.expires_at <= %s) AS expired,"
        f"   (SELECT COUNT(*) FROM {train} WHERE id = %s AND updated_at = %s) AS train_current"
        f"  UNION ALL SELECT DISTINCT seat_number, 0, 0 FROM {allocation}"
        f"   WHERE run_id = {run} AND class_code = %s AND segment >= %s AND segment < %s"
        " ) s"
        ") g WHERE g.seat_number = 0 OR g.next_taken - g.seat_number > 1 ORDER BY g.seat_number"
    )


@functools.cache
def locked_open_seats_sql(*, create: bool) -> str:
    """MariaDB's batch for a new booking's run: the run's lock (`run_lock_sql`), then its free-seat
    read by (train, date) (`open_seats_sql`), after the run's insert (`run_insert_sql`) with
    `create`. Parameters: the insert's, the lock's, then the read's."""
    sql = f"{run_lock_sql()}; {open_seats_sql(by_run_key=True)}"
    return f"{run_insert_sql()}; {sql}" if create else sql


def insert_sql(rows: list, *, booking_id: str | None = None) -> tuple[str, list]:
    """`INSERT` of these rows of one model (every column but the id, values as `save` gives
    them), with `booking_id` (SQL) in place of each row's booking, if given."""
    fields = _insert_fields(type(rows[0]))
    placeholders, params = [], []
    for row in rows:
        values = []
        for field in fields:
            if booking_id is not None and field.attname == "booking_id":
                values.append(booking_id)
            else:
                values.append("%s")
                params.append(field.get_db_prep_save(getattr(row, field.attname), connection))
        placeholders.append(f"({', '.join(values)})")
    return f"{_insert_head(type(rows[0]))} VALUES {', '.join(placeholders)}", params


@functools.cache
def _insert_fields(model) -> list:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


@functools.cache
def _insert_head(model) -> str:
    columns = ", ".join(connection.ops.quote_name(field.column) for field in _insert_fields(model))
    return f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns})"


def new_booking_id_sql(dependents: list[list]) -> str:
    """How the rows inserted after a booking name it (MariaDB): `LAST_INSERT_ID()` when one set of
    rows follows, else a session variable set from it, which the next INSERT's ids don't move."""
    return "@booking_id" if len(dependents) > 1 else "LAST_INSERT_ID()"


def booking_batch_sql(booking, dependents: list[list], *, commit: bool) -> tuple[str, list]:
    """MariaDB's batch for a new booking: its INSERT, then an INSERT of each set of `dependents`
    (its passengers, its allocations) naming it by `new_booking_id_sql`, then, with `commit`, the
    COMMIT. The server runs them in order on this connection and none after a failed one."""
    sql, params = insert_sql([booking])
    booking_id = new_booking_id_sql(dependents)
    statements, params = [sql], list(params)
    if booking_id.startswith("@"):
        statements.append(f"SET {booking_id} = LAST_INSERT_ID()")
    for rows in dependents:
        rows_sql, rows_params = insert_sql(rows, booking_id=booking_id)
        statements.append(rows_sql)
        params += rows_params
    if commit:
        statements.append("COMMIT")
    return "; ".join(statements), params


# --- Search (bookings.selectors) ---------------------------------------------------------------
#
# A search reads two statements: the route's trains with their runs, then the seats taken on the
# page's runs. Both are hand-written for their shape: the first aggregates to one JSON value, the
# second has one condition per run. Each is built once per shape.


@functools.cache
def route_with_runs(vendor: str, days: int) -> str:
    """Every train calling at one station and later at another (`StopPair`'s covering index), with
    its `updated_at` and its runs on `days` run dates, as one JSON array of
    `[train, from index, to index, updated_at, run id, run date, charted]`. Parameters: the run dates, then
    the two station keys."""
    # One JSON value rather than a row per train: the pure-Python driver decodes a row's columns
    # one by one, which cost more than the statement itself.
    # The train's updated_at comes along so that the timetable a process keeps of it is checked
    # on every search (`trains.selectors.timetables`): one primary-key lookup per train.
    # A charted run says so (`r.charted_at IS NOT NULL`): search shows it as after the chart.
    columns = "sp.train_id, sp.from_index, sp.to_index, t.updated_at, r.id, r.run_date, r.charted_at IS NOT NULL"
    rows = f"json_group_array(json_array({columns}))" if vendor == "sqlite" else f"JSON_ARRAYAGG(JSON_ARRAY({columns}))"
    return (
        f"SELECT {rows}"
        f" FROM {StopPair._meta.db_table} sp INNER JOIN {Train._meta.db_table} t ON t.id = sp.train_id"
        f" LEFT OUTER JOIN {TrainRun._meta.db_table} r"
        f" ON r.train_id = sp.train_id AND r.run_date IN ({', '.join(['%s'] * days)})"
        " WHERE sp.from_key = %s AND sp.to_key = %s"
    )


@functools.cache
def taken_seats(runs: int, *, numbers: bool = False) -> str:
    """Per run and class, the seats a confirmed booking or an unexpired hold takes on any segment of
    a journey, when the first hold counted lapses and, with `numbers`, the seat numbers themselves,
    joined by commas (text, or bytes from MariaDB): a class whose seats are split into quota pools
    needs to know which are taken, not only how many. Parameters: (run id, from index, to index) for
    each of `runs` runs, then now."""
    from bookings.models import Hold, SeatAllocation

    # The numbers come joined, in the same statement as the counts: a row per seat cost the
    # pure-Python driver a packet read and a decode each, a second statement a round trip and a
    # second pass over the same rows, and a sold-out Tatkal pool is hundreds of seats in every
    # search of its route while it sells. A class's numbers join to a few KB, far below MariaDB's
    # cut (`group_concat_max_len`, which the connection raises: irctc/settings.py).
    joined = ", GROUP_CONCAT(DISTINCT sa.seat_number)" if numbers else ""
    run = "(sa.run_id = %s AND sa.segment >= %s AND sa.segment < %s)"
    return (
        "SELECT sa.run_id, sa.class_code, COUNT(DISTINCT sa.seat_number),"
        f" MIN(CASE WHEN sa.booking_id IS NULL THEN h.expires_at END){joined}"
        f" FROM {SeatAllocation._meta.db_table} sa"
        f" LEFT OUTER JOIN {Hold._meta.db_table} h ON h.id = sa.hold_id"
        f" WHERE ({' OR '.join(run for _ in range(runs))})"
        " AND (sa.booking_id IS NOT NULL OR h.expires_at > %s)"
        " GROUP BY sa.run_id, sa.class_code"
    )


@functools.cache
def waitlisted_passengers(runs: int) -> str:
    """Passengers waiting per run, class and quota, on `runs` runs (their ids the parameters): read
    by search only for the page's runs where a class or quota asked for has no seat or RAC place
    free. A waitlisted passenger's booking is itself waitlisted, which the index of queues finds."""
    from bookings.models import Booking, Passenger

    return (
        "SELECT b.run_id, b.class_code, b.quota, COUNT(*)"
        f" FROM {Booking._meta.db_table} b INNER JOIN {Passenger._meta.db_table} p ON p.booking_id = b.id"
        f" WHERE b.run_id IN ({', '.join(['%s'] * runs)}) AND b.status = 'WAITLISTED' AND p.status = 'WL'"
        " GROUP BY b.run_id, b.class_code, b.quota"
    )
