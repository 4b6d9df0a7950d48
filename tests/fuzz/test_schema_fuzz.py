"""Schema-driven fuzzing: schemathesis generates requests for every operation of /api/schema/.

Valid and invalid input alike must never produce a 5xx, and every answer must be one the schema
documents (status code and body). Run as an operator, so admin operations are reached too, and
as a passenger, so the 403s and "not yours" 404s are exercised. The database is seeded with two
trains, a booking and a hold so that generated ids sometimes hit real objects (ids 1..3 are
likely draws).

Bounded so CI stays fast: `FUZZ_EXAMPLES` examples per operation (default 30).
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import issue_tokens
from bookings import services
from irctc.wsgi import application
from tests.bookings.helpers import tomorrow
from tests.factories import make_train, make_user

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

pytestmark = pytest.mark.slow


@pytest.fixture
def in_test_transaction():
    """Keep the test's database connection across requests, as Django's test client does.

    schemathesis calls the WSGI app directly, and Django's request signals would close the
    connection that holds the test's transaction (on MariaDB, where closing it is real).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db, in_test_transaction):
    """Two small trains, a passenger with a booking and a hold, and an operator."""
    passenger = make_user("fuzz-passenger")
    operator = make_user("fuzz-operator", role="ADMIN")
    small = make_train(total_seats=8, source="Pune", destination="Nagpur")
    make_train(total_seats=4, source="Agra", destination="Jaipur")
    services.book_seats(user=passenger, train=small, travel_date=tomorrow(), seats=2)
    services.hold_seats(user=passenger, train=small, travel_date=tomorrow(), seats=1)
    return {"USER": passenger, "ADMIN": operator}


# Loaded when the module is collected (Django is set up by then; building the schema reads no
# table). schemathesis's fixture-based loader breaks on pytest 9 (it rewrites `node._nodeid`).
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


def _fuzz(case, user) -> None:
    token = issue_tokens(user)["access"]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)
def test_no_input_breaks_the_api_as_an_operator(case, seeded):
    _fuzz(case, seeded["ADMIN"])


@schema.parametrize()
@settings(
    max_examples=max(10, MAX_EXAMPLES // 3),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)
def test_no_input_breaks_the_api_as_a_passenger(case, seeded):
    _fuzz(case, seeded["USER"])


# Regressions for what the first fuzzing run found: answers the schema described wrongly.


@pytest.mark.django_db
def test_the_schema_describes_runs_on_times_and_paginated_lists_as_served(anon):
    document = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    train = document["components"]["schemas"]["Train"]["properties"]

    assert train["runs_on"]["type"] == "array"
    assert train["departure_time"]["pattern"] == "^([01][0-9]|2[0-3]):([0-5][0-9])$"
    for path in ["/api/trains/", "/api/trains/search/"]:
        operation = document["paths"][path]["get"]
        page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert page.startswith("#/components/schemas/Paginated"), path
        assert {"limit", "offset"} <= {parameter["name"] for parameter in operation["parameters"]}, path


@pytest.mark.django_db
def test_the_schema_documents_the_business_conflicts(anon):
    paths = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    for path, method in [
        ("/api/trains/", "post"),
        ("/api/trains/{train_id}/", "put"),
        ("/api/trains/{train_id}/", "patch"),
        ("/api/trains/{train_id}/", "delete"),
        ("/api/bookings/{booking_id}/cancel/", "post"),
        ("/api/holds/{hold_id}/", "delete"),
    ]:
        assert "409" in paths[path][method]["responses"], (method, path)
    # A malformed Idempotency-Key header is a 400, even where there is no body.
    assert "400" in paths["/api/holds/{hold_id}/confirm/"]["post"]["responses"]
    # MongoDB down: the analytics of search logs answer 503.
    for path in ["/api/analytics/top-routes/", "/api/analytics/search-stats/"]:
        assert "503" in paths[path]["get"]["responses"], path
