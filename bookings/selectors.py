"""Reads over runs, bookings and holds: search availability, the seat map, tickets, PNR status.

Search and the seat map join the schedule (trains) with the inventory (runs and their seats), so
they live here, above both. A seat counts as taken for a journey when a confirmed booking owns
it, or a hold that has not expired yet does, on any segment of the journey: a read never waits
for the next write to sweep expired holds away.
"""

import functools
from datetime import date, datetime, time, timedelta
from operator import itemgetter

from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework.exceptions import NotFound

from bookings.models import Booking, Hold, SeatAllocation, TrainRun
from irctc import fast_json
from irctc.db_router import read_connection
from trains.journeys import Journey, fare_for, moment, plan_journey
from trains.layouts import berth_of
from trains.models import MAX_DAY_OFFSET, Stop, StopPair, Train, TrainClass, normalize_station, weekday_bit


def _occupied_seats(now=None) -> QuerySet:
    """Allocations that keep a seat from being sold right now."""
    return SeatAllocation.objects.filter(Q(booking__isnull=False) | Q(hold__expires_at__gt=now or timezone.now()))


# --- Search ------------------------------------------------------------------------------------

# An OFFSET beyond this is past the end of any real result, and some databases refuse it.
MAX_QUERY_OFFSET = 2**62
# Without a date, a train is shown on its next departure from the boarding station: that is on a
# run that left its origin at most 3 days ago (the largest day offset) and at most a week ahead.
_RUN_DAYS_WITHOUT_DATE = range(-3, 8)

_PAGE_COLUMNS = (
    "id",
    "from_index",
    "from_station",
    "departure_time",
    "departure_day",
    "from_km",
    "to_index",
    "to_station",
    "arrival_time",
    "arrival_stop_departure",
    "arrival_day",
    "to_km",
    "run_day",
)
# The train's own columns, after `train_number` and the total: search renders the train from them.
_TRAIN_COLUMNS = (
    "name",
    "source",
    "destination",
    "departure_time",
    "arrival_time",
    "arrival_day_offset",
    "total_seats",
    "runs_on_mask",
)
# What the search statement returns per journey, in this order, before its stops and its classes
# (see `search_journeys`).
_RESULT_COLUMNS = (
    *_PAGE_COLUMNS,
    "train_number",
    "total",
    *(f"train_{name}" if name in ("departure_time", "arrival_time") else name for name in _TRAIN_COLUMNS),
    "stops_json",
    "classes_json",
    "page_position",
)


def _json_rows(values: str, vendor: str) -> str:
    """An aggregate of every row into one JSON array of arrays of `values` (SQL, comma-separated)."""
    if vendor == "sqlite":
        return f"json_group_array(json_array({values}))"
    return f"JSON_ARRAYAGG(JSON_ARRAY({values}))"


def run_dates_searched(travel_date: date | None) -> list[date]:
    """The origin dates of the runs `search_journeys` may show for `travel_date` (or none)."""
    today = timezone.localdate()
    if travel_date is None:
        return [today + timedelta(days=day) for day in _RUN_DAYS_WITHOUT_DATE]
    return [travel_date - timedelta(days=back) for back in range(MAX_DAY_OFFSET + 1)]


