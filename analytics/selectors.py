"""Statistics for operators: searches from MongoDB's `search_logs`, bookings from the database."""

import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from pymongo.errors import PyMongoError

from analytics import pipelines
from analytics.errors import SearchLogsUnavailable
from analytics.log_store import search_logs
from bookings.models import RAC_PLACE_BASE, Booking, Passenger, SeatAllocation, TrainRun
from trains.models import Train, normalize_station, weekday_bit
from trains.selectors import station_spellings

PERCENTILES = (50, 95, 99)
TOP_TRAINS = 5


def top_routes(*, limit: int = 5, days: int | None = None) -> list[dict]:
    """`[{source, destination, search_count}]` over the last `days` days (all kept logs if None).

    Logs keep stations normalized; each is shown as trains spell it ("New Delhi"), or, when no
    train serves it, as most of the window's searches naming it spelled it (docs/api.md, Analytics).
    """
    since = _since(days)
    routes = _aggregate(pipelines.top_routes(limit=limit, since=since))
    stations = {station for route in routes for station in (route["source"], route["destination"])}
    names = station_spellings(stations)
    names |= _searched_spellings(sorted(stations - names.keys()), since)
    return [
        {
            **route,
            "source": names.get(route["source"], route["source"]),
            "destination": names.get(route["destination"], route["destination"]),
        }
        for route in routes
    ]


def _searched_spellings(stations: list[str], since: datetime | None) -> dict[str, str]:
    """{normalized station: its most common spelling in searches}, spaces trimmed and collapsed."""
    if not stations:
        return {}
    counts: Counter = Counter()
    for end in ("source", "destination"):
        for row in _aggregate(pipelines.spellings_searched(end=end, stations=stations, since=since)):
            spelling = " ".join(row["_id"]["spelling"].split())
            # A parameter cut at its length bound may no longer be the station it was logged as.
            if normalize_station(spelling) == row["_id"]["station"]:
                counts[row["_id"]["station"], spelling] += row["searches"]
    best: dict[str, tuple[int, str]] = {}
    for (station, spelling), searches in counts.items():
        # Most searches first; between equally common spellings, the same one every time.
        if station not in best or (searches, spelling) > best[station]:
            best[station] = (searches, spelling)
    return {station: spelling for station, (_, spelling) in best.items()}


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


def _execution_time_percentile(
    percentile: int, count: int, since: datetime | None, until: datetime | None = None
) -> float | None:
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
        pipelines.execution_time_at(
            position=min(from_bottom, from_top), descending=descending, since=since, until=until
        )
    )
    # Empty only if the retention TTL deleted logs between the count and this query.
    return rows[0]["execution_time_ms"] if rows else None


def _since(days: int | None) -> datetime | None:
    return timezone.now() - timedelta(days=days) if days else None


def _aggregate(pipeline: list[dict]) -> list[dict]:
    try:
        return list(search_logs().aggregate(pipeline, allowDiskUse=True))
    except PyMongoError as exc:
        raise SearchLogsUnavailable() from exc


