"""Aggregation pipelines over `search_logs`, as plain lists: no I/O here.

Each runs unchanged on MongoDB 6+ and on mongomock, which is why percentiles are not `$percentile`
(MongoDB 7.0+, not in mongomock) and local days are not `$dateToString` with a timezone (not in
mongomock): `$year`/`$month`/`$dayOfMonth` take a timezone on both.
"""

from datetime import datetime


def window(since: datetime | None, until: datetime | None = None) -> list[dict]:
    """Documents logged at or after `since` and before `until`; no bound where one is None."""
    bounds = {}
    if since is not None:
        bounds["$gte"] = since
    if until is not None:
        bounds["$lt"] = until
    return [{"$match": {"timestamp": bounds}}] if bounds else []


def top_routes(*, limit: int, since: datetime | None = None) -> list[dict]:
    """`[{source, destination, search_count}]`, most searched first, ties by route name. Refused
    searches (Kota to Kota, a date in the past) are no route anybody travels: not counted."""
    return [
        *window(since),
        # Searches that failed before naming both stations have no route to count.
        {"$match": {"source": {"$type": "string"}, "destination": {"$type": "string"}, "status_code": {"$lt": 400}}},
        {
            "$group": {
                # Stored stations are normalized already; lowering again keeps documents written
                # by older versions or by hand from splitting a route in two.
                "_id": {"source": {"$toLower": "$source"}, "destination": {"$toLower": "$destination"}},
                "search_count": {"$sum": 1},
            }
        },
        {"$sort": {"search_count": -1, "_id.source": 1, "_id.destination": 1}},
        {"$limit": limit},
        {"$project": {"_id": 0, "source": "$_id.source", "destination": "$_id.destination", "search_count": 1}},
    ]


def spellings_searched(*, end: str, stations: list[str], since: datetime | None = None) -> list[dict]:
    """`[{_id: {station, spelling}, searches}]`: how searches typed `stations` as their `end`.

    `end` is "source" or "destination"; the spelling is the query parameter as it was sent.
    """
    return [
        *window(since),
        {"$match": {end: {"$in": stations}, f"params.{end}": {"$type": "string"}}},
        {"$group": {"_id": {"station": f"${end}", "spelling": f"$params.{end}"}, "searches": {"$sum": 1}}},
    ]


def searches_by_day(*, time_zone: str, since: datetime | None = None) -> list[dict]:
    """`[{_id: {year, month, day}, searches}]` per local calendar day of `time_zone`, oldest first."""
    local = {"date": "$timestamp", "timezone": time_zone}
    return [
        *window(since),
        {
            "$group": {
                "_id": {"year": {"$year": local}, "month": {"$month": local}, "day": {"$dayOfMonth": local}},
                "searches": {"$sum": 1},
            }
        },
        {"$sort": {"_id.year": 1, "_id.month": 1, "_id.day": 1}},
    ]


def execution_time_at(
    *, position: int, descending: bool, since: datetime | None = None, until: datetime | None = None
) -> list[dict]:
    """The `execution_time_ms` at 0-based `position` of the window sorted by it.

    `$sort` followed by `$skip` and `$limit` is a top-k sort on MongoDB: it keeps only
    `position + 1` values (just the one field, projected first), so the caller counts from
    whichever end is nearer to keep that small.
    """
    return [
        *window(since, until),
        {"$project": {"_id": 0, "execution_time_ms": 1}},
        {"$sort": {"execution_time_ms": -1 if descending else 1}},
        {"$skip": position},
        {"$limit": 1},
    ]
