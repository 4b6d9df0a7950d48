"""Times every request to the train search and hands its log document to the search log."""

import logging
import re
import time
from datetime import UTC, date, datetime

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import QueryDict

from analytics.log_store import record_search
from trains.models import normalize_station
from trains.stations import station_name

logger = logging.getLogger(__name__)

SEARCH_PATH = "/api/trains/search/"
# The passenger site's search (web.journey_pages.search) is logged the same way.
SEARCH_PATHS = frozenset({SEARCH_PATH, "/search/"})
# A query string is whatever a client typed: keep enough to debug with, never unbounded.
MAX_PARAMS = 20
MAX_PARAM_NAME_CHARS = 64
MAX_PARAM_VALUE_CHARS = 200
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SearchTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in SEARCH_PATHS or not settings.SEARCH_LOG_ENABLED:
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        execution_time_ms = (time.perf_counter() - started) * 1000
        try:
            record_search(search_log_document(request, response, execution_time_ms))
        except Exception:  # noqa: BLE001 - a broken log line must never cost the passenger a search
            logger.exception("Could not log a search")
        return response


def search_log_document(request, response, execution_time_ms: float) -> dict:
    """The `search_logs` document (docs/api.md, Analytics) for one finished request."""
    query = _query(request)
    # DRF puts the user it authenticated on the underlying request, so after the view has run
    # this is the JWT user (or anonymous), not the session's.
    user = getattr(request, "user", None)
    return {
        "endpoint": request.path_info,
        "method": request.method,
        "params": _bounded_params(query),
        "source": _station(query.get("source")),
        "destination": _station(query.get("destination")),
        "travel_date": _iso_date(query.get("date")),
        "user_id": user.pk if user is not None and user.is_authenticated else None,
        "status_code": response.status_code,
        "result_count": _result_count(response),
        "execution_time_ms": round(execution_time_ms, 3),
        "timestamp": datetime.now(UTC),
    }


def _query(request) -> QueryDict:
    try:
        return request.GET
    except SuspiciousOperation:
        # Too many fields: Django has answered 400 already; the attempt is still worth a log line.
        return QueryDict()


def _bounded_params(query) -> dict:
    params = {}
    for name, value in list(query.items())[:MAX_PARAMS]:
        params[_safe_field_name(name[:MAX_PARAM_NAME_CHARS])] = value[:MAX_PARAM_VALUE_CHARS]
    return params


def _safe_field_name(name: str) -> str:
    # MongoDB refuses NUL in field names and reads "." and a leading "$" as paths and operators.
    name = name.replace("\0", "").replace(".", "_")
    return "_" + name[1:] if name.startswith("$") else name


def _station(raw: str | None) -> str | None:
    # A code (NDLS) is logged as the station it names, so a route counts as one however typed.
    station = normalize_station(station_name(raw)) if raw else ""
    return station[:MAX_PARAM_VALUE_CHARS] or None


def _iso_date(raw: str | None) -> str | None:
    if not raw or not ISO_DATE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        return None


def _result_count(response) -> int | None:
    data = getattr(response, "data", None)
    count = data.get("count") if isinstance(data, dict) else getattr(response, "search_result_count", None)
    return count if isinstance(count, int) and not isinstance(count, bool) else None