@functools.cache
def _search_sql(vendor: str, index_column: str, rank_column: str, *, dated: bool, by_class: bool) -> str:
    """The statement of `search_journeys`: its text depends only on these, the rest are parameters.

    The two columns come quoted as the database quotes them: `index` and `rank` are reserved words.
    """
    tables = {
        "stop": Stop._meta.db_table,
        "pair": StopPair._meta.db_table,
        "train": Train._meta.db_table,
        "cls": TrainClass._meta.db_table,
        "run": TrainRun._meta.db_table,
        "alloc": SeatAllocation._meta.db_table,
        "hold": Hold._meta.db_table,
    }
    where = ["sp.from_key = %s", "sp.to_key = %s", "t.is_active = %s"]
    if dated:
        weekday_bits = " ".join("WHEN %s THEN %s" for _ in range(4))
        where.append(f"(t.runs_on_mask & CASE a.day_offset {weekday_bits} END) > 0")
        # Stated per offset, not as `%s - a.day_offset`: MariaDB computes with the column's
        # UNSIGNED type and refuses a negative intermediate result.
        run_day = "(CASE a.day_offset " + " ".join("WHEN %s THEN %s" for _ in range(4)) + " END)"
        order = "{t}.departure_time, {t}.train_number"
        run_days = 4
    else:
        # The SQL twin of "the next departure from `source` still ahead": the first candidate run
        # day whose weekday the train runs on and whose departure from `source` is after now.
        when = (
            "WHEN (t.runs_on_mask & %s) > 0 AND (a.day_offset > %s"
            " OR (a.day_offset = %s AND a.departure_time > %s)) THEN %s"
        )
        run_day = f"(CASE {' '.join(when for _ in _RUN_DAYS_WITHOUT_DATE)} END)"
        order = "{t}.run_day + {t}.departure_day, {t}.departure_time, {t}.train_number"
        run_days = len(_RUN_DAYS_WITHOUT_DATE)
    if by_class:
        where.append(f"EXISTS (SELECT 1 FROM {tables['cls']} fc WHERE fc.train_id = t.id AND fc.code = %s)")
    # The run's origin date as a literal per candidate day: date arithmetic differs per database.
    run_date_case = "CASE page.run_day " + " ".join("WHEN %s THEN %s" for _ in range(run_days)) + " END"
    page_columns = ", ".join(f"p.{column}" for column in _RESULT_COLUMNS)
    # The seats taken per class on any segment of the journey on its run: the same rule as
    # `seat_map` (the booking state machine checks that they agree). A run nobody has booked has
    # no row yet, and then there is nothing to count: most journeys a search shows.
    taken = (
        f"SELECT COUNT(DISTINCT sa.seat_number) FROM {tables['alloc']} sa"
        f" LEFT OUTER JOIN {tables['hold']} h ON h.id = sa.hold_id"
        " WHERE sa.run_id = p.run_id"
        " AND sa.class_code = c.code AND sa.segment >= p.from_index AND sa.segment < p.to_index"
        " AND (sa.booking_id IS NOT NULL OR h.expires_at > %s)"
    )
    taken_by_class = (
        "CASE WHEN p.run_id IS NULL THEN NULL ELSE (SELECT "
        + _json_rows(f"c.code, ({taken})", vendor)
        + f" FROM {tables['cls']} c WHERE c.train_id = p.id) END"
    )
    sql = (
        "WITH q AS ("
        " SELECT t.id, a.{index} AS from_index, a.station AS from_station,"
        # Signed copies of the day offsets, for the same reason as `run_day`.
        "  a.departure_time, (CASE a.day_offset WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 3 THEN 3 ELSE 0 END) AS departure_day,"
        "  a.distance_km AS from_km,"
        "  b.{index} AS to_index, b.station AS to_station, b.arrival_time,"
        "  b.departure_time AS arrival_stop_departure, b.day_offset AS arrival_day, b.distance_km AS to_km,"
        f"  {run_day} AS run_day, t.train_number, COUNT(*) OVER () AS total,"
        "  t.name, t.source, t.destination, t.departure_time AS train_departure_time,"
        "  t.arrival_time AS train_arrival_time, t.arrival_day_offset, t.total_seats, t.runs_on_mask,"
        "  t.stops_json, t.classes_json"
        f" FROM {tables['pair']} sp"
        f" INNER JOIN {tables['stop']} a ON a.train_id = sp.train_id AND a.{{index}} = sp.from_index"
        f" INNER JOIN {tables['stop']} b ON b.train_id = sp.train_id AND b.{{index}} = sp.to_index"
        f" INNER JOIN {tables['train']} t ON t.id = sp.train_id"
        f" WHERE {' AND '.join(where)}"
        f"), page AS (SELECT q.*, ROW_NUMBER() OVER (ORDER BY {order.format(t='q')}) AS page_position"
        f"  FROM q ORDER BY {order.format(t='q')} LIMIT %s OFFSET %s"
        # The run each journey rides, looked up once per journey.
        f"), p AS (SELECT page.*, r.id AS run_id FROM page LEFT OUTER JOIN {tables['run']} r"
        f"  ON r.train_id = page.id AND r.run_date = ({run_date_case})"
        ")"
        # The whole page comes back as one JSON value, each journey with the seats taken per class
        # nested, and its stops and classes as rendered when they were written: the pure-Python
        # driver reads one value instead of a row of 30 columns per journey and class (which cost
        # more than the query), and the database builds no JSON for trains nobody has booked.
        f" SELECT {_json_rows(f'{page_columns}, ({taken_by_class})', vendor)}"
        " FROM p"
    )
    return sql.replace("{index}", index_column).replace("{rank}", rank_column)


