"""The passenger site's search: the API's search (`selectors.search_trains`, cache included), put
in the order and through the filters the page offers, with the days either side and, when nothing
matches, the stations the passenger may have meant.

The API pages its results by departure; the page shows them all (up to `ALL_RESULTS`) so that
sorting and filtering by departure time apply to every journey of the day, not to one page of it.
"""

import difflib
from datetime import date, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone

from bookings.inventory.quotas import tatkal_opens_for
from bookings.inventory.search_availability import NOT_OPEN
from bookings.selectors import SearchQuery, search_trains
from irctc import fast_json
from trains.pools import GENERAL_QUOTA
from trains.selectors import known_stations

ALL_RESULTS = 100
SORTS = {
    "departure": "Departure",
    "arrival": "Arrival",
    "duration": "Duration",
    "fare": "Fare",
}
# Departure windows, as (label, from, until): a journey leaving at `from` or later, before `until`.
DEPARTURE_WINDOWS = {
    "night": ("00:00 – 06:00", time(0), time(6)),
    "morning": ("06:00 – 12:00", time(6), time(12)),
    "afternoon": ("12:00 – 18:00", time(12), time(18)),
    "evening": ("18:00 – 24:00", time(18), None),
}
SUGGESTIONS = 3


class SearchPage(NamedTuple):
    count: int  # journeys of the route and day, before the departure window
    journeys: list[dict]  # as the API shows them, sorted and filtered
    previous_day: date | None  # None: outside the booking window
    next_day: date | None
    suggestions: dict[str, list[str]]  # {"source" / "destination": names}, when nothing matched


def search_page(
    *, source, destination, travel_date, class_code=None, quota=GENERAL_QUOTA, sort="departure", departs=""
) -> SearchPage:
    count, results = search_trains(
        SearchQuery(
            source=source,
            destination=destination,
            travel_date=travel_date,
            class_code=class_code,
            quota=quota,
            limit=ALL_RESULTS,
        )
    )
    journeys = fast_json.loads(results)
    for journey in journeys:
        _add_tatkal_opening(journey)
    if departs in DEPARTURE_WINDOWS:
        _label, start, until = DEPARTURE_WINDOWS[departs]
        journeys = [
            j for j in journeys if start <= _clock(j["departure"]) and (until is None or _clock(j["departure"]) < until)
        ]
    journeys.sort(key=_SORT_KEYS.get(sort, _SORT_KEYS["departure"]))
    first, last = bookable_dates()
    return SearchPage(
        count=count,
        journeys=journeys,
        previous_day=travel_date - timedelta(days=1) if travel_date and travel_date > first else None,
        next_day=travel_date + timedelta(days=1) if travel_date and travel_date < last else None,
        suggestions=_suggestions(source, destination) if count == 0 else {},
    )


def _add_tatkal_opening(journey: dict) -> None:
    """Each entry whose quota is not open yet gains `opens_at`, the moment it opens: the page says
    "opens 10:00" where the API says `NOT_OPEN`."""
    for option in journey["availability"]:
        if option["status"] == NOT_OPEN:
            option["opens_at"] = tatkal_opens_for(date.fromisoformat(journey["run_date"]), option["class"])


def bookable_dates(today: date | None = None) -> tuple[date, date]:
    """The first and last travel dates search and bookings accept (`TravelDateField`)."""
    today = today or timezone.localdate()
    return today, today + timedelta(days=settings.BOOKING_WINDOW_DAYS)


def _clock(moment: str) -> time:
    return time.fromisoformat(moment[11:16])


def _lowest_fare(journey: dict) -> Decimal:
    fares = [Decimal(option["fare"]) for option in journey["availability"] if option["fare"] is not None]
    return min(fares, default=Decimal("Infinity"))


_SORT_KEYS = {
    "departure": lambda journey: (journey["departure"], journey["train_number"]),
    "arrival": lambda journey: (journey["arrival"], journey["train_number"]),
    "duration": lambda journey: (journey["duration_minutes"], journey["departure"]),
    "fare": lambda journey: (_lowest_fare(journey), journey["departure"]),
}


def _suggestions(source: str, destination: str) -> dict[str, list[str]]:
    """Station names close to what was typed, for each end that names no station trains call at."""
    stations = known_stations()
    names = {name.casefold(): name for _code, name in stations}
    codes = {code: name for code, name in stations if code}
    found = {}
    for field, typed in (("source", source), ("destination", destination)):
        if typed.casefold() in names or typed.upper() in codes:
            continue
        close = difflib.get_close_matches(typed.casefold(), names, n=SUGGESTIONS, cutoff=0.6)
        by_code = difflib.get_close_matches(typed.upper(), codes, n=1, cutoff=0.6)
        suggested = [names[key] for key in close] + [codes[code] for code in by_code]
        if suggested:
            found[field] = list(dict.fromkeys(suggested))[:SUGGESTIONS]
    return found
