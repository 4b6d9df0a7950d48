"""Reads over runs, bookings and holds: search availability, the seat map, tickets, PNR status.

Search and the seat map join the schedule (trains) with the inventory (runs and their seats), so
they live here, above both. A seat counts as taken for a journey when a confirmed booking owns
it, or a hold that has not expired yet does, on any segment of the journey: a read never waits
for the next write to sweep expired holds away.
"""

from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from bookings import search_cache
from bookings.errors import QuotaNotAvailable
from bookings.inventory import search_availability, statements
from bookings.inventory.availability import QUEUED_BOOKINGS
from bookings.inventory.quotas import general_after_chart
from bookings.models import RAC_PLACE_BASE, Booking, Hold, Passenger, SeatAllocation, TrainRun, rac_place_seat
from irctc import fast_json, process_memory
from irctc.db_router import read_connection
from trains.fares import breakdown_data
from trains.journeys import Journey, moment, plan_journey
from trains.layouts import berth_of
from trains.models import MAX_DAY_OFFSET, Train, normalize_station, with_rendered_schedule
from trains.pools import GENERAL_QUOTA, pools_of_class
from trains.selectors import Leg, legs_between

# --- The train a booking names ----------------------------------------------------------------


def train_for_booking(train_id: int) -> Train | None:
    """The train `train_id` with its stops and classes, as this process last read it; None if
    there is no such train.

    Reading the train was a large share of a booking's CPU, and the booking checks it again anyway:
    under the run lock, the free-seat read says whether the row's `updated_at` is still the one
    read (`bookings.inventory.allocation.prepare_run`), and every change to a train, its stops or
    its classes saves that row. So a booking may start from a train read by an earlier request:
    one that changed meanwhile is read again under the lock, a refusal is only given on the train
    as it is now (`bookings.services._planned_journey`), and a train saved or deleted in this
    process is forgotten at once (`bookings.apps`). Kept in `irctc.process_memory.kept_trains`,
    shared between threads: nothing changes a kept train.
    """
    train = process_memory.kept_trains.get(train_id)
    if train is None:
        train = current_train(train_id)
    return train


def current_train(train_id: int) -> Train | None:
    """`train_for_booking` read from the database now (and kept for the next booking)."""
    # Unordered: `first()` would sort the one row by the model's ordering. One statement, not
    # three: the stops and classes come rendered with the row.
    train = next(iter(Train.objects.filter(pk=train_id).order_by()[:1]), None)
    if train is None:
        process_memory.kept_trains.pop(train_id)
        return None
    train = with_rendered_schedule(train)
    process_memory.kept_trains.put(train_id, train)  # past its limit, the longest kept goes
    return train


def _occupied_seats(now=None) -> QuerySet:
    """Allocations that keep a seat from being sold right now."""
    return SeatAllocation.objects.filter(Q(booking__isnull=False) | Q(hold__expires_at__gt=now or timezone.now()))


# --- Search ------------------------------------------------------------------------------------

# Without a date, a train is shown on its next departure from the boarding station: that is on a
# run that left its origin at most MAX_DAY_OFFSET days ago and at most a week ahead.
_RUN_DAYS_WITHOUT_DATE = range(-MAX_DAY_OFFSET, 8)


def run_dates_searched(travel_date: date | None, today: date | None = None) -> list[date]:
    """The origin dates of the runs `search_journeys` may show for `travel_date` (or none)."""
    today = today or timezone.localdate()
    if travel_date is None:
        return [today + timedelta(days=day) for day in _RUN_DAYS_WITHOUT_DATE]
    return [travel_date - timedelta(days=back) for back in range(MAX_DAY_OFFSET + 1)]


class SearchQuery(NamedTuple):
    """What a train search asks: a route, a page of `limit` journeys from `offset`, a travel date or
    none, a class or any, and the quota whose availability it shows."""

    source: str
    destination: str
    limit: int
    travel_date: date | None = None
    class_code: str | None = None
    offset: int = 0
    quota: str = GENERAL_QUOTA  # whose seats, statuses and fares `availability` shows


class CachedSearch(NamedTuple):
    """What the cache held for a search: its `answer` (None if there was none still current), and
    the `stamp` to store a fresh one with (None when the cache is off or down)."""

    answer: tuple[int, bytes] | None
    stamp: dict | None