def search_journeys(
    *,
    source: str,
    destination: str,
    travel_date: date | None = None,
    class_code: str | None = None,
    offset: int,
    limit: int,
) -> tuple[int, list[dict]]:
    """Journeys from `source` to `destination` by departure, `[offset, offset + limit)`, and how many.

    Any two stops of an active train match, `source` first. With `travel_date` (the day the train
    leaves `source`), only trains leaving `source` that day, each on the run that started
    `day_offset` days earlier; without, each train's next departure from `source` still ahead.

    One statement, written out rather than built with the ORM: search is the busiest read. The
    page of journeys is chosen in a CTE (the trains with stops at both stations in that order
    are one range of `StopPair`'s unique key, their two stops and the train are looked up by
    key; the total rides on it as `COUNT(*) OVER ()`, computed before LIMIT), then
    each journey is joined with the train's classes, and each class with the seats taken on any
    segment of the journey on that run: the same rule as `seat_map` (the booking state machine
    checks that they agree). Only a page past the end has no row to carry the total, and counts
    separately.
    """
    database = read_connection()
    ops = database.ops
    zone = timezone.get_current_timezone()
    now = timezone.localtime(timezone=zone)
    today = now.date()
    if travel_date is not None:
        # The train leaves `source` on travel_date, so it left its origin `a.day_offset` days earlier.
        travel_day = (travel_date - today).days
        run_day_params = [value for days_back in range(4) for value in (days_back, travel_day - days_back)]
        weekday_params = [
            value
            for days_back in range(4)
            for value in (days_back, weekday_bit((travel_date - timedelta(days=days_back)).weekday()))
        ]
        run_days = [travel_day - back for back in range(4)]
    else:
        departed = ops.adapt_timefield_value(now.time().replace(microsecond=0))
        run_day_params = [
            value
            for day in _RUN_DAYS_WITHOUT_DATE
            for value in (weekday_bit((today + timedelta(days=day)).weekday()), -day, -day, departed, day)
        ]
        weekday_params = []
        run_days = list(_RUN_DAYS_WITHOUT_DATE)
    params = [
        *run_day_params,
        normalize_station(source),
        normalize_station(destination),
        True,
        *weekday_params,
        *([class_code] if class_code is not None else []),
        limit,
        min(offset, MAX_QUERY_OFFSET),
        *(value for day in run_days for value in (day, ops.adapt_datefield_value(today + timedelta(days=day)))),
        ops.adapt_datetimefield_value(timezone.now()),
    ]
    sql = _search_sql(
        database.vendor,
        ops.quote_name("index"),
        ops.quote_name("rank"),
        dated=travel_date is not None,
        by_class=class_code is not None,
    )
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        (document,) = cursor.fetchone()
    # MariaDB aggregates no rows to NULL, SQLite to "[]".
    # Rates come back as floats, which hold a 2-decimal rate exactly enough for `str()` to give
    # it back (fare_for and the rendering both go through `str`).
    rows = fast_json.loads(document) if document else []
    if not rows:
        return (_count_journeys(source, destination, travel_date, class_code, offset) if offset else 0), []
    width, train_width = len(_PAGE_COLUMNS), len(_TRAIN_COLUMNS)
    position = _RESULT_COLUMNS.index("page_position")
    stops_at, classes_at = _RESULT_COLUMNS.index("stops_json"), _RESULT_COLUMNS.index("classes_json")
    rows.sort(key=itemgetter(position))
    journeys = []
    for row in rows:
        journey_row = dict(zip(_PAGE_COLUMNS, row[:width], strict=True))
        total = row[width + 1]
        journey = _journey_row(journey_row, today=today, zone=zone)
        taken = row[-1]
        if isinstance(taken, str):  # the CASE around it hands it over as text
            taken = fast_json.loads(taken)
        taken = dict(taken or ())
        classes = fast_json.loads(row[classes_at])  # as the API shows them (`Train.classes_json`)
        journey["train"] = {
            "id": journey_row["id"],
            "train_number": row[width],
            **dict(zip(_TRAIN_COLUMNS, row[width + 2 : width + 2 + train_width], strict=True)),
            "stops": fast_json.loads(row[stops_at]),  # as the API shows them (`Train.stops_json`)
            "classes": classes,
        }
        for travel_class in classes:
            code, seats = travel_class["code"], travel_class["seats"]
            free = max(0, seats - int(taken.get(code, 0)))
            journey["available_seats"] += free
            journey["availability"].append(
                {
                    "class": code,
                    "available_seats": free,
                    "fare": fare_for(
                        fare_per_km=travel_class["fare_per_km"],
                        from_km=journey_row["from_km"],
                        to_km=journey_row["to_km"],
                    ),
                }
            )
        journeys.append(journey)
    return int(total), journeys


