"""Every hand-written SQL statement of the inventory, MariaDB's and SQLite's side by side.

The ORM writes the rest. These are the statements that run under a run's lock or on every
search, where a round trip or a compile of the ORM's query is worth saving; each function says
why it is hand-written.
"""

# --- Locking, availability and allocation (bookings.inventory) ---------------------------------


# --- Search (bookings.selectors) ---------------------------------------------------------------
#
# A search reads two statements: the route's trains with their runs, then the seats taken on the
# page's runs. Both are hand-written for their shape: the first aggregates to one JSON value, the
# second has one condition per run. The models are imported where a statement is first built
# (each is built once per shape), which keeps this section's imports its own.

import functools  # noqa: E402 - this section's own, below the section above


@functools.cache
def route_with_runs(vendor: str, days: int) -> str:
    """Every train calling at one station and later at another (`StopPair`'s covering index), with
    its `updated_at` and its runs on `days` run dates, as one JSON array of
    `[train, from index, to index, updated_at, run id, run date]`. Parameters: the run dates, then
    the two station keys."""
    from bookings.models import TrainRun
    from trains.models import StopPair, Train

    # One JSON value rather than a row per train: the pure-Python driver decodes a row's columns
    # one by one, which cost more than the statement itself.
    # The train's updated_at comes along so that the timetable a process keeps of it is checked
    # on every search (`trains.selectors.timetables`): one primary-key lookup per train.
    columns = "sp.train_id, sp.from_index, sp.to_index, t.updated_at, r.id, r.run_date"
    rows = f"json_group_array(json_array({columns}))" if vendor == "sqlite" else f"JSON_ARRAYAGG(JSON_ARRAY({columns}))"
    return (
        f"SELECT {rows}"
        f" FROM {StopPair._meta.db_table} sp INNER JOIN {Train._meta.db_table} t ON t.id = sp.train_id"
        f" LEFT OUTER JOIN {TrainRun._meta.db_table} r"
        f" ON r.train_id = sp.train_id AND r.run_date IN ({', '.join(['%s'] * days)})"
        " WHERE sp.from_key = %s AND sp.to_key = %s"
    )


@functools.cache
def taken_seats(runs: int) -> str:
    """Per run and class, the seats a confirmed booking or an unexpired hold takes on any segment of
    a journey, and when the first hold counted lapses. Parameters: (run id, from index, to index)
    for each of `runs` runs, then now."""
    from bookings.models import Hold, SeatAllocation

    run = "(sa.run_id = %s AND sa.segment >= %s AND sa.segment < %s)"
    return (
        "SELECT sa.run_id, sa.class_code, COUNT(DISTINCT sa.seat_number),"
        " MIN(CASE WHEN sa.booking_id IS NULL THEN h.expires_at END)"
        f" FROM {SeatAllocation._meta.db_table} sa"
        f" LEFT OUTER JOIN {Hold._meta.db_table} h ON h.id = sa.hold_id"
        f" WHERE ({' OR '.join(run for _ in range(runs))})"
        " AND (sa.booking_id IS NOT NULL OR h.expires_at > %s)"
        " GROUP BY sa.run_id, sa.class_code"
    )
