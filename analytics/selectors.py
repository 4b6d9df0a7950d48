"""Statistics for operators: searches from MongoDB's `search_logs`, bookings from the database."""

import math
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from pymongo.errors import PyMongoError

from analytics import pipelines
from analytics.log_store import search_logs
from bookings.models import Booking
from irctc.errors import ServiceUnavailable
from trains.selectors import station_spellings

PERCENTILES = (50, 95, 99)
TOP_TRAINS = 5


def top_routes(*, limit: int = 5, days: int | None = None) -> list[dict]:
    """`[{source, destination, search_count}]` over the last `days` days (all kept logs if None).

    Logs keep stations normalized; each is shown as trains spell it ("New Delhi"), or as logged
    when no train serves it.
    """
    routes = _aggregate(pipelines.top_routes(limit=limit, since=_since(days)))
    names = station_spellings({station for route in routes for station in (route["source"], route["destination"])})
    return [
        {
            **route,
            "source": names.get(route["source"], route["source"]),
            "destination": names.get(route["destination"], route["destination"]),
        }
        for route in routes
    ]


def search_stats(*, days: int | None = None) -> dict:
    """Search volume per local day and nearest-rank latency percentiles (null when no searches)."""
    since = _since(days)
    by_day = [
        {"date": date(**row["_id"]).isoformat(), "searches": row["searches"]}
        for row in _aggregate(pipelines.searches_by_day(time_zone=settings.TIME_ZONE, since=since))
    ]
    searches = sum(day["searches"] for day in by_day)
    percentiles = {f"p{p}_ms": _execution_time_percentile(p, searches, since) for p in PERCENTILES}
    return {"searches": searches, **percentiles, "by_day": by_day}


def _execution_time_percentile(percentile: int, count: int, since: datetime | None) -> float | None:
    """Nearest rank: the smallest logged time with at least `percentile`% of searches at or below it.

    MongoDB sorts only the one field and keeps at most `count / 2` values to find it, instead of
    shipping every document to Python or `$push`-ing them all into one document (which stops at
    MongoDB's 100 MB group limit on a busy 90-day window).
    """
    if not count:
        return None
    rank = max(1, math.ceil(percentile * count / 100))
    from_bottom, from_top = rank - 1, count - rank
    descending = from_top < from_bottom
    rows = _aggregate(
        pipelines.execution_time_at(position=min(from_bottom, from_top), descending=descending, since=since)
    )
    # Empty only if the retention TTL deleted logs between the count and this query.
    return rows[0]["execution_time_ms"] if rows else None


def _since(days: int | None) -> datetime | None:
    return timezone.now() - timedelta(days=days) if days else None


def _aggregate(pipeline: list[dict]) -> list[dict]:
    try:
        return list(search_logs().aggregate(pipeline, allowDiskUse=True))
    except PyMongoError as exc:
        raise ServiceUnavailable("MongoDB, which keeps the search logs, is unreachable.", mongo="down") from exc


def booking_figures() -> dict:
    """Booking totals by status, the trains that sold most seats and each class's sales, in three queries.

    `revenue` is the fares of the confirmed bookings of the class (null while none has a fare).
    """
    confirmed = Q(status=Booking.Status.CONFIRMED)
    totals = Booking.objects.aggregate(
        bookings=Count("id"),
        confirmed=Count("id", filter=confirmed),
        waitlisted=Count("id", filter=Q(status=Booking.Status.WAITLISTED)),
        cancelled=Count("id", filter=Q(status=Booking.Status.CANCELLED)),
        seats_sold=Coalesce(Sum("seats", filter=confirmed), 0),
    )
    top_trains = (
        Booking.objects.values(train_number=F("run__train__train_number"), name=F("run__train__name"))
        .annotate(bookings=Count("id"), seats_sold=Coalesce(Sum("seats", filter=confirmed), 0))
        .order_by("-seats_sold", "-bookings", "train_number")[:TOP_TRAINS]
    )
    by_class = (
        Booking.objects.values("class_code")
        .annotate(
            bookings=Count("id"),
            seats_sold=Coalesce(Sum("seats", filter=confirmed), 0),
            revenue=Sum("fare", filter=confirmed),
        )
        .order_by("-seats_sold", "class_code")
    )
    return {
        **totals,
        "top_trains": list(top_trains),
        "by_class": [
            {
                "class": row["class_code"],
                "bookings": row["bookings"],
                "seats_sold": row["seats_sold"],
                "revenue": None if row["revenue"] is None else str(row["revenue"].quantize(Decimal("1"))),
            }
            for row in by_class
        ],
    }
