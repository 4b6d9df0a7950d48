"""Schema-driven fuzzing: schemathesis generates requests for every operation of /api/schema/ and
runs all of its checks on the answers, so schema and server can't drift apart.

- No input produces a 5xx, and every answer is one the schema documents (status, headers, body).
- A request the schema forbids is refused, and one it allows is accepted: the schema says what
  the server enforces (irctc/schema.py). The few refusals no JSON Schema can express are listed
  in tests/fuzz/beyond_the_schema.py; any other refusal of a schema-valid request is a rule the
  schema leaves out, and fails the test.

Run as an operator, so admin operations are reached too, and as a passenger, so the 403s and
"not yours" 404s are exercised. The database is seeded with two trains, a booking and a hold so
that generated ids sometimes hit real objects (ids 1..3 are likely draws).

Bounded so CI stays fast: `FUZZ_EXAMPLES` examples per operation (default 30) as an operator, a
third of that as a passenger, with a fixed seed, so a run is repeatable (`FUZZ_SEED` draws others).
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, seed, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.services import issue_tokens
from bookings import services
from irctc.wsgi import application
from tests.bookings.helpers import tomorrow
from tests.factories import make_train, make_user
from tests.fuzz import beyond_the_schema  # noqa: F401 - registers `accepts_what_the_schema_allows`

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
SEED = int(os.environ.get("FUZZ_SEED", "27"))

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

# The access token of the user the running test signs in as.
_signed_in = {"token": None}


@schema.auth(refresh_interval=None)
class SignedIn:
    """Sends `_signed_in`'s token as the Bearer auth the schema declares.

    Given as auth rather than as a header of each call, so that schemathesis knows it: its
    negative cases that leave the token out are then sent without one.
    """

    def get(self, case, context):
        return _signed_in["token"]

    def set(self, case, token, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


@pytest.fixture
def signed_in(seeded):
    """Sign in as `_signed_in(role)`; signed out again after the test."""

    def sign_in(role: str) -> None:
        _signed_in["token"] = issue_tokens(seeded[role])["access"]

    yield sign_in
    _signed_in["token"] = None


def _fuzz(case) -> None:
    """Send the case and run every check schemathesis has on the answer.

    positive_data_acceptance gives way to `beyond_the_schema.accepts_what_the_schema_allows`.
    """
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


_FUZZ_SETTINGS = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)


@schema.parametrize()
@seed(SEED)
@settings(max_examples=MAX_EXAMPLES, **_FUZZ_SETTINGS)
def test_the_api_answers_as_its_schema_says_to_an_operator(case, signed_in):
    signed_in("ADMIN")
    _fuzz(case)


@schema.parametrize()
@seed(SEED)
@settings(max_examples=max(10, MAX_EXAMPLES // 3), **_FUZZ_SETTINGS)
def test_the_api_answers_as_its_schema_says_to_a_passenger(case, signed_in):
    signed_in("USER")
    _fuzz(case)


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