def search_cache_keys(query: SearchQuery) -> list[str]:
    """The cache keys `search_trains(query)` reads first (its cached answer's and the counters it
    is stamped with), for a view to read ahead with its own: the API reads the signed-in user's
    with them, before authenticating, and hands them to `search_trains`."""
    route = (normalize_station(query.source), normalize_station(query.destination))
    return search_cache.answer_keys(
        (*route, query.travel_date, query.class_code, query.offset, query.limit, query.quota),
        run_dates_searched(query.travel_date),
        route=route,
        dated=query.travel_date is not None,
    )


def cached_search(query: SearchQuery, keys: list[str] | None = None) -> CachedSearch:
    """The cached answer to `query`, read in one round trip with the counters it is stamped with;
    `keys` are its `search_cache_keys`, when the caller has them already."""
    return CachedSearch(*search_cache.cached_answer(keys or search_cache_keys(query)))


def search_trains(query: SearchQuery, *, keys: list[str] | None = None) -> tuple[int, bytes]:
    """`(count, results)`: how many journeys `query` matches, and its page of them as the API shows
    them (`search_results_data`), rendered to JSON.

    From the answer cache while nothing it counts has changed (`bookings.search_cache`), else from
    the database, and then kept there. The results are kept rendered because that is what is cheap
    to send back: pickling the page's dicts for the cache cost as much as rendering them. Both the
    API and the passenger site ask for their pages here, and share what is kept. `keys` are the
    query's `search_cache_keys`, when the caller has them already.
    """
    cached = cached_search(query, keys)
    if cached.answer is not None:
        return cached.answer
    count, journeys = search_journeys(
        source=query.source,
        destination=query.destination,
        travel_date=query.travel_date,
        class_code=query.class_code,
        offset=query.offset,
        limit=query.limit,
        quota=query.quota,
        timetable=search_cache.timetable_generation(cached.stamp),
    )
    results = fast_json.render(search_results_data(journeys))
    holds_lapse = [journey["seats_change_at"] for journey in journeys if journey["seats_change_at"] is not None]
    search_cache.store(cached.stamp, (count, results), changes_at=min(holds_lapse, default=None))
    return count, results


def search_journeys(
    *,
    source: str,
    destination: str,
    travel_date: date | None = None,
    class_code: str | None = None,
    offset: int,
    limit: int,
    quota: str = GENERAL_QUOTA,
    timetable=None,
) -> tuple[int, list[dict]]:
    """Journeys from `source` to `destination` by departure, `[offset, offset + limit)`, and how many.

    Any two stops of an active train match, `source` first. With `travel_date` (the day the train
    leaves `source`), only trains leaving `source` that day, each on the run that started
    `day_offset` days earlier; without, each train's next departure from `source` still ahead.

    One statement finds the route's trains (a range of `StopPair`'s covering index) with any run
    they have on the days searched; the trains' timetables come from `trains.selectors.timetables`,
    which a process keeps while the timetable generation `timetable` stays the same; dates, order
    and page are worked out here; seats are counted only on the page's runs that exist (most
    journeys a search shows have none: nobody has booked them yet). Each class's entry is for
    `quota` (`bookings.inventory.search_availability`), and so are its fares, worked out from the
    timetables (`Leg.fare_breakdowns`): no statement of their own.
    """
    zone = timezone.get_current_timezone()
    now = timezone.localtime(timezone=zone)
    # The runs looked up are those of the day the departures are worked out from (midnight).
    run_dates = run_dates_searched(travel_date, today=now.date())
    pairs, runs, charted = _route_with_runs(source, destination, run_dates)
    legs = legs_between(pairs, generation=timetable)
    if class_code is not None:
        legs = [leg for leg in legs if leg.timetable.has_class(class_code)]
    if travel_date is not None:
        # The train leaves `source` on travel_date, so it left its origin `day_offset` days earlier.
        rides = [
            (leg, run_date)
            for leg in legs
            if leg.timetable.runs_on(run_date := travel_date - timedelta(days=leg.board.day_offset))
        ]
    else:
        rides = _next_departures(legs, now)
    page = rides[offset : offset + limit]
    database = read_connection()
    seats = search_availability.seats_taken(
        [(runs[key], leg, key) for leg, run_date in page if (key := (leg.train_id, run_date)) in runs],
        quota,
        now,
        database,
        charted=charted,
    )
    entries, opens = search_availability.page_availability(page, runs, seats, quota, now, database, charted=charted)
    journeys = []
    for leg, run_date in page:
        key = (leg.train_id, run_date)
        # A Tatkal status changes when Tatkal opens, as seats do when a hold lapses.
        changes_at = min(
            (moment for moment in (seats.lapses.get(key), opens.get(key)) if moment is not None), default=None
        )
        journeys.append(_journey(leg, run_date, entries[key], changes_at, zone, quota))
    return len(rides), journeys