def booking_figures() -> dict:
    """Booking totals by status, the trains that sold most seats and each class's sales, in two queries.

    A seat sold is a passenger holding a confirmed berth now, whatever the booking's status: a
    booking may mix confirmed, RAC and waitlisted passengers, and a partly cancelled one keeps its
    count of travellers. `revenue` is the fares of the confirmed bookings of the class (null while
    none has a fare). Both queries group by train and class, so their rows are few: the merge is
    done here rather than by joining bookings to their passengers, which would count each fare once
    per passenger.
    """
    by_status = {
        name: Count("id", filter=Q(status=status))
        for name, status in (
            ("confirmed", Booking.Status.CONFIRMED),
            ("rac", Booking.Status.RAC),
            ("waitlisted", Booking.Status.WAITLISTED),
            ("cancelled", Booking.Status.CANCELLED),
        )
    }
    groups = list(
        Booking.objects.values("class_code", train_id=F("run__train_id"))
        .annotate(
            train_number=F("run__train__train_number"),
            name=F("run__train__name"),
            bookings=Count("id"),
            revenue=Sum("fare", filter=Q(status=Booking.Status.CONFIRMED)),
            **by_status,
        )
        .order_by()
    )
    sold = {
        (row["train_id"], row["class_code"]): row["seats"]
        for row in Passenger.objects.filter(status=Passenger.Status.CNF)
        .values(class_code=F("booking__class_code"), train_id=F("booking__run__train_id"))
        .annotate(seats=Count("id"))
        .order_by()
    }
    trains, classes = {}, {}
    for group in groups:
        seats = sold.get((group["train_id"], group["class_code"]), 0)
        train = trains.setdefault(
            group["train_id"],
            {"train_number": group["train_number"], "name": group["name"], "bookings": 0, "seats_sold": 0},
        )
        train["bookings"] += group["bookings"]
        train["seats_sold"] += seats
        row = classes.setdefault(
            group["class_code"], {"class": group["class_code"], "bookings": 0, "seats_sold": 0, "revenue": None}
        )
        row["bookings"] += group["bookings"]
        row["seats_sold"] += seats
        if group["revenue"] is not None:
            row["revenue"] = (row["revenue"] or Decimal(0)) + group["revenue"]
    return {
        "bookings": sum(group["bookings"] for group in groups),
        **{name: sum(group[name] for group in groups) for name in by_status},
        "seats_sold": sum(sold.values()),
        "top_trains": sorted(
            trains.values(), key=lambda train: (-train["seats_sold"], -train["bookings"], train["train_number"])
        )[:TOP_TRAINS],
        "by_class": [
            {**row, "revenue": None if row["revenue"] is None else str(row["revenue"].quantize(Decimal("1")))}
            for row in sorted(classes.values(), key=lambda row: (-row["seats_sold"], row["class"]))
        ],
    }


# --- The operator dashboard --------------------------------------------------------------------


def dashboard_figures() -> dict:
    """`booking_figures` with `revenue`, the fares of all confirmed bookings (None while none has a fare)."""
    figures = booking_figures()
    revenues = [Decimal(row["revenue"]) for row in figures["by_class"] if row["revenue"] is not None]
    return {**figures, "revenue": sum(revenues) if revenues else None}


DASHBOARD_DAYS = 30
NEXT_RUNS = 50
SEARCH_LOG_PAGE = 25


def _last_days(days: int) -> list[date]:
    today = timezone.localdate()
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def bookings_by_day(*, days: int = DASHBOARD_DAYS) -> list[dict]:
    """`[{date, bookings, seats_sold}]` for each of the last `days` local days, oldest first.

    A booking counts on the day it was made, and so do its passengers holding a confirmed berth
    now (`booking_figures` says why passengers). Two queries, each with a conditional aggregate per
    day, bounded by local midnights computed here: grouping by a local date in SQL would need the
    database's time-zone tables.
    """
    window = _last_days(days)
    bounds = [_local_midnight(day) for day in [*window, window[-1] + timedelta(days=1)]]

    def per_day(rows, created_at: str) -> dict:
        counts = {
            f"day_{index}": Count(
                "id", filter=Q(**{f"{created_at}__gte": bounds[index], f"{created_at}__lt": bounds[index + 1]})
            )
            for index in range(len(window))
        }
        return rows.filter(**{f"{created_at}__gte": bounds[0], f"{created_at}__lt": bounds[-1]}).aggregate(**counts)

    bookings = per_day(Booking.objects.all(), "created_at")
    seats = per_day(Passenger.objects.filter(status=Passenger.Status.CNF), "booking__created_at")
    return [
        {"date": day, "bookings": bookings[f"day_{index}"], "seats_sold": seats[f"day_{index}"]}
        for index, day in enumerate(window)
    ]


def search_latency_by_day(*, days: int = DASHBOARD_DAYS) -> list[dict]:
    """`[{date, searches, p50_ms, p95_ms, p99_ms}]` for each of the last `days` local days.

    Percentiles are nearest-rank within the day, as `search_stats` computes them over a window;
    a day without searches has None for each.
    """
    window = _last_days(days)
    counts = {
        date(**row["_id"]): row["searches"]
        for row in _aggregate(pipelines.searches_by_day(time_zone=settings.TIME_ZONE, since=_local_midnight(window[0])))
    }
    result = []
    for day in window:
        searches = counts.get(day, 0)
        since, until = _local_midnight(day), _local_midnight(day + timedelta(days=1))
        percentiles = {f"p{p}_ms": _execution_time_percentile(p, searches, since, until) for p in PERCENTILES}
        result.append({"date": day, "searches": searches, **percentiles})
    return result


