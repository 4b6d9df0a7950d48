"""The refusals of a schema-valid request that are not the schema's to say, as a schemathesis check.

schemathesis's positive_data_acceptance expects every request the schema allows to be accepted.
Some are refused by rules that read the database, the clock or earlier requests, or that compare
fields with each other (JSON Schema can require one field of several, not that two agree): those
are listed here, and `accepts_what_the_schema_allows` is positive_data_acceptance letting them
through. Any other refusal of a schema-valid request is a rule the schema leaves out: a failure.

Registered as a check when imported: tests/fuzz/test_schema_fuzz.py uses it, and so can a run of
schemathesis against a live server:

    SCHEMATHESIS_HOOKS=tests.fuzz.beyond_the_schema .venv/bin/schemathesis run \\
        http://127.0.0.1:8000/api/schema/ -c all --exclude-checks positive_data_acceptance \\
        -H "Authorization: Bearer $TOKEN"
"""

import re

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

# Error codes refused whatever the message:
REFUSED_CODES_BEYOND_THE_SCHEMA = {
    "token_not_valid",  # a well-formed refresh token that was never issued, or is spent
    "idempotency_key_reused",  # the same key sent earlier with another body
    "journey_departed",  # the clock: the train has left the boarding station
    "tatkal_not_open",  # the clock: Tatkal opens the day before the run
    "quota_not_available",  # the database: the class sets no seats aside for that quota
    "quota_not_eligible",  # fields compared: the quota's rule on the passengers' ages and genders
}
# and messages of `validation_error`, each a pattern matched at the start:
BEYOND_THE_SCHEMA = [
    # The database: ids, stations, classes, berths and seats of the trains that exist.
    r"No train with id [1-9][0-9]*\.$",
    r"This train is not in service\.",
    r"'.*' is not a stop of this train",
    r".* does not come after .* on this train's route\.",
    r"Train [0-9]{5} (has several classes|has no class|does not leave)",
    r".* is not a berth type of class",
    r"Class \w+ has seats 1 to [0-9]+\.",
    r"Train number [0-9]{5} is already in use\.",
    r"This train's seats are those of its classes",
    # The clock: the booking window moves with today.
    r"[0-9-]+ is in the past; today is",
    r"Journeys can be planned up to [0-9]+ days ahead",
    r"The travel date is in the past\.",
    r"Bookings open [0-9]+ days before the journey\.",
    # Fields compared with each other.
    r"The destination must differ from the source\.",
    r"seats is [0-9]+ but [0-9]+ passenger\(s\) are listed\.",
    # A route (trains.services.route_errors): stations, times and distances along the stops.
    r".* is already stops\[[0-9]+\]: a train calls at a station once\.",
    r"The first stop has no arrival time",
    r"Every stop after the first needs an arrival time",
    r"The last stop has no departure time",
    r"Every stop before the last needs a departure time",
    r"Arriving at [0-9:]+ and leaving at [0-9:]+ is a halt over midnight",
    r"Arrives [0-9:]+ on day [0-9]+, not after",
    r"The train leaves when it arrives",
    r"Give distance_km on every stop or on none\.",
    r"The first stop is at distance_km 0\.",
    r"Must be more than the previous stop's",
    r"Disagrees with stops, which give",
    # A train's classes and seats (trains.services.classes_with_seats).
    r"\w+ is already classes\[[0-9]+\]: each class appears once\.",
    r"GEN \(general, no coaches\) can only be a train's one class\.",
    r"GEN has no coaches",
    r"Give total_seats: the seats of the GEN class\.",
    r"Give the number of \w+ coaches",
    r"The classes add up to [0-9,]+ seats",
    r"Must be the classes' seats",
    # A class's quotas and RAC berths (trains.pools.config_errors): its layout's berths and seats.
    r"GEN has no quotas",
    r"\w+ has no Tatkal quota\.",
    r"SS seats are lower berths \(LB\)",
    r"RAC berths are side lowers \(SL\)",
    r"The quotas and RAC berths add up to",
    # Booking from a quota (bookings.inventory.quotas): the quota compared with the count, and
    # the seats of the quota's pool on the train that exists.
    r"A Tatkal booking carries at most [0-9]+ passengers\.",
    r"Seat\(s\) .* are not \w+ berths of class",
    # Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) compare the password with
    # the username and a list of common passwords.
    r"This password is (too short|too common|entirely numeric)",
    r"The password is too similar to the",
    # DRF's text fields refuse NUL and lone surrogates, and trim spaces before refusing a blank:
    # a pattern saying so on every string would drown the reference (and JSON Schema can't name
    # a lone surrogate); the schema says `minLength: 1`.
    r"(Null|Surrogate) characters are not allowed\.",
    r"This field may not be blank\.",
]
_BEYOND_THE_SCHEMA = re.compile("|".join(f"(?:{pattern})" for pattern in BEYOND_THE_SCHEMA))


def _messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in _messages(value)]
    if isinstance(errors, list):
        return [message for value in errors for message in _messages(value)]
    return [str(errors)]


def refused_beyond_the_schema(response) -> bool:
    """Whether every reason the server gives for refusing is one the schema can't say."""
    try:
        error = response.json()
    except ValueError:
        return False
    if not isinstance(error, dict):
        return False
    if error.get("code") in REFUSED_CODES_BEYOND_THE_SCHEMA:
        return True
    if error.get("code") != "validation_error":
        return False
    messages = _messages(error.get("fields") or error.get("detail"))
    return bool(messages) and all(_BEYOND_THE_SCHEMA.match(message) for message in messages)


@schemathesis.check
def accepts_what_the_schema_allows(ctx, response, case):
    """schemathesis's positive_data_acceptance, but for the refusals in `BEYOND_THE_SCHEMA`."""
    __tracebackhide__ = True
    try:
        return positive_data_acceptance(ctx, response, case)
    except AssertionError:
        if refused_beyond_the_schema(response):
            return None
        raise