def _route_with_runs(source: str, destination: str, run_dates: list[date]):
    """`([(train, from index, to index, train's updated_at)], {(train, run date): run id}, {charted
    run ids})`: every train calling at `source` and later at `destination` (active or not), and the
    runs they have on `run_dates`."""
    database = read_connection()
    ops = database.ops
    params = [
        *(ops.adapt_datefield_value(day) for day in run_dates),
        normalize_station(source),
        normalize_station(destination),
    ]
    with database.cursor() as cursor:
        cursor.execute(statements.route_with_runs(database.vendor, len(run_dates)), params)
        (document,) = cursor.fetchone()
    rows = fast_json.loads(document) if document else []  # MariaDB aggregates no rows to NULL
    pairs = {(train_id, from_index, to_index, version) for train_id, from_index, to_index, version, *_run in rows}
    runs = {(train_id, _as_date(day)): run_id for train_id, _f, _t, _v, run_id, day, _c in rows if run_id is not None}
    charted = {run_id for *_leg, run_id, _day, is_charted in rows if run_id is not None and is_charted}
    return pairs, runs, charted


def _next_departures(legs: list[Leg], now: datetime) -> list[tuple[Leg, date]]:
    """Each leg on its next departure from its first station still ahead of `now`, soonest first."""
    today, clock = now.date(), now.time()
    rides = []
    for leg in legs:
        board = leg.board
        for day in _RUN_DAYS_WITHOUT_DATE:
            run_date = today + timedelta(days=day)
            leaves_in = day + board.day_offset  # days from today
            if (leaves_in > 0 or (leaves_in == 0 and board.departure_time > clock)) and leg.timetable.runs_on(run_date):
                rides.append((leaves_in, leg, run_date))
                break
    rides.sort(key=lambda ride: (ride[0], ride[1].board.departure_time, ride[1].timetable.train_number))
    return [(leg, run_date) for _leaves_in, leg, run_date in rides]


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value  # SQLite gives text