def occupancy_of_next_runs(*, limit: int = NEXT_RUNS) -> list[dict]:
    """The next run of every active train still to leave its first station, soonest first (`limit` of them):
    `{train, run_date, total_seats, taken_seats, percent}`, a run nobody has booked at 0%.

    A seat is held per segment, so a run's occupancy is that of its busiest segment: the most
    seats (confirmed or held, all classes) taken at once anywhere on the route.
    """
    now = timezone.localtime()
    today = now.date()
    next_runs: list[tuple[date, Train]] = []
    # Day by day: a train that runs on a day and on none before it has its next run then, and
    # every train running on an earlier day is taken already (or the page was full).
    for day in (today + timedelta(days=ahead) for ahead in range(7)):
        if len(next_runs) >= limit:
            break
        trains = (
            Train.objects.active()
            .annotate(runs_today=F("runs_on_mask").bitand(weekday_bit(day.weekday())))
            .filter(runs_today__gt=0, **({"departure_time__gt": now.time()} if day == today else {}))
            .exclude(pk__in=[train.pk for _day, train in next_runs])
            .only("train_number", "name", "departure_time", "total_seats")
            .order_by("departure_time", "train_number")[: limit - len(next_runs)]
        )
        next_runs += [(day, train) for train in trains]
    runs = TrainRun.objects.filter(
        reduce(or_, (Q(train_id=train.pk, run_date=run_date) for run_date, train in next_runs), Q(pk=None))
    )
    run_of = {(run.train_id, run.run_date): run.pk for run in runs}
    occupied = SeatAllocation.objects.filter(Q(booking__isnull=False) | Q(hold__expires_at__gt=timezone.now()))
    occupied = occupied.filter(seat_number__lte=RAC_PLACE_BASE)  # RAC places are not seats: two share a berth
    busiest: dict[int, int] = {}
    segments = occupied.filter(run_id__in=run_of.values()).order_by().values("run_id", "segment")
    for row in segments.annotate(taken=Count("id")):
        busiest[row["run_id"]] = max(busiest.get(row["run_id"], 0), row["taken"])
    rows = []
    for run_date, train in next_runs:
        taken = busiest.get(run_of.get((train.pk, run_date)), 0)
        percent = round(100 * taken / train.total_seats) if train.total_seats else 0
        rows.append(
            {
                "train": train,
                "run_date": run_date,
                "total_seats": train.total_seats,
                "taken_seats": taken,
                "percent": percent,
            }
        )
    return rows


def search_log_page(
    *,
    source: str | None = None,
    destination: str | None = None,
    user_id: int | None = None,
    status_code: int | None = None,
    offset: int = 0,
    limit: int = SEARCH_LOG_PAGE,
) -> tuple[list[dict], bool]:
    """The latest search logs matching the filters, newest first, and whether more follow."""
    query = {}
    if source:
        query["source"] = normalize_station(source)
    if destination:
        query["destination"] = normalize_station(destination)
    if user_id is not None:
        query["user_id"] = user_id
    if status_code is not None:
        query["status_code"] = status_code
    try:
        cursor = search_logs().find(query, {"_id": 0}).sort("timestamp", -1).skip(offset).limit(limit + 1)
        logs = list(cursor)
    except PyMongoError as exc:
        raise SearchLogsUnavailable() from exc
    usernames = dict(
        get_user_model()
        .objects.filter(pk__in={log["user_id"] for log in logs if log.get("user_id")})
        .values_list("pk", "username")
    )
    for log in logs:
        log["username"] = usernames.get(log.get("user_id"))
        # pymongo hands back naive datetimes; they are UTC.
        if isinstance(log.get("timestamp"), datetime) and log["timestamp"].tzinfo is None:
            log["timestamp"] = log["timestamp"].replace(tzinfo=UTC)
    return logs[:limit], len(logs) > limit
