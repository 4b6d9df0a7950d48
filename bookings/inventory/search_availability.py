"""What search shows of each class of a journey for one quota: seats free and a booking status.

`AVAILABLE` while the quota's pool has a seat free for the journey; then `RAC` while an RAC place
is free on every segment of it (GN, `rac_available`); then `WAITLIST` (GN and TQ, with the
number the next passenger would get) until the quota's waitlist is full, `REGRET` after it (and
at once for SS and LD, which sell confirmed seats only, or for a quota the class sets no seats
aside for); `NOT_OPEN` for Tatkal before it opens for the run. Once the run is charted, every
quota's unsold seats are general and only those are sold: `AVAILABLE` while one is free for the
journey, else `CHART_PREPARED`. All computed when asked, from the
rows that occupy seats and places and the waiting passengers, never stored.

A class without quotas or RAC, searched for GN, is counted as it always was (from the count of
seats taken, `statements.taken_seats`); the seat numbers themselves come along in the same
statement only when a page's run has a class split into pools (`seats_taken`), and the waiting
bookings are read only for the page's runs where a class has no seat free.
"""

from datetime import UTC, date, datetime
from typing import NamedTuple

from bookings.inventory import statements
from bookings.inventory.availability import waitlist_limit_of
from bookings.inventory.quotas import CONFIRMED_ONLY, TATKAL, general_after_chart, tatkal_opens_for
from bookings.models import rac_place_seat
from trains.pools import GENERAL_QUOTA, Pools, pools_of

AVAILABLE, RAC, WAITLIST, REGRET, NOT_OPEN = "AVAILABLE", "RAC", "WAITLIST", "REGRET", "NOT_OPEN"
CHART_PREPARED = "CHART_PREPARED"


def pools_of_rendered(travel_class: dict) -> Pools:
    """The pools of a class as a train's `classes_json` renders it."""
    quotas = travel_class.get("quotas") or {}
    return pools_of(
        travel_class["code"],
        travel_class["seats"],
        quotas.get("TQ", 0),
        quotas.get("SS", 0),
        quotas.get("LD", 0),
        travel_class.get("rac_berths", 0),
    )


class SeatsTaken(NamedTuple):
    """What `seats_taken` read of a page's runs, each keyed by its ride `(train, run date)`."""

    counts: dict[tuple, dict[str, int]]  # {ride: {class: seats taken on some segment of the leg}}
    numbers: dict[tuple, set[int]]  # {(ride, class): those seats' numbers}, for pooled rides only
    lapses: dict[tuple, datetime]  # {ride: when the first hold counted there lapses}


def seats_taken(
    rides: list[tuple], quota: str, now: datetime, database, *, charted: frozenset = frozenset()
) -> SeatsTaken:
    """The seats taken on each `(run id, leg, (train, run date))` ride of a page, in one statement:
    how many per class, when the first hold counted lapses, and, for the rides whose availability
    depends on which seats are taken (`_pooled`), their numbers. The same rule as `seat_map` (the
    booking state machine checks that they agree)."""
    if not rides:
        return SeatsTaken({}, {}, {})
    pooled = {run_id for run_id, leg, _key in rides if _pooled(leg, run_id, quota, charted)}
    params = [value for run_id, leg, _key in rides for value in (run_id, leg.from_index, leg.to_index)]
    params.append(database.ops.adapt_datetimefield_value(now))
    with database.cursor() as cursor:
        cursor.execute(statements.taken_seats(len(rides), numbers=bool(pooled)), params)
        rows = cursor.fetchall()
    ride_of_run = {run_id: key for run_id, _leg, key in rides}
    seats = SeatsTaken({}, {}, {})
    for run_id, code, count, first_lapse, *joined in rows:
        key = ride_of_run[run_id]
        seats.counts.setdefault(key, {})[code] = int(count)
        if first_lapse is not None:
            first_lapse = _as_utc(first_lapse)
            seats.lapses[key] = min(seats.lapses.get(key, first_lapse), first_lapse)
        if run_id in pooled:
            text = joined[0] if isinstance(joined[0], str) else joined[0].decode()
            seats.numbers[(key, code)] = {int(seat) for seat in text.split(",")}
    return seats


def _as_utc(value) -> datetime:
    # A raw cursor gives what the column holds: UTC, as text on SQLite and naive on MySQL.
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _pooled(leg, run_id: int, quota: str, charted: frozenset) -> bool:
    """Whether a ride's entries count which seats are taken, not only how many: a quota's pool, a
    class split into pools, or a charted run's general seats."""
    return (
        quota != GENERAL_QUOTA
        or run_id in charted
        or any(not pools_of_rendered(c).plain for c in leg.timetable.classes)
    )