def _journey_row(row: dict, *, today: date, zone) -> dict:
    """Times, dates and distance of one search result, from its two stops and its run day."""
    run_date = today + timedelta(days=int(row["run_day"]))
    arrival_day = int(row["arrival_day"])
    departure_time, arrival_time = as_time(row["departure_time"]), as_time(row["arrival_time"])
    stop_departure = as_time(row["arrival_stop_departure"])
    if stop_departure is not None and arrival_time > stop_departure:
        arrival_day -= 1  # reached the day before it is left
    departure = moment(run_date + timedelta(days=int(row["departure_day"])), departure_time, zone)
    arrival = moment(run_date + timedelta(days=arrival_day), arrival_time, zone)
    from_km, to_km = row["from_km"], row["to_km"]
    return {
        "train_id": row["id"],
        "from_station": row["from_station"],
        "to_station": row["to_station"],
        "travel_date": departure.date(),
        "run_date": run_date,
        "departure": departure,
        "arrival": arrival,
        "duration_minutes": int((arrival - departure).total_seconds() // 60),
        "distance_km": None if from_km is None or to_km is None else to_km - from_km,
        "available_seats": 0,
        "availability": [],
    }


def as_time(value):
    """A TIME value as `datetime.time`, from a `time`, the timedelta of MariaDB's driver or text (JSON, SQLite)."""
    if value is None:
        return None
    if isinstance(value, time):
        return value
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    return time.fromisoformat(value[:8])


def _count_journeys(
    source: str, destination: str, travel_date: date | None, class_code: str | None, offset: int
) -> int:
    """The total for a page past the end, which has no row to carry it."""
    count, _page = search_journeys(
        source=source, destination=destination, travel_date=travel_date, class_code=class_code, offset=0, limit=1
    )
    return count


# --- Seat map ----------------------------------------------------------------------------------


def journey_free_seats(journey: Journey) -> list[int]:
    """Seats of the journey's class free on every segment of it, ascending."""
    taken = set(
        _occupied_seats()
        .filter(
            run__train=journey.train,
            run__run_date=journey.run_date,
            class_code=journey.class_code,
            segment__gte=journey.segments.start,
            segment__lt=journey.segments.stop,
        )
        .values_list("seat_number", flat=True)
    )
    return [seat for seat in range(1, journey.train_class.seats + 1) if seat not in taken]


def seat_map(
    *,
    train: Train,
    travel_date: date,
    from_station: str | None = None,
    to_station: str | None = None,
    class_code: str | None = None,
) -> dict:
    """The seat map of a journey: its class's seats and which are free on every segment of it."""
    journey = plan_journey(
        train=train,
        travel_date=travel_date,
        from_station=from_station,
        to_station=to_station,
        class_code=class_code,
        for_booking=False,
        date_field="date",
    )
    free = journey_free_seats(journey)
    return {
        "train": train,
        "travel_date": journey.travel_date,
        "run_date": journey.run_date,
        "from_station": journey.from_stop.station,
        "to_station": journey.to_stop.station,
        "class_code": journey.class_code,
        "total_seats": journey.train_class.seats,
        "available_seats": len(free),
        "free_seat_numbers": free,
        "free_berths": [berth_of(journey.class_code, seat).as_dict() for seat in free],
    }


# --- Bookings as the API shows them ------------------------------------------------------------


def _with_display_data(bookings: QuerySet) -> QuerySet:
    """Train, seats, passengers and waitlist position for every booking in a fixed number of queries.

    The position is counted when read, from the bookings of the same run and class still waiting
    ahead, so it moves up as soon as someone ahead is promoted or cancels. A seat has a row per
    segment; the one on the journey's first segment stands for it.
    """
    ahead = (
        Booking.objects.filter(run=OuterRef("run"), class_code=OuterRef("class_code"), status=Booking.Status.WAITLISTED)
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id")))
        .order_by()
        .values("run")
        .annotate(count=Count("id"))
        .values("count")
    )
    return (
        bookings.select_related("run__train")
        .prefetch_related(
            "run__train__stops",
            "run__train__classes",
            Prefetch(
                "allocations",
                queryset=SeatAllocation.objects.filter(segment=F("booking__from_index")).order_by("seat_number"),
                to_attr="seat_allocations",
            ),
            Prefetch("passengers", to_attr="passenger_list"),
        )
        .annotate(
            waitlist_position=Case(
                When(
                    status=Booking.Status.WAITLISTED,
                    then=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1,
                ),
                default=None,
                output_field=IntegerField(),
            )
        )
    )


def journey_times(booking: Booking | Hold) -> tuple[datetime | None, datetime | None]:
    """Departure from and arrival at the booked stations, from the train's stops as they are now.

    None where the route has since changed under a past booking (a stop moved or removed):
    future bookings can't be stranded that way, the train services refuse it.
    """
    stops = list(booking.run.train.stops.all())
    if booking.to_index >= len(stops):
        return None, None
    from_stop, to_stop = stops[booking.from_index], stops[booking.to_index]
    if normalize_station(from_stop.station) != normalize_station(booking.from_station):
        return None, None
    run_date = booking.run.run_date
    departure = moment(run_date + timedelta(days=from_stop.day_offset), from_stop.departure_time)
    arrival = moment(run_date + timedelta(days=to_stop.arrival_day()), to_stop.arrival_time)
    return departure, arrival


def booking_for_display(booking_id: int) -> Booking:
    return _with_display_data(Booking.objects.filter(pk=booking_id)).get()


def new_booking_for_display(booking: Booking) -> Booking:
    """A booking `book_seats` just returned, ready to show.

    A confirmed one already carries all `_with_display_data` would read back (its run and train
    as read under the run lock, its `seat_allocations` and `passenger_list`, no waitlist
    position), and reading it back cost as much CPU as making it. A waitlisted one needs its
    position counted.
    """
    if booking.status == Booking.Status.CONFIRMED and hasattr(booking, "seat_allocations"):
        return booking
    return booking_for_display(booking.pk)


def visible_booking(*, booking_id: int, user) -> Booking | None:
    return _with_display_data(Booking.objects.visible_to(user).filter(pk=booking_id)).first()


def bookings_of(user) -> QuerySet:
    """The user's own bookings, newest first."""
    return _with_display_data(Booking.objects.filter(user=user)).order_by("-created_at", "-id")


def all_bookings() -> QuerySet:
    """Every booking, newest first: the operators' view."""
    return _with_display_data(Booking.objects.all()).order_by("-created_at", "-id")


def hold_for_display(hold_id: int) -> Hold:
    return (
        Hold.objects.select_related("run__train")
        .prefetch_related("run__train__stops", "run__train__classes")
        .get(pk=hold_id)
    )


def pnr_status(pnr: str) -> dict:
    """What anyone holding a PNR may know: the journey and each traveller's status and berth.

    No names, ages, genders or account: a PNR is printed on paper and read out loud.
    """
    booking = _with_display_data(Booking.objects.filter(pnr=pnr)).first()
    if booking is None:
        raise NotFound(f"No booking has PNR {pnr}.")
    seats = [allocation.seat_number for allocation in booking.seat_allocations]
    passengers = booking.passenger_list
    seat_of_traveller = [passenger.seat_number for passenger in passengers] if passengers else seats
    departure, _arrival = journey_times(booking)
    travellers = []
    for number in range(1, booking.seats + 1):
        seat = seat_of_traveller[number - 1] if number <= len(seat_of_traveller) else None
        berth = berth_of(booking.class_code, seat) if seat is not None else None
        travellers.append(
            {
                "number": number,
                "status": booking.status,
                "seat_number": seat,
                "coach": berth.coach if berth else None,
                "berth": berth.berth if berth else None,
                "berth_type": berth.berth_type if berth else None,
            }
        )
    return {
        "pnr": booking.pnr,
        "status": booking.status,
        "waitlist_position": booking.waitlist_position,
        "train": {"train_number": booking.run.train.train_number, "name": booking.run.train.name},
        "travel_date": booking.travel_date,
        "from_station": booking.from_station,
        "to_station": booking.to_station,
        "departure": departure,
        "class_code": booking.class_code,
        "passengers": travellers,
    }
