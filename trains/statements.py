"""Every hand-written SQL statement of the schedule, MariaDB's and SQLite's side by side.

The inventory's statements (locking, allocation, search's reads of runs and seats) are in
`bookings.inventory.statements`; these are the schedule's own, here because trains sits below
bookings and never imports it: the timetables search works from (`trains.selectors`) and the
route index written with a train's stops (`trains.models.index_stops`). The ORM writes the rest.
The models are imported where a statement is built, since `trains.models` imports this module.
"""

# The train row's columns a timetable is made of, in the order `timetable_trains` selects them
# (then `is_active`, `stops_json`, `classes_json`).
TIMETABLE_TRAIN_COLUMNS = (
    "id",
    "train_number",
    "name",
    "source",
    "destination",
    "departure_time",
    "arrival_time",
    "arrival_day_offset",
    "total_seats",
    "runs_on_mask",
    "superfast",
)


def _index(vendor: str) -> str:
    # `index` is a reserved word on both: quoted as each quotes a name.
    return "`index`" if vendor == "mysql" else '"index"'


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def timetable_trains(trains: int) -> str:
    """`TIMETABLE_TRAIN_COLUMNS`, `is_active` and the rendered stops and classes of `trains` trains
    (their ids are the parameters). Hand-written so that a timetable is built from plain rows."""
    from trains.models import Train

    return (
        f"SELECT {', '.join(TIMETABLE_TRAIN_COLUMNS)}, is_active, stops_json, classes_json"
        f" FROM {Train._meta.db_table} WHERE id IN ({_placeholders(trains)})"
    )


def timetable_stops(vendor: str, trains: int) -> str:
    """The stops' times of `trains` trains (their ids are the parameters), in order."""
    from trains.models import Stop

    return (
        "SELECT train_id, station, arrival_time, departure_time, day_offset, distance_km"
        f" FROM {Stop._meta.db_table} WHERE train_id IN ({_placeholders(trains)}) ORDER BY train_id, {_index(vendor)}"
    )


def insert_stop_pairs(vendor: str, trains: int) -> str:
    """`StopPair` rows for every ordered pair of stops of `trains` trains (their ids are the
    parameters): one INSERT ... SELECT, where the ORM would read every stop and insert each pair."""
    from trains.models import Stop, StopPair

    index = _index(vendor)
    return (
        f"INSERT INTO {StopPair._meta.db_table} (train_id, from_key, to_key, from_index, to_index)"
        f" SELECT a.train_id, a.station_key, b.station_key, a.{index}, b.{index}"
        f" FROM {Stop._meta.db_table} a INNER JOIN {Stop._meta.db_table} b"
        f" ON b.train_id = a.train_id AND b.{index} > a.{index}"
        f" WHERE a.train_id IN ({_placeholders(trains)})"
    )