def page_availability(
    page: list[tuple],
    runs: dict,
    seats: SeatsTaken,
    quota: str,
    now: datetime,
    database,
    *,
    charted: frozenset = frozenset(),
) -> tuple[dict[tuple, list[dict]], dict[tuple, datetime]]:
    """For each `(leg, run date)` of a search page, its classes' entries `{class, available_seats,
    quota, status, rac_available, waitlist_next, charted}` (in the leg's class order), and, per ride, the
    moment Tatkal opens where an entry says `NOT_OPEN` (the answer changes then).

    `runs`: `{(train, run date): run id}` of the runs that exist, `charted` the ids of those
    charted; `seats`: what `seats_taken` read of them (with the same `quota` and `charted`)."""
    taken, numbers = seats.counts, seats.numbers
    entries: dict[tuple, list[dict]] = {}
    opens: dict[tuple, datetime] = {}
    sold_out_runs = set()
    for leg, run_date in page:
        key = (leg.train_id, run_date)
        rows = []
        for travel_class in leg.timetable.classes:
            code, pools = travel_class["code"], pools_of_rendered(travel_class)
            rac_available = 0
            if runs.get(key) in charted:
                rows.append(_after_chart(code, travel_class, pools, quota, taken, numbers, key))
                continue
            if pools.plain and quota == GENERAL_QUOTA:
                available = max(0, travel_class["seats"] - taken.get(key, {}).get(code, 0))
            else:
                pool, taken_numbers = pools.seats[quota], numbers.get((key, code), set())
                available = len(pool) - len(taken_numbers.intersection(pool))
                if quota == GENERAL_QUOTA and pools.rac_berths:
                    places = {rac_place_seat(place) for place in range(1, 2 * len(pools.rac_berths) + 1)}
                    rac_available = len(places - taken_numbers)
            status = _status_without_waitlist(pools, quota, available, rac_available, run_date, code, now)
            if status == NOT_OPEN:
                opening = tatkal_opens_for(run_date, code)
                opens[key] = min(opens.get(key, opening), opening)
            if status == WAITLIST and key in runs:
                sold_out_runs.add(runs[key])
            rows.append(
                {
                    "class": code,
                    "available_seats": available,
                    "quota": quota,
                    "status": status,
                    "rac_available": rac_available,
                    "waitlist_next": None,
                    "charted": False,
                }
            )
        entries[key] = rows
    waiting = _waitlisted(sorted(sold_out_runs), database)
    for leg, run_date in page:
        key = (leg.train_id, run_date)
        for travel_class, row in zip(leg.timetable.classes, entries[key], strict=True):
            if row["status"] == WAITLIST:
                waited = waiting.get((runs.get(key), row["class"], quota), 0)
                if waited >= waitlist_limit_of(pools_of_rendered(travel_class), quota):
                    row["status"] = REGRET
                else:
                    row["waitlist_next"] = waited + 1
    return entries, opens


def _after_chart(code: str, travel_class: dict, pools: Pools, quota: str, taken, numbers, key) -> dict:
    """A charted run's entry: the general seats after the chart (every quota's) free for the
    journey, `AVAILABLE` or `CHART_PREPARED`; never RAC or a waitlist."""
    pool = general_after_chart(pools)
    if pool is None and (key, code) not in numbers:
        available = max(0, travel_class["seats"] - taken.get(key, {}).get(code, 0))
    else:
        pool = pool if pool is not None else range(1, travel_class["seats"] + 1)
        available = len(set(pool) - numbers.get((key, code), set()))
    return {
        "class": code,
        "available_seats": available,
        "quota": quota,
        "status": AVAILABLE if available > 0 else CHART_PREPARED,
        "rac_available": 0,
        "waitlist_next": None,
        "charted": True,
    }


def _status_without_waitlist(
    pools: Pools, quota: str, available: int, rac_available: int, run_date: date, code: str, now
) -> str:
    """The entry's status, `WAITLIST` standing for "waitlist or regret" until the queue is counted."""
    if quota != GENERAL_QUOTA and not pools.seats[quota]:
        return REGRET
    if quota == TATKAL and now < tatkal_opens_for(run_date, code):
        return NOT_OPEN
    if available > 0:
        return AVAILABLE
    if rac_available > 0:
        return RAC
    return REGRET if quota in CONFIRMED_ONLY else WAITLIST


def _waitlisted(run_ids: list[int], database) -> dict[tuple, int]:
    """`{(run id, class, quota): passengers waiting}` on these runs."""
    if not run_ids:
        return {}
    with database.cursor() as cursor:
        cursor.execute(statements.waitlisted_passengers(len(run_ids)), run_ids)
        return {(run_id, code, quota): int(seats) for run_id, code, quota, seats in cursor.fetchall()}