def _journey(leg: Leg, run_date: date, entries: list[dict], seats_change_at: datetime | None, zone, quota: str) -> dict:
    """One search result: the leg on its run, with its classes' `entries`
    (`search_availability.page_availability`) and their fares in `quota`, and when the first hold
    counted in them lapses or Tatkal opens (None: neither), after which they are no longer what it
    says."""
    board, alight = leg.board, leg.alight
    departure = moment(run_date + timedelta(days=board.day_offset), board.departure_time, zone)
    arrival = moment(run_date + timedelta(days=alight.arrival_day()), alight.arrival_time, zone)
    availability = [
        {**entry, "fare": None if fare is None else fare.total, "fare_breakdown": fare}
        for entry, fare in zip(entries, leg.fare_breakdowns(quota), strict=True)
    ]
    return {
        "train_id": leg.train_id,
        "train": leg.timetable.train_data(),
        "from_station": board.station,
        "to_station": alight.station,
        "travel_date": departure.date(),
        "run_date": run_date,
        "departure": departure,
        "arrival": arrival,
        "duration_minutes": int((arrival - departure).total_seconds() // 60),
        "distance_km": None
        if board.distance_km is None or alight.distance_km is None
        else alight.distance_km - board.distance_km,
        "available_seats": sum(option["available_seats"] for option in availability),
        "availability": availability,
        "seats_change_at": seats_change_at,
    }


def search_results_data(journeys: list[dict]) -> list[dict]:
    """`TrainSearchResultSerializer(many=True).data` for the rows of `search_journeys`, built directly.

    Search is the busiest read, and DRF renders a page field by field (a deep copy of every
    field, then a `to_representation` call per value). The serializer
    (`bookings.serializers.TrainSearchResultSerializer`) stays the documented shape, the schema is
    built from it, and tests check that both give the same JSON.
    """
    zone = timezone.get_current_timezone()
    return [
        {
            **journey["train"],  # as the API shows a train (`Timetable.train_data`)
            "from_station": journey["from_station"],
            "to_station": journey["to_station"],
            "travel_date": journey["travel_date"].isoformat(),
            "run_date": journey["run_date"].isoformat(),
            "departure": _local_iso(journey["departure"], zone),
            "arrival": _local_iso(journey["arrival"], zone),
            "duration_minutes": journey["duration_minutes"],
            "distance_km": journey["distance_km"],
            "available_seats": journey["available_seats"],
            "availability": [
                {
                    "class": option["class"],
                    "available_seats": option["available_seats"],
                    "fare": None if option["fare"] is None else str(option["fare"]),
                    "fare_breakdown": breakdown_data(option["fare_breakdown"]),
                    "quota": option["quota"],
                    "status": option["status"],
                    "rac_available": option["rac_available"],
                    "waitlist_next": option["waitlist_next"],
                    "charted": option["charted"],
                }
                for option in journey["availability"]
            ],
        }
        for journey in journeys
    ]


def _local_iso(value: datetime, zone) -> str:
    """`DateTimeField().to_representation(value)` (ISO 8601 in `zone`), without its per-value lookups."""
    if value.tzinfo is not zone:
        value = value.astimezone(zone)
    text = value.isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


# --- Seat map ----------------------------------------------------------------------------------


def journey_free_seats(journey: Journey) -> list[int]:
    """Seats of the journey's class free on every segment of it, ascending; an RAC berth counts as
    free while one of its two RAC places is."""
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
    rac_berths = pools_of_class(journey.train_class).rac_berths
    full_rac_berths = {
        berth
        for index, berth in enumerate(rac_berths)
        if {rac_place_seat(2 * index + 1), rac_place_seat(2 * index + 2)} <= taken
    }
    return [seat for seat in range(1, journey.train_class.seats + 1) if seat not in taken | full_rac_berths]


def seat_map(
    *,
    train: Train,
    travel_date: date,
    from_station: str | None = None,
    to_station: str | None = None,
    class_code: str | None = None,
    quota: str = GENERAL_QUOTA,
) -> dict:
    """The seat map of a journey: the berths of one quota's pool of its class, and which are free
    on every segment of it. An RAC berth is listed (`rac`) but not counted as a seat for sale:
    it is sold as two RAC places, never confirmed or held as a berth. Once the run is charted
    (`charted`), every free berth but the RAC berths is general, whatever the quota."""
    journey = plan_journey(
        train=train,
        travel_date=travel_date,
        from_station=from_station,
        to_station=to_station,
        class_code=class_code,
        for_booking=False,
        date_field="date",
    )
    pools = pools_of_class(journey.train_class)
    pool = pools.seats[quota]
    if not pool and quota != GENERAL_QUOTA:
        raise QuotaNotAvailable(quota, journey.class_code)
    free = journey_free_seats(journey)
    charted = TrainRun.objects.filter(train=train, run_date=journey.run_date, charted_at__isnull=False).exists()
    if charted:
        # The chart gave every quota's unsold seats to GN: whatever the quota asked, the free
        # berths are those of the class but its RAC berths, all general.
        after_chart = general_after_chart(pools)
        free = free if after_chart is None else [seat for seat in free if seat in set(after_chart)]
        berths = [
            {**berth_of(journey.class_code, seat).as_dict(), "quota": GENERAL_QUOTA, "rac": False} for seat in free
        ]
    else:
        if not pools.plain:
            listed = set(pool) | (set(pools.rac_berths) if quota == GENERAL_QUOTA else set())
            free = [seat for seat in free if seat in listed]
        berths = [
            {**berth_of(journey.class_code, seat).as_dict(), "quota": quota, "rac": pools.is_rac(seat)} for seat in free
        ]
        free = [seat for seat in free if not pools.is_rac(seat)]
    return {
        "train": train,
        "travel_date": journey.travel_date,
        "run_date": journey.run_date,
        "from_station": journey.from_stop.station,
        "to_station": journey.to_stop.station,
        "class_code": journey.class_code,
        "quota": quota,
        "charted": charted,
        "total_seats": journey.train_class.seats,
        "available_seats": len(free),
        "free_seat_numbers": free,
        "free_berths": berths,
    }


# --- Bookings as the API shows them ------------------------------------------------------------


def _with_display_data(bookings: QuerySet) -> QuerySet:
    """Train, confirmed seats and passengers, each with their place in their queue now, for every
    booking in a fixed number of queries.

    A seat has a row per segment; the one on the journey's first segment stands for it (RAC
    places are not seats: a passenger's shows as their berth). The positions are counted when
    read (`_queue_positions`), so they move up as soon as someone ahead moves or cancels.
    """
    return bookings.select_related("run__train").prefetch_related(
        "run__train__stops",
        "run__train__classes",
        Prefetch(
            "allocations",
            queryset=SeatAllocation.objects.filter(
                segment=F("booking__from_index"), seat_number__lte=RAC_PLACE_BASE
            ).order_by("seat_number"),
            to_attr="seat_allocations",
        ),
        Prefetch("passengers", queryset=_queue_positions(Passenger.objects.all()), to_attr="passenger_list"),
        Prefetch("refunds", to_attr="refund_list"),
    )


def _queue_positions(passengers: QuerySet) -> QuerySet:
    """`passengers`, each RAC or waitlisted one annotated with `current_position`: 1 + the
    passengers of the same queue (run, class, quota and status) ahead of them, by booking
    (`created_at`, id), then position on the booking. In the same statement: no query per
    passenger."""
    ahead = (
        Passenger.objects.filter(
            booking__run=OuterRef("booking__run"),
            booking__class_code=OuterRef("booking__class_code"),
            booking__quota=OuterRef("booking__quota"),
            booking__status__in=QUEUED_BOOKINGS,
            status=OuterRef("status"),
        )
        .filter(
            Q(booking__created_at__lt=OuterRef("booking__created_at"))
            | Q(booking__created_at=OuterRef("booking__created_at"), booking_id__lt=OuterRef("booking_id"))
            | Q(booking_id=OuterRef("booking_id"), position__lt=OuterRef("position"))
        )
        .order_by()
        .values("status")
        .annotate(count=Count("id"))
        .values("count")
    )
    return passengers.annotate(
        current_position=Case(
            When(
                status__in=[Passenger.Status.RAC, Passenger.Status.WL],
                then=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1,
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


def passenger_status_data(passenger: Passenger) -> dict:
    """A passenger's status as booked and now, each `{status, position}`, for a passenger read
    by `_with_display_data` (which counts `current_position`)."""
    return {
        "booking_status": {"status": passenger.booking_status, "position": passenger.booking_position},
        "current_status": {"status": passenger.status, "position": getattr(passenger, "current_position", None)},
    }


def journey_times(booking: Booking | Hold) -> tuple[datetime | None, datetime | None]:
    """Departure from and arrival at the booked stations, from the train's stops as they are now.

    None where the route has since changed under a past booking (a stop moved or removed):
    future bookings can't be stranded that way, the train services refuse it.
    """
    stops = booking.run.train.stop_list()
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
    as read under the run lock, its `seat_allocations` and `passenger_list`, no queue position),
    and reading it back cost as much CPU as making it. One with RAC or waitlisted passengers
    needs their positions counted.
    """
    if booking.status == Booking.Status.CONFIRMED and hasattr(booking, "seat_allocations"):
        return booking
    return booking_for_display(booking.pk)


def visible_booking(*, booking_id: int, user) -> Booking | None:
    return _with_display_data(Booking.objects.visible_to(user).filter(pk=booking_id)).first()


def bookings_of(user) -> QuerySet:
    """The user's own bookings, newest first."""
    return _with_display_data(Booking.objects.filter(user=user)).order_by("-created_at", "-id")


def bookings_by_journey(user, *, limit: int) -> dict[str, list[Booking]]:
    """The user's latest `limit` bookings as `{"upcoming": soonest first, "past": latest first}`
    (upcoming: travelling today or later), each with `seat_labels`, its seats as coach-berth."""
    today = timezone.localdate()
    bookings = list(bookings_of(user)[:limit])
    for booking in bookings:
        booking.seat_labels = [_seat_label(booking.class_code, a.seat_number) for a in booking.seat_allocations]
    upcoming = sorted((b for b in bookings if b.travel_date >= today), key=lambda b: (b.travel_date, b.pk))
    return {"upcoming": upcoming, "past": [b for b in bookings if b.travel_date < today]}


def _seat_label(class_code: str, seat_number: int) -> str:
    berth = berth_of(class_code, seat_number)
    if berth.coach is None:
        return f"Seat {berth.berth}"
    return f"{berth.coach}-{berth.berth}" + (f" {berth.berth_type}" if berth.berth_type else "")


def all_bookings() -> QuerySet:
    """Every booking, newest first: the operators' view."""
    return _with_display_data(Booking.objects.all()).order_by("-created_at", "-id")


def hold_for_display(hold_id: int) -> Hold:
    return (
        Hold.objects.select_related("run__train")
        .prefetch_related("run__train__stops", "run__train__classes")
        .get(pk=hold_id)
    )


def travellers_of_hold(*, hold_id, user) -> list[dict]:
    """The travellers `user` named on their hold `hold_id` (`{name, age, gender, berth_preference}`,
    in order), for choosing seats again without typing them again; [] for anyone else's or none."""
    try:
        hold = Hold.objects.only("passengers", "user_id").get(pk=int(hold_id), user=user)
    except (Hold.DoesNotExist, TypeError, ValueError, OverflowError):
        return []
    fields = ("name", "age", "gender", "berth_preference")
    return [{field: passenger.get(field) for field in fields} for passenger in hold.passengers]
