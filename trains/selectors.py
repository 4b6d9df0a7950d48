"""Reads over trains: listings, search and the seat map of one run."""

from datetime import date, timedelta

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from bookings.selectors import occupied_seats_sql, seat_map
from trains.models import Train, normalize_station, weekday_bit
from trains.services import InvalidTrain, TrainNotFound


def active_trains() -> QuerySet[Train]:
    return Train.objects.active().order_by("departure_time", "train_number")


def get_active_train(train_id: int) -> Train:
    train = Train.objects.active().filter(pk=train_id).first()
    if train is None:
        raise TrainNotFound()
    return train


# An OFFSET beyond this is past the end of any real result, and some databases refuse it.
MAX_QUERY_OFFSET = 2**62


def search_page(
    *, source: str, destination: str, travel_date: date | None = None, offset: int, limit: int
) -> tuple[int, list[dict]]:
    """Active trains of a route by departure time, `[offset, offset + limit)`, and how many match.

    With `travel_date`, only trains running that day, each on that date; without, each on its
    next run (`next_run_date`). Every row holds the train's columns plus `travel_date` and
    `available_seats`.

    One statement, written out rather than built with the ORM: search is the busiest read, and
    compiling the page, COUNT and availability querysets cost about twice what running them did
    (three round trips and ~2.3 ms of CPU against ~0.5 ms for this). The total rides on the page
    as `COUNT(*) OVER ()`, computed over every match before LIMIT applies, and each row's free
    seats come from `bookings.selectors.occupied_seats_sql`, the same rule the seat map
    (`bookings.selectors.seat_map`) applies. Only a page past the end has no row to carry the total, and counts separately.

    The equalities on the normalized key columns let the database walk `train_route_idx`
    (checked with EXPLAIN on MariaDB: `ref` on source, destination, is_active); the weekday bit
    is tested on the few rows of that one route.
    """
    ops = connection.ops
    today = timezone.localdate()
    where, where_params = _route_filter(source, destination, travel_date)
    if travel_date is not None:
        run_date, run_date_params = "%s", [ops.adapt_datefield_value(travel_date)]
    else:
        # The SQL twin of `next_run_date`: the first of the next seven days the train runs on.
        run_date = "CASE " + " ".join(["WHEN (t.runs_on_mask & %s) > 0 THEN %s"] * 7) + " END"
        run_date_params = []
        for days_ahead in range(7):
            candidate = today + timedelta(days=days_ahead)
            run_date_params += [weekday_bit(candidate.weekday()), ops.adapt_datefield_value(candidate)]
    occupied, occupied_params = occupied_seats_sql(train_id="t.id", travel_date=run_date)
    sql = (
        f"SELECT {', '.join('t.' + column for column in _RESULT_COLUMNS)}, COUNT(*) OVER (), ({occupied})"
        f" FROM {Train._meta.db_table} t WHERE {where}"
        " ORDER BY t.departure_time, t.train_number LIMIT %s OFFSET %s"
    )
    params = [*run_date_params, *occupied_params, *where_params, limit, min(offset, MAX_QUERY_OFFSET)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return (_count(where, where_params) if offset else 0), []
    count = rows[0][-2]
    page = []
    for *values, _count_again, occupied_seats in rows:
        train = dict(zip(_RESULT_COLUMNS, values, strict=True))
        train["travel_date"] = travel_date or next_run_date(train["runs_on_mask"], today=today)
        train["available_seats"] = max(0, train["total_seats"] - occupied_seats)
        page.append(train)
    return count, page


_RESULT_COLUMNS = (
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
)


def _route_filter(source: str, destination: str, travel_date: date | None) -> tuple[str, list]:
    where = "t.source_key = %s AND t.destination_key = %s AND t.is_active = %s"
    params = [normalize_station(source), normalize_station(destination), True]
    if travel_date is not None:
        where += " AND (t.runs_on_mask & %s) > 0"
        params.append(weekday_bit(travel_date.weekday()))
    return where, params


def _count(where: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {Train._meta.db_table} t WHERE {where}", params)
        return cursor.fetchone()[0]


def next_run_date(runs_on_mask: int, *, today: date) -> date:
    """The first date from `today` on when a train with `runs_on_mask` runs (at least weekly)."""
    for days_ahead in range(7):
        candidate = today + timedelta(days=days_ahead)
        if runs_on_mask & weekday_bit(candidate.weekday()):
            return candidate
    raise ValueError("A train runs on at least one weekday.")


def seat_map_for(*, train: Train, travel_date: date) -> dict:
    """`{train, travel_date, total_seats, available_seats, free_seat_numbers}` of one run."""
    if not train.runs_on_date(travel_date):
        message = (
            f"Train {train.train_number} does not run on {travel_date:%A}s; it runs on {', '.join(train.runs_on)}."
        )
        raise InvalidTrain(message, fields={"date": [message]})
    return {"train": train, "travel_date": travel_date, **seat_map(train=train, travel_date=travel_date)}


STATION_SUGGESTIONS = 8


def stations_matching(q: str, *, limit: int = STATION_SUGGESTIONS) -> list[str]:
    """Names of stations served by an active train that start with `q` (any case), A to Z."""
    key = normalize_station(q)
    if not key:
        return []
    names = set()
    for column, key_column in (("source", "source_key"), ("destination", "destination_key")):
        names.update(
            Train.objects.active()
            .filter(**{f"{key_column}__startswith": key})
            .values_list(column, flat=True)
            .distinct()
        )
    return sorted(names, key=str.casefold)[:limit]
