"""Write the Postman collection and environment of the IRCTC API (stdlib only).

    python postman/build_collection.py          # rewrite both JSON files next to this script
    python postman/build_collection.py --check  # exit 1 if the committed files differ from the builder

The JSON is generated rather than kept by hand because Postman scripts can't share functions: every
request repeats the same few lines (status check, 429 back-off, storing ids), and a generator
writes them once. tests/postman/ fails when an endpoint of the API has no request here.

"Run collection" walks the API as a new user would: register -> login -> (admin) create a train ->
search -> book -> my bookings -> cancel -> holds -> analytics, plus the errors worth learning from
(401, 403, 404, 409, 422). Each run registers its own users and creates its own train (random
5-digit number, retried on 409), computes its travel dates, and retires the train at the end, so
it can run again and again against the same server.
"""

import argparse
import json
import re
import sys
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLLECTION_FILE = HERE / "irctc.postman_collection.json"
ENVIRONMENT_FILE = HERE / "irctc.postman_environment.json"

SCHEMA_V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
COLLECTION_ID = "6a0e4f2c-3b7d-4c59-9a8e-1f2d3c4b5a69"
ENVIRONMENT_ID = "b3c1d2e4-5f60-4a7b-8c9d-0e1f2a3b4c5d"

# The demo credentials that `manage.py seed_demo` creates (docs/operations.md, Postman).
DEMO_ADMIN_LOGIN = "admin"
DEMO_ADMIN_PASSWORD = "Rail-Demo-2026!"
USER_PASSWORD = "Postman-demo-pass-1"

# The train every run creates; runs_on leaves out some days so that the date logic shows.
ROUTE_SOURCE = "Pune"
ROUTE_DESTINATION = "Nagpur"
TOTAL_SEATS = 10  # waitlist limit 20% -> 2 seats; the Bookings folder sells the run out on purpose
RUNS_ON = ["MON", "WED", "FRI", "SAT"]


def number(variable: str) -> str:
    """A placeholder that lands in a JSON body unquoted: `"train": {{trainId}}`."""
    return f"<<{variable}>>"


def render_body(body: dict) -> str:
    text = json.dumps(body, indent=2, ensure_ascii=False)
    return re.sub(r'"<<(\w+)>>"', r"{{\1}}", text)


# --- Script snippets ------------------------------------------------------------------------------


def js(*lines: str) -> list[str]:
    return [line for block in lines for line in block.strip("\n").splitlines()]


def expect_status(code: int) -> str:
    return f'pm.test("status is {code}", () => pm.response.to.have.status({code}));'


def expect_error(code: int) -> str:
    return js(
        expect_status(code),
        """
pm.test("error body has a code and a detail", () => {
    const error = pm.response.json();
    pm.expect(error.code).to.be.a("string");
    pm.expect(error.detail).to.be.a("string");
});""",
    )


def store(variable: str, expression: str) -> str:
    return f'pm.collectionVariables.set("{variable}", {expression});'


# Every test script starts with this: a server with the default throttles (10 sign-ins a minute per
# IP) answers 429 with Retry-After; wait that long and send the same request again.
THROTTLE_PREFIX = """
const throttled = pm.response.code === 429 && Number(pm.collectionVariables.get("throttleRetries") || 0) < 3;
if (throttled) {
    const waitSeconds = Number(pm.response.headers.get("Retry-After") || 10);
    pm.collectionVariables.set("throttleRetries", Number(pm.collectionVariables.get("throttleRetries") || 0) + 1);
    console.log(`429 on "${pm.info.requestName}": retrying in ${waitSeconds} s`);
    pm.execution.setNextRequest(pm.info.requestName);
    setTimeout(() => {}, waitSeconds * 1000);
} else {
    pm.collectionVariables.set("throttleRetries", 0);
"""
THROTTLE_SUFFIX = "}"

BOOKING_SHAPE = """
pm.test("booking has the fields of docs/api.md", () => {
    pm.expect(booking).to.include.keys("id", "pnr", "status", "seats", "seat_numbers", "waitlist_position",
        "travel_date", "train", "created_at", "cancelled_at");
    // Version 2 only added fields: the journey, its class, fare and passengers.
    pm.expect(booking).to.include.keys("run_date", "from_station", "to_station", "departure", "arrival", "class",
        "fare", "passengers");
    pm.expect(booking.pnr).to.match(/^[0-9]{10}$/);
    pm.expect(booking.train.id).to.eql(Number(pm.collectionVariables.get("trainId")));
});"""

TRAIN_SHAPE = """
pm.test("train has the fields of docs/api.md", () => {
    pm.expect(train).to.include.keys("id", "train_number", "name", "source", "destination", "departure_time",
        "arrival_time", "arrival_day_offset", "total_seats", "runs_on", "superfast", "stops", "classes");
    pm.expect(train.train_number).to.match(/^[0-9]{5}$/);
});"""

PAGE_SHAPE = """
pm.test("a page of {count, next, previous, results}", () => {
    pm.expect(page).to.include.keys("count", "next", "previous", "results");
    pm.expect(page.results).to.be.an("array");
});"""

FIND_OUR_TRAIN = """
const ourTrain = page.results.find((t) => t.id === Number(pm.collectionVariables.get("trainId")));"""


def new_train_number(variable: str) -> str:
    """Pre-request: a fresh random 5-digit number; counts attempts so a 409 retry stops after 5."""
    return f"""
// A random 5-digit number per attempt; the test script retries this request on 409 (number taken).
pm.collectionVariables.set("{variable}", String(Math.floor(10000 + Math.random() * 90000)));
pm.collectionVariables.set("createAttempts", Number(pm.collectionVariables.get("createAttempts") || 0) + 1);"""


def retry_on_taken_number(then: str) -> str:
    return f"""
if (pm.response.code === 409 && Number(pm.collectionVariables.get("createAttempts")) < 5) {{
    console.log("train number taken, trying another one");
    pm.execution.setNextRequest(pm.info.requestName);
}} else {{
    pm.collectionVariables.set("createAttempts", 0);
{then}
}}"""


# Runs before every request: the travel dates of the train this run created, computed once after it
# exists (the create request clears them): the first day from tomorrow on (Asia/Kolkata, the API's
# zone) on which it runs, its next run after that, and a day it doesn't run.
COLLECTION_PRE_REQUEST = """
const runsOn = JSON.parse(pm.collectionVariables.get("trainRunsOn") || "[]");
if (runsOn.length && !pm.collectionVariables.get("travelDate")) {
    const weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    const nowInKolkata = Date.now() + 330 * 60 * 1000; // UTC+05:30 all year round
    const runDates = [];
    const offDates = [];
    for (let daysAhead = 1; daysAhead <= 14; daysAhead++) {
        const day = new Date(nowInKolkata + daysAhead * 86400000); // read with getUTC*: Kolkata's date
        (runsOn.includes(weekdays[day.getUTCDay()]) ? runDates : offDates).push(day.toISOString().slice(0, 10));
    }
    pm.collectionVariables.set("travelDate", runDates[0]);
    pm.collectionVariables.set("travelDate2", runDates[1]);
    pm.collectionVariables.set("offDate", offDates[0] || runDates[0]);
}"""


# --- Requests -------------------------------------------------------------------------------------

AUTH = {
    "user": None,  # inherits the collection's Bearer {{access}}
    "admin": {"type": "bearer", "bearer": [{"key": "token", "value": "{{adminAccess}}", "type": "string"}]},
    "other": {"type": "bearer", "bearer": [{"key": "token", "value": "{{otherAccess}}", "type": "string"}]},
    "none": {"type": "noauth"},
}


def request(
    name: str,
    method: str,
    path: str,
    *,
    tests: list[str] | str,
    auth: str = "user",
    body: dict | None = None,
    query: dict | None = None,
    headers: dict | None = None,
    pre: str | None = None,
    doc: str = "",
) -> dict:
    segments = path.strip("/").split("/")
    url = {
        "raw": "{{baseUrl}}" + path,
        "host": ["{{baseUrl}}"],
        # The trailing "" keeps the slash most paths of the API end with (not a file's, `ticket.pdf`).
        "path": [*segments, ""] if path.endswith("/") else segments,
    }
    if query:
        url["raw"] += "?" + "&".join(f"{key}={value}" for key, value in query.items())
        url["query"] = [{"key": key, "value": value} for key, value in query.items()]
    header = [{"key": key, "value": value} for key, value in (headers or {}).items()]
    item_request = {"method": method, "header": header, "url": url}
    if body is not None:
        header.insert(0, {"key": "Content-Type", "value": "application/json"})
        item_request["body"] = {"mode": "raw", "raw": render_body(body), "options": {"raw": {"language": "json"}}}
    if AUTH[auth] is not None:
        item_request["auth"] = AUTH[auth]
    if doc:
        item_request["description"] = doc
    test_lines = js(THROTTLE_PREFIX, *([tests] if isinstance(tests, str) else tests), THROTTLE_SUFFIX)
    events = [{"listen": "test", "script": {"type": "text/javascript", "exec": test_lines}}]
    if pre:
        events.insert(0, {"listen": "prerequest", "script": {"type": "text/javascript", "exec": js(pre)}})
    return {"name": name, "event": events, "request": item_request}


def folder(name: str, description: str, items: list[dict]) -> dict:
    return {"name": name, "description": description, "item": items}


def train_body(train_number: str, *, name: str) -> dict:
    return {
        "train_number": train_number,
        "name": name,
        "source": ROUTE_SOURCE,
        "destination": ROUTE_DESTINATION,
        "departure_time": "21:15",
        "arrival_time": "11:40",
        "arrival_day_offset": 1,
        "total_seats": TOTAL_SEATS,
        "runs_on": RUNS_ON,
    }


def auth_folder() -> dict:
    signed_in = """
const body = pm.response.json();
pm.test("answers {user, access, refresh}", () => {
    pm.expect(body.user).to.include.keys("id", "username", "email", "role");
    pm.expect(body.access).to.be.a("string");
    pm.expect(body.refresh).to.be.a("string");
});"""
    keep_tokens = js(store("access", "body.access"), store("refresh", "body.refresh"))
    return folder(
        "Auth",
        "Register a passenger, sign in, rotate and revoke refresh tokens, and sign in as the demo admin.",
        [
            request(
                "Register",
                "POST",
                "/api/auth/register/",
                auth="none",
                pre="""
// A new passenger per run, so the collection can run again against the same server.
const username = `pm_${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
pm.collectionVariables.set("username", username);
pm.collectionVariables.set("email", `${username}@example.com`);""",
                body={"username": "{{username}}", "email": "{{email}}", "password": "{{userPassword}}"},
                tests=[
                    expect_status(201),
                    signed_in,
                    'pm.test("public registration makes a USER", () => pm.expect(body.user.role).to.eql("USER"));',
                    *keep_tokens,
                    store("userId", "body.user.id"),
                ],
                doc="Creates a `USER` and signs it in: 201 `{user, access, refresh}`.",
            ),
            request(
                "Register a taken email -> 409",
                "POST",
                "/api/auth/register/",
                auth="none",
                body={"username": "{{username}}_again", "email": "{{email}}", "password": "{{userPassword}}"},
                tests=[
                    *expect_error(409),
                    'pm.test("names the field", () => pm.expect(pm.response.text()).to.include("email"));',
                ],
            ),
            request(
                "Register a second passenger (alias /api/register/)",
                "POST",
                "/api/register/",
                auth="none",
                body={"username": "{{username}}_b", "email": "b_{{email}}", "password": "{{userPassword}}"},
                tests=[expect_status(201), signed_in, store("otherAccess", "body.access")],
                doc="`/api/register/` is an alias of `/api/auth/register/`. This second passenger is the "
                "'someone else' of the 404 and 409 examples later on.",
            ),
            request(
                "Login with email",
                "POST",
                "/api/auth/login/",
                auth="none",
                body={"email": "{{email}}", "password": "{{userPassword}}"},
                tests=[expect_status(200), signed_in, *keep_tokens],
                doc="Sign in with `email` or `username`, and the password.",
            ),
            request(
                "Login with a wrong password -> 401",
                "POST",
                "/api/auth/login/",
                auth="none",
                body={"email": "{{email}}", "password": "not-the-password"},
                tests=expect_error(401),
            ),
            request(
                "Me",
                "GET",
                "/api/auth/me/",
                tests=[
                    expect_status(200),
                    """
const user = pm.response.json();
pm.test("it's the passenger who signed in", () => {
    pm.expect(user.username).to.eql(pm.collectionVariables.get("username"));
    pm.expect(user.role).to.eql("USER");
});""",
                ],
                doc="Every endpoint but register, login, refresh and health needs `Authorization: Bearer <access>`. "
                "The collection sends `{{access}}` unless a request says otherwise.",
            ),
            request("Me without a token -> 401", "GET", "/api/auth/me/", auth="none", tests=expect_error(401)),
            request(
                "Refresh the access token",
                "POST",
                "/api/auth/token/refresh/",
                auth="none",
                body={"refresh": "{{refresh}}"},
                tests=[
                    expect_status(200),
                    """
const body = pm.response.json();
pm.test("a new pair: refresh tokens rotate", () => {
    pm.expect(body.access).to.be.a("string");
    pm.expect(body.refresh).to.be.a("string").and.not.eql(pm.collectionVariables.get("refresh"));
});""",
                    store("usedRefresh", 'pm.collectionVariables.get("refresh")'),
                    store("access", "body.access"),
                    store("refresh", "body.refresh"),
                ],
            ),
            request(
                "Refresh with a rotated token -> 401",
                "POST",
                "/api/auth/token/refresh/",
                auth="none",
                body={"refresh": "{{usedRefresh}}"},
                tests=expect_error(401),
                doc="Rotation blacklists the old refresh token.",
            ),
            request(
                "Logout",
                "POST",
                "/api/auth/logout/",
                body={"refresh": "{{refresh}}"},
                tests=expect_status(205),
                doc="205; the refresh token sent no longer works (the access token lives until it expires).",
            ),
            request(
                "Refresh after logout -> 401",
                "POST",
                "/api/auth/token/refresh/",
                auth="none",
                body={"refresh": "{{refresh}}"},
                tests=expect_error(401),
            ),
            request(
                "Login with username (alias /api/login/)",
                "POST",
                "/api/login/",
                auth="none",
                body={"username": "{{username}}", "password": "{{userPassword}}"},
                tests=[expect_status(200), signed_in, *keep_tokens],
            ),
            request(
                "Login as the demo admin",
                "POST",
                "/api/auth/login/",
                auth="none",
                body={"username": "{{adminLogin}}", "password": "{{adminPassword}}"},
                tests=[
                    """
pm.test("status is 200 (else set adminLogin/adminPassword in the environment to what seed_demo printed)",
    () => pm.response.to.have.status(200));""",
                    """
const body = pm.response.json();
pm.test("an ADMIN", () => pm.expect(body.user.role).to.eql("ADMIN"));""",
                    store("adminAccess", "body.access"),
                ],
                doc="The operator account of `manage.py seed_demo` (or one made with `createsuperuser`). "
                "Its token is kept in `{{adminAccess}}` for the ADMIN-only requests.",
            ),
        ],
    )


def trains_folder() -> dict:
    created = (
        """
const train = pm.response.json();
pm.test("status is 201", () => pm.response.to.have.status(201));"""
        + TRAIN_SHAPE
    )
    keep_train = """
    pm.collectionVariables.set("trainId", train.id);
    pm.collectionVariables.set("trainRunsOn", JSON.stringify(train.runs_on));
    pm.collectionVariables.unset("travelDate"); // recomputed for this train before the next request"""
    search_query = {"source": f"  {ROUTE_SOURCE.lower()} ", "destination": ROUTE_DESTINATION.upper()}
    return folder(
        "Trains",
        "An ADMIN creates and edits trains; anyone signed in lists, searches and looks at a run's seats.",
        [
            request(
                "Create a train as a USER -> 403",
                "POST",
                "/api/trains/",
                body=train_body("12951", name="Not allowed"),
                tests=expect_error(403),
            ),
            request(
                "Create a train (ADMIN)",
                "POST",
                "/api/trains/",
                auth="admin",
                pre=new_train_number("trainNumber"),
                body=train_body("{{trainNumber}}", name="Deccan Postman Express"),
                tests=retry_on_taken_number(created + keep_train),
                doc="201 `train`. `runs_on` defaults to every day; this one skips some days, and the collection's "
                "pre-request script picks travel dates on which it runs.",
            ),
            request(
                "Create a train with a taken number -> 409",
                "POST",
                "/api/trains/",
                auth="admin",
                body=train_body("{{trainNumber}}", name="Same number again"),
                tests=expect_error(409),
            ),
            request(
                "List trains",
                "GET",
                "/api/trains/",
                query={"limit": "20", "offset": "0"},
                tests=[expect_status(200), "const page = pm.response.json();", PAGE_SHAPE],
            ),
            request(
                "Get a train",
                "GET",
                "/api/trains/{{trainId}}/",
                tests=[
                    expect_status(200),
                    "const train = pm.response.json();",
                    TRAIN_SHAPE,
                    """
pm.test("it's the train this run created", () => {
    pm.expect(train.train_number).to.eql(pm.collectionVariables.get("trainNumber"));
    pm.expect(train.runs_on).to.eql(JSON.parse(pm.collectionVariables.get("trainRunsOn")));
});
pm.test("a train made the version-1 way: two stops and one GEN class of total_seats", () => {
    pm.expect(train.stops.map((stop) => stop.station)).to.eql([train.source, train.destination]);
    pm.expect(train.stops.map((stop) => stop.distance_km)).to.eql([null, null]);
    pm.expect(train.classes).to.eql([{code: "GEN", coaches: null, seats: train.total_seats, fare_per_km: null,
        quotas: {TQ: 0, SS: 0, LD: 0}, rac_berths: 0}]);
});""",
                ],
            ),
            request(
                "Rename a train (PATCH, ADMIN)",
                "PATCH",
                "/api/trains/{{trainId}}/",
                auth="admin",
                body={"name": "Deccan Postman Mail"},
                tests=[
                    expect_status(200),
                    'pm.test("renamed", () => pm.expect(pm.response.json().name).to.eql("Deccan Postman Mail"));',
                ],
            ),
            request(
                "Replace a train (PUT, ADMIN)",
                "PUT",
                "/api/trains/{{trainId}}/",
                auth="admin",
                body=train_body("{{trainNumber}}", name="Deccan Postman Express"),
                tests=[
                    expect_status(200),
                    "const train = pm.response.json();",
                    TRAIN_SHAPE,
                    'pm.test("every field replaced", () => pm.expect(train.name).to.eql("Deccan Postman Express"));',
                ],
            ),
            request(
                "Search trains by route and date",
                "GET",
                "/api/trains/search/",
                query={**search_query, "date": "{{travelDate}}", "limit": "100"},
                tests=[
                    expect_status(200),
                    "const page = pm.response.json();",
                    PAGE_SHAPE,
                    FIND_OUR_TRAIN,
                    """
pm.test("finds this run's train, with the seats of that run", () => {
    pm.expect(ourTrain, "train not in the results").to.be.an("object");
    pm.expect(ourTrain.travel_date).to.eql(pm.collectionVariables.get("travelDate"));
    pm.expect(ourTrain.available_seats).to.eql(ourTrain.total_seats);
});
pm.test("ordered by departure time", () => {
    const times = page.results.map((t) => t.departure_time);
    pm.expect(times).to.eql([...times].sort());
});""",
                ],
                doc="`source` and `destination` match case-insensitively, surrounding spaces ignored. With `date`, "
                "only trains running that day, each with `travel_date` and `available_seats`.",
            ),
            request(
                "Search trains without a date",
                "GET",
                "/api/trains/search/",
                query={**search_query, "limit": "100"},
                tests=[
                    expect_status(200),
                    "const page = pm.response.json();",
                    PAGE_SHAPE,
                    FIND_OUR_TRAIN,
                    """
pm.test("seats are those of the train's next run", () => {
    pm.expect(ourTrain, "train not in the results").to.be.an("object");
    pm.expect(ourTrain.available_seats).to.be.a("number");
});""",
                ],
            ),
            request(
                "Search on a day the train doesn't run",
                "GET",
                "/api/trains/search/",
                query={**search_query, "date": "{{offDate}}", "limit": "100"},
                tests=[
                    expect_status(200),
                    "const page = pm.response.json();",
                    FIND_OUR_TRAIN,
                    'pm.test("this run\'s train is not listed", () => pm.expect(ourTrain).to.be.undefined);',
                ],
            ),
            request(
                "Search without a destination -> 400",
                "GET",
                "/api/trains/search/",
                query={"source": ROUTE_SOURCE},
                tests=[
                    *expect_error(400),
                    'pm.test("names the field", () => pm.expect(pm.response.text()).to.include("destination"));',
                ],
            ),
            request(
                "Seat map of a run",
                "GET",
                "/api/trains/{{trainId}}/seats/",
                query={"date": "{{travelDate}}"},
                tests=[
                    expect_status(200),
                    """
const seats = pm.response.json();
pm.test("every seat is free before the first booking", () => {
    pm.expect(seats).to.include.keys("train", "travel_date", "total_seats", "available_seats", "free_seat_numbers");
    pm.expect(seats.available_seats).to.eql(seats.total_seats);
    pm.expect(seats.free_seat_numbers).to.have.lengthOf(seats.total_seats);
});""",
                ],
            ),
        ],
    )


def booking_request(name: str, *, seats: int, tests, date: str = "travelDate", waitlist: bool = False, **kwargs):
    body = {"train": number("trainId"), "travel_date": "{{" + date + "}}", "seats": seats, "allow_waitlist": waitlist}
    return request(name, "POST", "/api/bookings/", body=body, tests=tests, **kwargs)


def bookings_folder() -> dict:
    booked = "const booking = pm.response.json();" + BOOKING_SHAPE
    rest = TOTAL_SEATS - 4
    return folder(
        "Bookings",
        f"Book, list, cancel. The train has {TOTAL_SEATS} seats a run: the folder sells the first run out, "
        "joins its waitlist and watches a cancellation promote it.",
        [
            booking_request("Book without a token -> 401", seats=1, auth="none", tests=expect_error(401)),
            booking_request(
                "Book seats",
                seats=4,
                tests=[
                    expect_status(201),
                    booked,
                    f"""
pm.test("confirmed, with 4 seat numbers", () => {{
    pm.expect(booking.status).to.eql("CONFIRMED");
    pm.expect(booking.seat_numbers).to.have.lengthOf(4);
    pm.expect(booking.waitlist_position).to.be.null;
    pm.expect(booking.travel_date).to.eql(pm.collectionVariables.get("travelDate"));
}});
pm.test("a version-1 booking covers the whole route in GEN, with unnamed confirmed passengers and no fare", () => {{
    pm.expect([booking.from_station, booking.to_station]).to.eql(["{ROUTE_SOURCE}", "{ROUTE_DESTINATION}"]);
    pm.expect(booking.class).to.eql("GEN");
    pm.expect(booking.run_date).to.eql(booking.travel_date);
    pm.expect(booking.passengers).to.have.lengthOf(4);
    booking.passengers.forEach((passenger) => {{
        pm.expect(passenger.name).to.be.null;
        pm.expect(passenger.current_status).to.eql({{status: "CNF", position: null}});
    }});
    pm.expect(booking.fare).to.be.null;
}});""",
                    store("bookingId", "booking.id"),
                    store("pnr", "booking.pnr"),
                ],
                doc="`{train, travel_date, seats (1..6), allow_waitlist}` -> 201 `booking`. `travel_date` must be a "
                "day the train runs, from today up to 60 days ahead.",
            ),
            request(
                "My bookings",
                "GET",
                "/api/bookings/my/",
                tests=[
                    expect_status(200),
                    "const page = pm.response.json();",
                    PAGE_SHAPE,
                    """
pm.test("newest first: the booking just made", () => {
    pm.expect(page.results[0].id).to.eql(Number(pm.collectionVariables.get("bookingId")));
});""",
                ],
            ),
            request(
                "Get a booking",
                "GET",
                "/api/bookings/{{bookingId}}/",
                tests=[
                    expect_status(200),
                    booked,
                    'pm.test("same PNR", () => pm.expect(booking.pnr).to.eql(pm.collectionVariables.get("pnr")));',
                ],
            ),
            request(
                "Someone else's booking -> 404",
                "GET",
                "/api/bookings/{{bookingId}}/",
                auth="other",
                tests=expect_error(404),
                doc="Another passenger's booking is 'not found', never 403: its existence is not disclosed.",
            ),
            request(
                "Download the e-ticket (PDF)",
                "GET",
                "/api/bookings/{{bookingId}}/ticket.pdf",
                tests=[
                    expect_status(200),
                    """
pm.test("a PDF, named after the PNR", () => {
    pm.expect(pm.response.headers.get("Content-Type")).to.eql("application/pdf");
    pm.expect(pm.response.text().startsWith("%PDF-")).to.be.true;
    pm.expect(pm.response.headers.get("Content-Disposition")).to.include(pm.collectionVariables.get("pnr"));
});""",
                ],
                doc="The e-ticket to keep or print: the journey, each passenger's coach, berth and status, the "
                "fare, and the PNR as a QR code. For the booking's owner or an ADMIN.",
            ),
            request(
                "Someone else's e-ticket -> 404",
                "GET",
                "/api/bookings/{{bookingId}}/ticket.pdf",
                auth="other",
                tests=expect_error(404),
            ),
            booking_request(
                "Book on a day the train doesn't run -> 400",
                seats=1,
                date="offDate",
                tests=[
                    *expect_error(400),
                    'pm.test("names the field", () => pm.expect(pm.response.text()).to.include("travel_date"));',
                ],
            ),
            booking_request(
                "Book more than 6 seats -> 400",
                seats=7,
                tests=[
                    *expect_error(400),
                    'pm.test("names the field", () => pm.expect(pm.response.text()).to.include("seats"));',
                ],
            ),
            booking_request(
                "Book the rest of the run",
                seats=rest,
                tests=[
                    expect_status(201),
                    booked,
                    'pm.test("confirmed", () => pm.expect(booking.status).to.eql("CONFIRMED"));',
                ],
            ),
            booking_request("Book on a sold-out run -> 409", seats=1, tests=expect_error(409)),
            booking_request(
                "Join the waitlist",
                seats=1,
                waitlist=True,
                tests=[
                    expect_status(201),
                    booked,
                    """
pm.test("waitlisted, first in line, no seat yet", () => {
    pm.expect(booking.status).to.eql("WAITLISTED");
    pm.expect(booking.waitlist_position).to.eql(1);
    pm.expect(booking.seat_numbers).to.eql([]);
});""",
                    store("waitlistedBookingId", "booking.id"),
                ],
                doc="With `allow_waitlist: true` a sold-out run still takes the booking as `WAITLISTED`, "
                "up to WAITLIST_PERCENT (20%) of its seats.",
            ),
            booking_request("Join a full waitlist -> 409", seats=2, waitlist=True, tests=expect_error(409)),
            request(
                "Lower total_seats below the seats sold -> 409",
                "PATCH",
                "/api/trains/{{trainId}}/",
                auth="admin",
                body={"total_seats": 5},
                tests=expect_error(409),
            ),
            request(
                "Delete a train with active bookings -> 409",
                "DELETE",
                "/api/trains/{{trainId}}/",
                auth="admin",
                tests=expect_error(409),
            ),
            request(
                "What cancelling would refund",
                "GET",
                "/api/bookings/{{bookingId}}/refund/",
                tests=[
                    expect_status(200),
                    """
const refund = pm.response.json();
pm.collectionVariables.set("quotedRefund", refund.amount);
pm.test("a refund quote: amount and charge in rupees, the passengers it covers", () => {
    pm.expect(refund).to.have.all.keys("amount", "charge", "passengers");
    // This train has no fares: nothing to charge, nothing to give back.
    pm.expect([refund.amount, refund.charge]).to.eql(["0.00", "0.00"]);
    pm.expect(refund.passengers).to.not.be.empty;
});""",
                ],
                doc="The refund a cancellation of every passenger (or of `passengers=1,3`) would make now, "
                "by the railway's charges; nothing is cancelled.",
            ),
            request(
                "Cancel a booking",
                "POST",
                "/api/bookings/{{bookingId}}/cancel/",
                tests=[
                    expect_status(200),
                    booked,
                    """
pm.test("cancelled, seats freed", () => {
    pm.expect(booking.status).to.eql("CANCELLED");
    pm.expect(booking.cancelled_at).to.be.a("string");
    pm.expect(booking.seat_numbers).to.eql([]);
});
pm.test("refunded as quoted", () => {
    pm.expect(booking.refund.amount).to.eql(pm.collectionVariables.get("quotedRefund"));
});""",
                ],
            ),
            request(
                "Cancel it again -> 409",
                "POST",
                "/api/bookings/{{bookingId}}/cancel/",
                tests=expect_error(409),
            ),
            request(
                "The waitlisted booking was promoted",
                "GET",
                "/api/bookings/{{waitlistedBookingId}}/",
                tests=[
                    expect_status(200),
                    booked,
                    """
pm.test("confirmed by the cancellation, with a seat", () => {
    pm.expect(booking.status).to.eql("CONFIRMED");
    pm.expect(booking.waitlist_position).to.be.null;
    pm.expect(booking.seat_numbers).to.have.lengthOf(1);
});""",
                ],
            ),
            booking_request(
                "Book with an Idempotency-Key",
                seats=1,
                date="travelDate2",
                pre="""
// A client makes one key per booking it means to make, and sends it again on a retry.
pm.collectionVariables.set("idempotencyKey", `pm-${Date.now()}-${Math.floor(Math.random() * 1e6)}`);""",
                headers={"Idempotency-Key": "{{idempotencyKey}}"},
                tests=[expect_status(201), booked, store("idempotentBookingId", "booking.id")],
                doc="The same user repeating the same `Idempotency-Key` gets the first response again and nothing "
                "new is created: safe retries after a timeout.",
            ),
            booking_request(
                "Replay the same Idempotency-Key",
                seats=1,
                date="travelDate2",
                headers={"Idempotency-Key": "{{idempotencyKey}}"},
                tests=[
                    expect_status(201),
                    booked,
                    """
pm.test("the first booking again, not a new one", () => {
    pm.expect(booking.id).to.eql(Number(pm.collectionVariables.get("idempotentBookingId")));
});""",
                ],
            ),
            booking_request(
                "Reuse an Idempotency-Key with another body -> 422",
                seats=2,
                date="travelDate2",
                headers={"Idempotency-Key": "{{idempotencyKey}}"},
                tests=expect_error(422),
            ),
            request(
                "All bookings of a run (ADMIN)",
                "GET",
                "/api/bookings/",
                auth="admin",
                query={"train": "{{trainId}}", "travel_date": "{{travelDate}}", "status": "CONFIRMED", "limit": "100"},
                tests=[
                    expect_status(200),
                    "const page = pm.response.json();",
                    PAGE_SHAPE,
                    """
pm.test("only the confirmed bookings of this run: the rest and the promoted one", () => {
    pm.expect(page.count).to.eql(2);
    page.results.forEach((booking) => {
        pm.expect(booking.train.id).to.eql(Number(pm.collectionVariables.get("trainId")));
        pm.expect(booking.travel_date).to.eql(pm.collectionVariables.get("travelDate"));
        pm.expect(booking.status).to.eql("CONFIRMED");
    });
});""",
                ],
                doc="Every user's bookings, filtered by `train`, `travel_date` and `status`.",
            ),
            request("All bookings as a USER -> 403", "GET", "/api/bookings/", tests=expect_error(403)),
        ],
    )


def holds_folder() -> dict:
    seat_map = """
const seats = pm.response.json();
pm.test("status is 200", () => pm.response.to.have.status(200));"""
    return folder(
        "Holds",
        "Hold chosen seats while paying, then confirm the hold into a booking, or release it. "
        "Uses the train's second run (travelDate2).",
        [
            request(
                "Seat map before holding",
                "GET",
                "/api/trains/{{trainId}}/seats/",
                query={"date": "{{travelDate2}}"},
                tests=[
                    seat_map,
                    """
pm.test("one seat sold (the idempotent booking)", () => {
    pm.expect(seats.available_seats).to.eql(seats.total_seats - 1);
});
// Pick two free seats to hold by number, as a seat-map screen would.
pm.collectionVariables.set("heldSeats", JSON.stringify(seats.free_seat_numbers.slice(0, 2)));""",
                ],
            ),
            request(
                "Hold chosen seats",
                "POST",
                "/api/holds/",
                body={
                    "train": number("trainId"),
                    "travel_date": "{{travelDate2}}",
                    "seat_numbers": number("heldSeats"),
                },
                tests=[
                    expect_status(201),
                    """
const hold = pm.response.json();
pm.test("holds those seats until expires_at", () => {
    pm.expect(hold).to.include.keys("id", "train", "travel_date", "seat_numbers", "expires_at");
    pm.expect(hold.seat_numbers).to.eql(JSON.parse(pm.collectionVariables.get("heldSeats")));
    pm.expect(new Date(hold.expires_at).getTime()).to.be.above(Date.now());
});
pm.collectionVariables.set("holdId", hold.id);""",
                ],
                doc="`{train, travel_date, seat_numbers}` or `{train, travel_date, seats}` -> 201. The hold lasts "
                "HOLD_SECONDS (180 s); an expired hold frees its seats by itself, and confirming it is 410.",
            ),
            request(
                "Hold seats someone else holds -> 409",
                "POST",
                "/api/holds/",
                auth="other",
                body={
                    "train": number("trainId"),
                    "travel_date": "{{travelDate2}}",
                    "seat_numbers": number("heldSeats"),
                },
                tests=expect_error(409),
            ),
            request(
                "Confirm a hold",
                "POST",
                "/api/holds/{{holdId}}/confirm/",
                tests=[
                    expect_status(201),
                    "const booking = pm.response.json();",
                    BOOKING_SHAPE,
                    """
pm.test("a confirmed booking of the held seats", () => {
    pm.expect(booking.status).to.eql("CONFIRMED");
    pm.expect(booking.seat_numbers).to.eql(JSON.parse(pm.collectionVariables.get("heldSeats")));
});""",
                ],
            ),
            request(
                "Hold any free seats",
                "POST",
                "/api/holds/",
                body={"train": number("trainId"), "travel_date": "{{travelDate2}}", "seats": 2},
                tests=[
                    expect_status(201),
                    """
const hold = pm.response.json();
pm.test("the server picked 2 seats", () => pm.expect(hold.seat_numbers).to.have.lengthOf(2));
pm.collectionVariables.set("spareHoldId", hold.id);""",
                ],
            ),
            request("Release a hold", "DELETE", "/api/holds/{{spareHoldId}}/", tests=expect_status(204)),
            request(
                "Seat map after confirming and releasing",
                "GET",
                "/api/trains/{{trainId}}/seats/",
                query={"date": "{{travelDate2}}"},
                tests=[
                    seat_map,
                    """
pm.test("the confirmed hold's seats are sold, the released ones free again", () => {
    pm.expect(seats.available_seats).to.eql(seats.total_seats - 3);
    JSON.parse(pm.collectionVariables.get("heldSeats")).forEach((seat) => {
        pm.expect(seats.free_seat_numbers).to.not.include(seat);
    });
});""",
                ],
            ),
        ],
    )


# --- Journeys (version 2): stops, classes, segment-wise seats, passengers, fares, PNR status -----

# The train the Journeys folder creates: four stops, the last two after midnight (day_offset 1),
# and two classes with fares. Each stop is (station, arrives, departs, day_offset, km).
JOURNEY_STOPS = [
    ("Pune Junction", None, "22:00", 0, 0),
    ("Daund Junction", "23:05", "23:10", 0, 76),
    ("Solapur", "02:05", "02:10", 1, 264),
    ("Kalaburagi", "04:00", None, 1, 376),
]
JOURNEY_CLASSES = {"SL": (1, "0.45", 72), "3A": (1, "1.20", 64)}  # code: (coaches, fare_per_km, seats)
FIRST_STOP, SECOND_STOP, THIRD_STOP, LAST_STOP = (stop[0] for stop in JOURNEY_STOPS)
FAMILY = [
    {"name": "Asha Rao", "age": 34, "gender": "F", "berth_preference": "SU"},
    {"name": "Vikram Rao", "age": 67, "gender": "M", "berth_preference": None},
]


# The charges of docs/api.md ("Fares") for the journey train's classes; it is superfast.
RESERVATION_CHARGE = {"SL": 20, "3A": 40}
SUPERFAST_CHARGE = {"SL": 30, "3A": 45}
GST_CLASSES = {"3A"}


# Tatkal's charge: 30% of the base fare, within these bounds by class.
TATKAL_BOUNDS = {"SL": (100, 200), "3A": (300, 400)}


def fare_breakdown(code: str, fare_per_km: str, km: int, quota: str = "GN") -> dict:
    """A passenger's `fare_breakdown` on a superfast train, worked out here as docs/api.md says, not
    by the server's code: the base fare (fare_per_km x distance, half up to the rupee), the
    reservation and superfast charges, Tatkal's (quota TQ), 5% GST in AC classes, the total up to
    a multiple of 5."""
    base = (Decimal(fare_per_km) * km).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    tatkal = Decimal(0)
    if quota == "TQ":
        low, high = TATKAL_BOUNDS[code]
        tatkal = min(max((base * Decimal("0.30")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), low), high)
    charged = base + RESERVATION_CHARGE[code] + SUPERFAST_CHARGE[code] + tatkal
    gst = (charged * Decimal("0.05")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if code in GST_CLASSES else 0
    total = ((charged + gst) / 5).to_integral_value(rounding=ROUND_CEILING) * 5
    amounts = (base, RESERVATION_CHARGE[code], SUPERFAST_CHARGE[code], tatkal, gst, total)
    return {name: f"{Decimal(amount):.2f}" for name, amount in zip(FARE_PARTS, amounts, strict=True)}


def journey_fare_breakdown(code: str, from_station: str, to_station: str) -> dict:
    """A passenger's `fare_breakdown` on the journey train, in the general quota."""
    km = {station: distance for station, *_, distance in JOURNEY_STOPS}
    return fare_breakdown(code, JOURNEY_CLASSES[code][1], km[to_station] - km[from_station])


FARE_PARTS = ("base", "reservation", "superfast", "tatkal", "gst", "total")


def journey_fare(code: str, from_station: str, to_station: str, passengers: int = 1) -> str:
    """A booking's fare: each passenger's total, times the passengers."""
    return str(int(Decimal(journey_fare_breakdown(code, from_station, to_station)["total"])) * passengers)


def superfast_train_body(train_number: str, name: str, stops: list[tuple], classes: list[dict]) -> dict:
    """A train with `stops` as `(station, arrives, departs, day_offset, km)` and its `classes`."""
    return {
        "train_number": train_number,
        "name": name,
        "superfast": True,
        "stops": [
            {
                "station": station,
                "arrival_time": arrives,
                "departure_time": departs,
                "day_offset": day,
                "distance_km": km,
            }
            for station, arrives, departs, day, km in stops
        ],
        "classes": classes,
    }


def journey_train_body(train_number: str) -> dict:
    classes = [
        {"code": code, "coaches": coaches, "fare_per_km": fare_per_km}
        for code, (coaches, fare_per_km, _) in JOURNEY_CLASSES.items()
    ]
    return superfast_train_body(train_number, "Hutatma Postman Express", JOURNEY_STOPS, classes)


def journey_booking_request(name: str, *, body: dict, tests, **kwargs) -> dict:
    body = {"train": number("journeyTrainId"), "travel_date": "{{journeyDate}}", **body}
    return request(name, "POST", "/api/bookings/", body=body, tests=tests, **kwargs)


def journey_seat_map(name: str, *, from_station: str, to_station: str, date: str, code: str, tests: str) -> dict:
    return request(
        name,
        "GET",
        "/api/trains/{{journeyTrainId}}/seats/",
        query={"date": "{{" + date + "}}", "from": from_station, "to": to_station, "class": code},
        tests=[
            expect_status(200),
            f"""
const seats = pm.response.json();
pm.test("the seats of {code}, {from_station} -> {to_station}", () => {{
    pm.expect(seats).to.include({{class: "{code}", from_station: "{from_station}", to_station: "{to_station}",
        travel_date: pm.collectionVariables.get("{date}"), total_seats: {JOURNEY_CLASSES[code][2]}}});
    pm.expect(seats.free_berths.map((berth) => berth.seat_number)).to.eql(seats.free_seat_numbers);
    pm.expect(seats.available_seats).to.eql(seats.free_seat_numbers.length);
}});
const journeySeat = Number(pm.collectionVariables.get("journeySeat"));""",
            tests,
        ],
    )


JOURNEY_BOOKING = """
const booking = pm.response.json();
pm.test("a booking of the journey train", () => {
    pm.expect(booking.pnr).to.match(/^[0-9]{10}$/);
    pm.expect(booking.train.id).to.eql(Number(pm.collectionVariables.get("journeyTrainId")));
});"""


def expect_journey(from_station: str, to_station: str, code: str, fare: str) -> str:
    return f"""
pm.test("confirmed {from_station} -> {to_station} in {code}, fare {fare}", () => {{
    pm.expect(booking.status).to.eql("CONFIRMED");
    pm.expect(booking).to.include({{from_station: "{from_station}", to_station: "{to_station}", class: "{code}",
        fare: "{fare}"}});
}});"""


def journeys_folder() -> dict:
    created = (
        """
const train = pm.response.json();
pm.test("status is 201", () => pm.response.to.have.status(201));"""
        + TRAIN_SHAPE
        + f"""
pm.test("the route's ends come from its stops; total_seats is the classes' sum", () => {{
    pm.expect(train).to.include({{source: "{FIRST_STOP}", destination: "{LAST_STOP}", departure_time: "22:00",
        arrival_time: "04:00", arrival_day_offset: 1, total_seats: {sum(c[2] for c in JOURNEY_CLASSES.values())}}});
    pm.expect(train.stops.map((stop) => stop.station)).to.eql({json.dumps([s[0] for s in JOURNEY_STOPS])});
    const seats = Object.fromEntries(train.classes.map((travelClass) => [travelClass.code, travelClass.seats]));
    pm.expect(seats).to.eql({json.dumps({code: c[2] for code, c in JOURNEY_CLASSES.items()})});
}});
pm.collectionVariables.set("journeyTrainId", train.id);
// It runs every day: its first run from tomorrow (Asia/Kolkata), and the day after, when that run
// leaves {THIRD_STOP} (day_offset 1).
const tomorrow = new Date(Date.now() + 330 * 60 * 1000 + 86400000);
pm.collectionVariables.set("journeyDate", tomorrow.toISOString().slice(0, 10));
pm.collectionVariables.set("journeyNextDate", new Date(tomorrow.getTime() + 86400000).toISOString().slice(0, 10));"""
    )
    intermediate_search = {"source": f" {SECOND_STOP.lower()}", "destination": THIRD_STOP.upper()}
    family_fare = journey_fare("3A", SECOND_STOP, LAST_STOP, passengers=len(FAMILY))
    return folder(
        "Journeys",
        "Version 2: a train with four stops and two classes (SL, 3A) with fares. Search between intermediate "
        "stops, a seat map per class, one seat sold twice on one run for journeys that don't overlap, named "
        "passengers with berth preferences, PNR status without a token, and a hold with passengers.",
        [
            request(
                "Create a train with stops and classes (ADMIN)",
                "POST",
                "/api/trains/",
                auth="admin",
                pre=new_train_number("journeyTrainNumber"),
                body=journey_train_body("{{journeyTrainNumber}}"),
                tests=retry_on_taken_number(created),
                doc="`stops` in order (`arrival_time` null at the first, `departure_time` null at the last, "
                "`day_offset` the day it leaves the stop counted from the origin date, `distance_km` from 0) and "
                "`classes` (`code`, `coaches`, `fare_per_km`); `source`, `destination`, times and `total_seats` "
                "are derived.",
            ),
            request(
                "Search an intermediate journey",
                "GET",
                "/api/trains/search/",
                query={**intermediate_search, "date": "{{journeyDate}}", "limit": "100"},
                tests=[
                    expect_status(200),
                    "const page = pm.response.json();",
                    PAGE_SHAPE,
                    """
const ourTrain = page.results.find((t) => t.id === Number(pm.collectionVariables.get("journeyTrainId")));""",
                    f"""
pm.test("found between two intermediate stops, spelled as the train spells them", () => {{
    pm.expect(ourTrain, "train not in the results").to.be.an("object");
    pm.expect(ourTrain).to.include({{from_station: "{SECOND_STOP}", to_station: "{THIRD_STOP}", distance_km: 188,
        travel_date: pm.collectionVariables.get("journeyDate"), run_date: pm.collectionVariables.get("journeyDate")}});
    pm.expect(ourTrain.departure).to.eql(`${{pm.collectionVariables.get("journeyDate")}}T23:10:00+05:30`);
    pm.expect(ourTrain.arrival).to.eql(`${{pm.collectionVariables.get("journeyNextDate")}}T02:05:00+05:30`);
    pm.expect(ourTrain.duration_minutes).to.eql(175);
}});
pm.test("availability and the fare per passenger in each class, with its charges", () => {{
    const byClass = Object.fromEntries(ourTrain.availability.map((option) => [option.class, option]));
    pm.expect(byClass.SL).to.eql({{class: "SL", available_seats: 72, fare: "{journey_fare("SL", SECOND_STOP, THIRD_STOP)}",
        fare_breakdown: {json.dumps(journey_fare_breakdown("SL", SECOND_STOP, THIRD_STOP))},
        quota: "GN", status: "AVAILABLE", rac_available: 0, waitlist_next: null, charted: false}});
    pm.expect(byClass["3A"]).to.eql({{class: "3A", available_seats: 64, fare: "{journey_fare("3A", SECOND_STOP, THIRD_STOP)}",
        fare_breakdown: {json.dumps(journey_fare_breakdown("3A", SECOND_STOP, THIRD_STOP))},
        quota: "GN", status: "AVAILABLE", rac_available: 0, waitlist_next: null, charted: false}});
    pm.expect(ourTrain.available_seats).to.eql(136);
    pm.expect(ourTrain.superfast).to.be.true;
}});""",
                ],
                doc="Any two stops of a train, in order. `date` is the travel date: the day the train leaves "
                "`source`. Each result adds `from_station`, `to_station`, `travel_date`, `run_date`, `departure`, "
                "`arrival`, `duration_minutes`, `distance_km` and `availability` `[{class, available_seats, fare, "
                "fare_breakdown, quota, status, rac_available, waitlist_next, charted}]` for the `quota` asked (default GN): "
                "`fare` is each passenger's total, `fare_breakdown` its base fare and charges, `status` AVAILABLE, RAC "
                "(`rac_available` places), WAITLIST (with `waitlist_next`), REGRET, NOT_OPEN or CHART_PREPARED; `charted` "
                "once the run's chart is prepared.",
            ),
            request(
                "Search a journey that starts after midnight",
                "GET",
                "/api/trains/search/",
                query={"source": THIRD_STOP, "destination": LAST_STOP, "date": "{{journeyNextDate}}", "class": "3A"},
                tests=[
                    expect_status(200),
                    "const page = pm.response.json();",
                    """
const ourTrain = page.results.find((t) => t.id === Number(pm.collectionVariables.get("journeyTrainId")));
pm.test("travel_date is the day it leaves the stop; run_date the day it left its origin", () => {
    pm.expect(ourTrain, "train not in the results").to.be.an("object");
    pm.expect(ourTrain.travel_date).to.eql(pm.collectionVariables.get("journeyNextDate"));
    pm.expect(ourTrain.run_date).to.eql(pm.collectionVariables.get("journeyDate"));
});
pm.test("class=3A keeps only trains with 3A", () => {
    page.results.forEach((t) => pm.expect(t.availability.map((option) => option.class)).to.include("3A"));
});""",
                ],
            ),
            request(
                "Stations autocomplete",
                "GET",
                "/api/stations/",
                query={"q": "daund"},
                tests=[
                    expect_status(200),
                    f"""
const stations = pm.response.json();
pm.test("stations whose name contains q, at most 20, most served first", () => {{
    pm.expect(stations).to.be.an("array").that.is.not.empty;
    pm.expect(stations.length).to.be.at.most(20);
    stations.forEach((station) => pm.expect(station.name.toLowerCase()).to.include("daund"));
    const trains = stations.map((station) => station.trains);
    pm.expect(trains).to.eql([...trains].sort((a, b) => b - a));
}});
pm.test("lists this run's intermediate stop", () => {{
    const ours = stations.find((station) => station.name === "{SECOND_STOP}");
    pm.expect(ours, "station not listed").to.be.an("object");
    pm.expect(ours.trains).to.be.at.least(1);
}});""",
                ],
                doc="`?q=` -> `[{name, trains}]`, case-insensitive substring, most served first, at most 20.",
            ),
            journey_seat_map(
                "Seat map of a class",
                from_station=FIRST_STOP,
                to_station=SECOND_STOP,
                date="journeyDate",
                code="SL",
                tests="""
pm.test("every berth free, with coach, berth and berth type", () => {
    pm.expect(seats.available_seats).to.eql(72);
    pm.expect(seats.free_berths[0]).to.eql({seat_number: 1, coach: "S1", berth: 1, berth_type: "LB", quota: "GN", rac: false});
    pm.expect(seats.free_berths[6]).to.eql({seat_number: 7, coach: "S1", berth: 7, berth_type: "SL", quota: "GN", rac: false});
});""",
            ),
            request(
                "Seat map without a class on a multi-class train -> 400",
                "GET",
                "/api/trains/{{journeyTrainId}}/seats/",
                query={"date": "{{journeyDate}}"},
                tests=[
                    *expect_error(400),
                    'pm.test("names the field", () => pm.expect(pm.response.text()).to.include("class"));',
                ],
            ),
            journey_booking_request(
                "Book the first leg (A -> B)",
                body={"from_station": FIRST_STOP, "to_station": SECOND_STOP, "class": "SL", "seats": 1},
                tests=[
                    expect_status(201),
                    JOURNEY_BOOKING,
                    expect_journey(FIRST_STOP, SECOND_STOP, "SL", journey_fare("SL", FIRST_STOP, SECOND_STOP)),
                    store("journeySeat", "booking.seat_numbers[0]"),
                ],
                doc="`from_station`/`to_station` (default: the first/last stop) and `class` (required when the train "
                "has several); `travel_date` is the day the train leaves `from_station`.",
            ),
            journey_booking_request(
                "Book the next leg on the same seat (B -> C)",
                body={"from_station": SECOND_STOP, "to_station": THIRD_STOP, "class": "SL", "seats": 1},
                tests=[
                    expect_status(201),
                    JOURNEY_BOOKING,
                    expect_journey(SECOND_STOP, THIRD_STOP, "SL", journey_fare("SL", SECOND_STOP, THIRD_STOP)),
                    """
pm.test("the seat the first leg left free at its last stop is sold again", () => {
    pm.expect(booking.seat_numbers).to.eql([Number(pm.collectionVariables.get("journeySeat"))]);
    pm.expect(booking.run_date).to.eql(pm.collectionVariables.get("journeyDate"));
});""",
                ],
                doc="Seats are sold per segment: this journey shares no segment with the first leg, so it gets the "
                "same seat number on the same run.",
            ),
            journey_seat_map(
                "Seat map across both legs",
                from_station=FIRST_STOP,
                to_station=THIRD_STOP,
                date="journeyDate",
                code="SL",
                tests="""
pm.test("the seat is taken on the way from A to C", () => {
    pm.expect(seats.free_seat_numbers).to.not.include(journeySeat);
    pm.expect(seats.available_seats).to.eql(71);
});""",
            ),
            journey_seat_map(
                "Seat map after the second leg",
                from_station=THIRD_STOP,
                to_station=LAST_STOP,
                date="journeyNextDate",
                code="SL",
                tests="""
pm.test("the same seat is free again from C on (the run's travel date at C is the next day)", () => {
    pm.expect(seats.free_seat_numbers).to.include(journeySeat);
    pm.expect(seats.run_date).to.eql(pm.collectionVariables.get("journeyDate"));
    pm.expect(seats.available_seats).to.eql(72);
});""",
            ),
            journey_booking_request(
                "Book two named passengers in 3A",
                body={"from_station": SECOND_STOP, "to_station": LAST_STOP, "class": "3A", "passengers": FAMILY},
                tests=[
                    expect_status(201),
                    JOURNEY_BOOKING,
                    expect_journey(SECOND_STOP, LAST_STOP, "3A", family_fare),
                    """
pm.test("each passenger has a seat: the preferred berth type, a lower berth for the senior", () => {
    const [asha, vikram] = booking.passengers;
    pm.expect(asha).to.include({name: "Asha Rao", age: 34, gender: "F", berth_preference: "SU", coach: "B1",
        berth_type: "SU"});
    pm.expect(vikram).to.include({name: "Vikram Rao", berth_preference: null, coach: "B1", berth_type: "LB"});
    pm.expect(booking.seats).to.eql(2);
    pm.expect(booking.seat_numbers).to.eql([asha.seat_number, vikram.seat_number].sort((a, b) => a - b));
});""",
                    f"""
pm.test("each passenger pays the fare with its charges; the booking, their sum", () => {{
    booking.passengers.forEach((passenger) => pm.expect(passenger).to.deep.include({{
        fare: "{journey_fare("3A", SECOND_STOP, LAST_STOP)}",
        fare_breakdown: {json.dumps(journey_fare_breakdown("3A", SECOND_STOP, LAST_STOP))}}}));
    pm.expect(booking.fare).to.eql("{family_fare}");
}});""",
                    store("familyPnr", "booking.pnr"),
                ],
                doc="`passengers`: 1..6 `{name, age, gender (M/F/T), berth_preference}` instead of `seats`. A "
                "preference is met when such a berth is free for the journey; a passenger aged 60+ without one "
                "gets a lower berth. Each passenger has a `fare` and its `fare_breakdown`; the booking's `fare` "
                "is their sum.",
            ),
            request(
                "PNR status without a token",
                "GET",
                "/api/pnr/{{familyPnr}}/",
                auth="none",
                tests=[
                    expect_status(200),
                    f"""
const status = pm.response.json();
pm.test("the journey and each passenger's berth", () => {{
    pm.expect(status).to.include({{pnr: pm.collectionVariables.get("familyPnr"), status: "CONFIRMED", class: "3A",
        from_station: "{SECOND_STOP}", to_station: "{LAST_STOP}", travel_date: pm.collectionVariables.get("journeyDate")}});
    pm.expect(status.train.train_number).to.eql(pm.collectionVariables.get("journeyTrainNumber"));
    pm.expect(status.passengers.map((passenger) => passenger.number)).to.eql([1, 2]);
    status.passengers.forEach((passenger) => {{
        pm.expect(passenger).to.include({{status: "CONFIRMED", coach: "B1"}});
        pm.expect(passenger.berth_type).to.be.oneOf(["SU", "LB"]);
    }});
}});
pm.test("the booking's fare and each passenger's, with its charges", () => {{
    pm.expect(status.fare).to.eql("{family_fare}");
    status.passengers.forEach((passenger) => pm.expect(passenger).to.deep.include({{
        fare: "{journey_fare("3A", SECOND_STOP, LAST_STOP)}",
        fare_breakdown: {json.dumps(journey_fare_breakdown("3A", SECOND_STOP, LAST_STOP))}}}));
}});
pm.test("no names, ages or user", () => {{
    const text = pm.response.text();
    {" ".join(f'pm.expect(text).to.not.include("{p["name"].split()[0]}");' for p in FAMILY)}
    status.passengers.forEach((passenger) => pm.expect(passenger).to.not.have.any.keys("name", "age", "gender"));
    pm.expect(status).to.not.have.any.keys("user", "id");
}});""",
                ],
                doc="Anyone with the PNR, no token: the journey and each passenger's status and berth, never names.",
            ),
            request(
                "PNR status of an unknown PNR -> 404",
                "GET",
                "/api/pnr/{{unknownPnr}}/",
                auth="none",
                pre='pm.collectionVariables.set("unknownPnr", "0000000000"); // PNRs are random 10-digit strings',
                tests=expect_error(404),
            ),
            journey_booking_request(
                "Book without a class on a multi-class train -> 400",
                body={"from_station": SECOND_STOP, "to_station": THIRD_STOP, "seats": 1},
                tests=[
                    *expect_error(400),
                    'pm.test("names the field", () => pm.expect(pm.response.json().fields).to.have.property("class"));',
                ],
            ),
            journey_booking_request(
                "Book stations out of order -> 400",
                body={"from_station": THIRD_STOP, "to_station": SECOND_STOP, "class": "SL", "seats": 1},
                tests=[
                    *expect_error(400),
                    """
pm.test("names the station field", () => {
    pm.expect(Object.keys(pm.response.json().fields)).to.satisfy((fields) =>
        fields.includes("from_station") || fields.includes("to_station"));
});""",
                ],
            ),
            request(
                "Hold seats for named passengers",
                "POST",
                "/api/holds/",
                body={
                    "train": number("journeyTrainId"),
                    "travel_date": "{{journeyDate}}",
                    "from_station": SECOND_STOP,
                    "to_station": THIRD_STOP,
                    "class": "3A",
                    "passengers": [{"name": "Meera Iyer", "age": 29, "gender": "F", "berth_preference": "UB"}],
                },
                tests=[
                    expect_status(201),
                    f"""
const hold = pm.response.json();
pm.test("holds an upper berth in 3A for that journey", () => {{
    pm.expect(hold).to.include({{class: "3A", from_station: "{SECOND_STOP}", to_station: "{THIRD_STOP}"}});
    pm.expect(hold.seat_numbers).to.have.lengthOf(1);
    pm.expect(hold.berths[0]).to.include({{seat_number: hold.seat_numbers[0], coach: "B1", berth_type: "UB"}});
    pm.expect(new Date(hold.expires_at).getTime()).to.be.above(Date.now());
}});
pm.collectionVariables.set("journeyHoldId", hold.id);
pm.collectionVariables.set("journeyHeldSeat", hold.seat_numbers[0]);""",
                ],
                doc="`passengers` instead of `seats` or `seat_numbers`; confirming keeps them on the booking.",
            ),
            request(
                "Confirm the passengers' hold",
                "POST",
                "/api/holds/{{journeyHoldId}}/confirm/",
                tests=[
                    expect_status(201),
                    JOURNEY_BOOKING,
                    expect_journey(SECOND_STOP, THIRD_STOP, "3A", journey_fare("3A", SECOND_STOP, THIRD_STOP)),
                    """
pm.test("the held berth, with its passenger", () => {
    const heldSeat = Number(pm.collectionVariables.get("journeyHeldSeat"));
    pm.expect(booking.seat_numbers).to.eql([heldSeat]);
    pm.expect(booking.passengers).to.have.lengthOf(1);
    pm.expect(booking.passengers[0]).to.include({name: "Meera Iyer", seat_number: heldSeat, berth_type: "UB"});
});""",
                ],
            ),
        ],
    )


# Analytics runs after Journeys, whose 3A bookings are still active then (Cleanup cancels them).
JOURNEY_3A_REVENUE = int(journey_fare("3A", SECOND_STOP, LAST_STOP, len(FAMILY))) + int(
    journey_fare("3A", SECOND_STOP, THIRD_STOP)
)
BY_CLASS_TESTS = f"""
pm.test("by_class: bookings, seats sold and revenue per class (Journeys sold SL and 3A)", () => {{
    stats.by_class.forEach((row) => pm.expect(row).to.include.keys("class", "bookings", "seats_sold", "revenue"));
    const byClass = Object.fromEntries(stats.by_class.map((row) => [row.class, row]));
    pm.expect(byClass.SL.seats_sold).to.be.at.least(2);
    pm.expect(byClass["3A"].seats_sold).to.be.at.least(3);
    pm.expect(Number(byClass["3A"].revenue)).to.be.at.least({JOURNEY_3A_REVENUE});
    pm.expect(byClass.GEN.seats_sold).to.be.at.least(1);
}});"""


# The train the Quotas folder creates: superfast, both classes with seats set aside for Tatkal (TQ),
# senior citizens (SS) and ladies (LD), and side lowers sold as RAC. (station, arrives, departs, day, km)
QUOTA_STOPS = [
    ("Panvel", None, "23:30", 0, 0),
    ("Ratnagiri", "05:10", "05:15", 1, 280),
    ("Madgaon", "10:40", None, 1, 530),
]
QUOTA_CLASSES = {
    "3A": {"coaches": 1, "fare_per_km": "1.20", "quotas": {"TQ": 8, "SS": 4, "LD": 2}, "rac_berths": 2},
    "SL": {"coaches": 1, "fare_per_km": "0.45", "quotas": {"TQ": 12, "SS": 6, "LD": 6}, "rac_berths": 7},
    # 48 berths with all but two set aside or sold as RAC: two general berths, then RAC at once.
    "2A": {"coaches": 1, "fare_per_km": "1.75", "quotas": {"TQ": 20, "SS": 16, "LD": 4}, "rac_berths": 6},
}
QUOTA_FIRST, QUOTA_LAST = QUOTA_STOPS[0][0], QUOTA_STOPS[-1][0]
TATKAL_FAMILY = [{"name": "Kiran Das", "age": 41, "gender": "M"}, {"name": "Lata Das", "age": 38, "gender": "F"}]


def quota_fare_breakdown(code: str, quota: str) -> dict:
    """A passenger's `fare_breakdown` on the quota train, end to end."""
    return fare_breakdown(code, QUOTA_CLASSES[code]["fare_per_km"], QUOTA_STOPS[-1][-1], quota)


def quota_train_body(train_number: str) -> dict:
    classes = [{"code": code, **fields} for code, fields in QUOTA_CLASSES.items()]
    return superfast_train_body(train_number, "Konkan Postman Express", QUOTA_STOPS, classes)


def quota_booking_request(name: str, *, body: dict, tests, **kwargs) -> dict:
    body = {"train": number("quotaTrainId"), "travel_date": "{{quotaDate}}", **body}
    return request(name, "POST", "/api/bookings/", body=body, tests=tests, **kwargs)


def quotas_folder() -> dict:
    created = (
        """
const train = pm.response.json();
pm.test("status is 201", () => pm.response.to.have.status(201));"""
        + TRAIN_SHAPE
        + f"""
pm.test("each class keeps the seats it sets aside and its RAC berths", () => {{
    const byCode = Object.fromEntries(train.classes.map((c) => [c.code, {{quotas: c.quotas, rac_berths: c.rac_berths}}]));
    pm.expect(byCode).to.eql({json.dumps({code: {"quotas": c["quotas"], "rac_berths": c["rac_berths"]} for code, c in QUOTA_CLASSES.items()})});
}});
pm.collectionVariables.set("quotaTrainId", train.id);
// It runs every day: tomorrow's run (Asia/Kolkata), whose Tatkal opens today at 10:00 (3A).
const tomorrow = new Date(Date.now() + 330 * 60 * 1000 + 86400000);
pm.collectionVariables.set("quotaDate", tomorrow.toISOString().slice(0, 10));"""
    )
    tatkal_3a = quota_fare_breakdown("3A", "TQ")
    tatkal_fare = str(int(Decimal(tatkal_3a["total"])) * len(TATKAL_FAMILY))
    return folder(
        "Quotas",
        "Version 3: a superfast train whose classes set seats aside for Tatkal (TQ), senior citizens (SS) and "
        "ladies (LD) and sell side lowers as RAC. Search in the Tatkal quota (its status and its fare with the "
        "Tatkal charge), the seat map of the Tatkal berths, a Tatkal booking (confirmed once the window is open, "
        "else refused with the opening moment), a senior citizens' booking refused for a passenger too young, "
        "a ladies' booking, and, once a class's berths are gone, two passengers on RAC sharing a side-lower berth.",
        [
            request(
                "Create a train with quotas and RAC berths (ADMIN)",
                "POST",
                "/api/trains/",
                auth="admin",
                pre=new_train_number("quotaTrainNumber"),
                body=quota_train_body("{{quotaTrainNumber}}"),
                tests=retry_on_taken_number(created),
                doc="Each class takes `quotas` ({TQ, SS, LD}: seats set aside, default 0) and `rac_berths` (side "
                "lowers sold as two RAC places each); the rest of the class is the general quota (GN).",
            ),
            request(
                "Search in the Tatkal quota",
                "GET",
                "/api/trains/search/",
                query={
                    "source": QUOTA_FIRST,
                    "destination": QUOTA_LAST,
                    "date": "{{quotaDate}}",
                    "quota": "TQ",
                    "limit": "100",
                },
                tests=[
                    expect_status(200),
                    "const page = pm.response.json();",
                    PAGE_SHAPE,
                    """
const ourTrain = page.results.find((t) => t.id === Number(pm.collectionVariables.get("quotaTrainId")));
const ac = ourTrain && ourTrain.availability.find((entry) => entry.class === "3A");""",
                    f"""
pm.test("3A in the Tatkal quota: open (its 8 berths) or not yet, and its fare with the Tatkal charge", () => {{
    pm.expect(ac, "3A not in the results").to.be.an("object");
    pm.expect(ac.quota).to.eql("TQ");
    pm.expect(["AVAILABLE", "NOT_OPEN"]).to.include(ac.status);
    if (ac.status === "AVAILABLE") pm.expect(ac.available_seats).to.eql(8);
    pm.expect(ac.fare_breakdown).to.eql({json.dumps(tatkal_3a)});
    pm.expect(ac.fare).to.eql("{int(Decimal(tatkal_3a["total"]))}");
}});
// Tatkal for tomorrow's run opens today at 10:00 India time: the booking below expects what this says.
pm.collectionVariables.set("tatkalStatus", ac ? ac.status : "");""",
                ],
                doc="`quota` (default GN) picks whose seats, status and fares each class shows: `status` is "
                "AVAILABLE, RAC, WAITLIST (with `waitlist_next`), REGRET or NOT_OPEN (Tatkal before it opens).",
            ),
            request(
                "Seat map of the Tatkal berths",
                "GET",
                "/api/trains/{{quotaTrainId}}/seats/",
                query={"date": "{{quotaDate}}", "class": "3A", "quota": "TQ"},
                tests=[
                    expect_status(200),
                    """
const seats = pm.response.json();
pm.test("only the 8 Tatkal berths, none of them RAC", () => {
    pm.expect(seats.quota).to.eql("TQ");
    pm.expect(seats.free_berths).to.have.lengthOf(8);
    pm.expect(seats.free_berths.every((berth) => berth.quota === "TQ" && berth.rac === false)).to.be.true;
});""",
                ],
            ),
            quota_booking_request(
                "Book two passengers on Tatkal",
                body={"class": "3A", "quota": "TQ", "passengers": TATKAL_FAMILY},
                tests=[
                    f"""
if (pm.collectionVariables.get("tatkalStatus") === "NOT_OPEN") {{
    pm.test("before 10:00 India time: 400 tatkal_not_open, naming the opening", () => {{
        pm.response.to.have.status(400);
        pm.expect(pm.response.json().code).to.eql("tatkal_not_open");
        pm.expect(pm.response.json().detail).to.include("10:00");
    }});
}} else {{
    const booking = pm.response.json();
    pm.test("confirmed on Tatkal berths, each paying the Tatkal charge", () => {{
        pm.response.to.have.status(201);
        pm.expect(booking).to.include({{status: "CONFIRMED", quota: "TQ", class: "3A", fare: "{tatkal_fare}"}});
    }});
}}""",
                ],
                doc="Tatkal opens the day before the run at 10:00 (2A, 3A, CC) or 11:00 (SL, 2S), India time; before "
                "that a booking is refused with `tatkal_not_open`. At most 4 passengers, each paying the Tatkal charge.",
            ),
            quota_booking_request(
                "Senior citizens' quota refuses a passenger too young",
                body={"class": "SL", "quota": "SS", "passengers": [{"name": "Ravi Rao", "age": 52, "gender": "M"}]},
                tests=[
                    *expect_error(400),
                    """
pm.test("quota_not_eligible, naming the passenger", () => {
    const error = pm.response.json();
    pm.expect(error.code).to.eql("quota_not_eligible");
    pm.expect(error.fields).to.have.property("passengers[0]");
});""",
                ],
                doc="SS: at most 2 passengers, men aged 60 or more and women aged 45 or more; LD: women only.",
            ),
            quota_booking_request(
                "Book on the ladies' quota",
                body={
                    "class": "SL",
                    "quota": "LD",
                    "passengers": [
                        {"name": "Meera Shah", "age": 30, "gender": "F"},
                        {"name": "Nisha Shah", "age": 27, "gender": "F"},
                    ],
                },
                tests=[
                    expect_status(201),
                    """
const booking = pm.response.json();
pm.test("confirmed on the ladies' quota", () => {
    pm.expect(booking).to.include({status: "CONFIRMED", quota: "LD", class: "SL", seats: 2});
});""",
                ],
            ),
            quota_booking_request(
                "Book the last two general berths of 2A",
                body={"class": "2A", "seats": 2},
                tests=[
                    expect_status(201),
                    'pm.test("confirmed", () => pm.expect(pm.response.json().status).to.eql("CONFIRMED"));',
                ],
                doc="2A keeps two general (GN) berths; everything else is set aside or sold as RAC.",
            ),
            request(
                "Search: 2A offers RAC now",
                "GET",
                "/api/trains/search/",
                query={"source": QUOTA_FIRST, "destination": QUOTA_LAST, "date": "{{quotaDate}}", "class": "2A"},
                tests=[
                    expect_status(200),
                    """
const ourTrain = pm.response.json().results.find((t) => t.id === Number(pm.collectionVariables.get("quotaTrainId")));
pm.test("no berth free, the 12 RAC places of its 6 side lowers are", () => {
    const entry = ourTrain.availability.find((a) => a.class === "2A");
    pm.expect(entry).to.include({quota: "GN", status: "RAC", available_seats: 0, rac_available: 12});
});""",
                ],
            ),
            quota_booking_request(
                "Book two passengers on RAC",
                body={
                    "class": "2A",
                    "allow_waitlist": True,
                    "passengers": [
                        {"name": "Ravi Rao", "age": 40, "gender": "M"},
                        {"name": "Meera Rao", "age": 38, "gender": "F"},
                    ],
                },
                tests=[
                    expect_status(201),
                    """
const booking = pm.response.json();
pm.test("RAC 1 and RAC 2, sharing one side-lower berth", () => {
    pm.expect(booking.status).to.eql("RAC");
    pm.expect(booking.passengers.map((p) => p.current_status)).to.eql(
        [{status: "RAC", position: 1}, {status: "RAC", position: 2}]);
    pm.expect(booking.passengers.map((p) => p.booking_status)).to.eql(
        booking.passengers.map((p) => p.current_status));
    const [first, second] = booking.passengers;
    pm.expect(first.berth_type).to.eql("SL");
    pm.expect([second.coach, second.berth]).to.eql([first.coach, first.berth]);
});
pm.collectionVariables.set("racPnr", booking.pnr);""",
                ],
                doc="With `allow_waitlist`, passengers are confirmed while berths last, then get RAC places "
                "(two per side-lower berth), then the waitlist; each has `booking_status` and `current_status`.",
            ),
            request(
                "PNR status of the RAC booking",
                "GET",
                "/api/pnr/{{racPnr}}/",
                auth="none",
                tests=[
                    expect_status(200),
                    """
pm.test("each traveller's status as booked and now, no names", () => {
    const status = pm.response.json();
    pm.expect(status.passengers.map((p) => p.current_status.status)).to.eql(["RAC", "RAC"]);
    pm.expect(status.passengers[0]).to.not.have.property("name");
});""",
                ],
            ),
        ],
    )


def analytics_folder() -> dict:
    return folder(
        "Analytics",
        "ADMIN-only statistics: every search is logged to MongoDB (`search_logs`).",
        [
            request(
                "Top routes as a USER -> 403",
                "GET",
                "/api/analytics/top-routes/",
                query={"limit": "5"},
                tests=expect_error(403),
            ),
            request(
                "Top routes",
                "GET",
                "/api/analytics/top-routes/",
                auth="admin",
                query={"limit": "5", "days": "7"},
                tests=[
                    expect_status(200),
                    f"""
const routes = pm.response.json();
pm.test("[{{source, destination, search_count}}], most searched first", () => {{
    pm.expect(routes).to.be.an("array");
    routes.forEach((route) => pm.expect(route).to.include.keys("source", "destination", "search_count"));
    const counts = routes.map((route) => route.search_count);
    pm.expect(counts).to.eql([...counts].sort((a, b) => b - a));
}});
pm.test("this run's searches count as one route, whatever their case and spaces", () => {{
    const ours = routes.find((route) =>
        route.source.trim().toLowerCase() === "{ROUTE_SOURCE.lower()}" &&
        route.destination.trim().toLowerCase() === "{ROUTE_DESTINATION.lower()}");
    if (routes.length < 5) pm.expect(ours, "route not in the top routes").to.be.an("object");
    if (ours) pm.expect(ours.search_count).to.be.at.least(3);
}});""",
                ],
                doc="`?limit=5&days=` -> `[{source, destination, search_count}]`; `[]` when nothing was searched.",
            ),
            request(
                "Search statistics",
                "GET",
                "/api/analytics/search-stats/",
                auth="admin",
                query={"days": "7"},
                tests=[
                    expect_status(200),
                    """
const stats = pm.response.json();
pm.test("counts and latency percentiles", () => {
    pm.expect(stats).to.include.keys("searches", "p50_ms", "p95_ms", "p99_ms", "by_day");
    pm.expect(stats.searches).to.be.at.least(4);
    pm.expect(stats.by_day).to.be.an("array");
});""",
                ],
            ),
            request(
                "Booking statistics",
                "GET",
                "/api/analytics/bookings/",
                auth="admin",
                tests=[
                    expect_status(200),
                    """
const stats = pm.response.json();
pm.test("bookings by status, seats sold and the top trains", () => {
    pm.expect(stats).to.include.keys("bookings", "confirmed", "rac", "waitlisted", "cancelled", "seats_sold", "top_trains");
    pm.expect(stats.bookings).to.be.at.least(5);
    pm.expect(stats.cancelled).to.be.at.least(1);
    pm.expect(stats.top_trains).to.be.an("array");
});""",
                    BY_CLASS_TESTS,
                ],
            ),
        ],
    )


def operations_folder() -> dict:
    return folder(
        "Operations",
        "Health check and the API's own description; no token needed.",
        [
            request(
                "Health",
                "GET",
                "/api/health/",
                auth="none",
                tests=[
                    expect_status(200),
                    """
pm.test("database and MongoDB are up", () => {
    pm.expect(pm.response.json()).to.include({database: "ok", mongo: "ok"});
});""",
                ],
                doc="200 `{database, mongo}`; 503 naming what is down.",
            ),
            request(
                "OpenAPI schema",
                "GET",
                "/api/schema/",
                auth="none",
                query={"format": "json"},
                tests=[
                    expect_status(200),
                    """
pm.test("an OpenAPI 3 document", () => {
    const schema = pm.response.json();
    pm.expect(schema.openapi).to.match(/^3\\./);
    pm.expect(schema.paths).to.have.property("/api/bookings/");
});""",
                ],
                doc="YAML by default; `?format=json` for JSON. Postman can import it too (Import -> Link).",
            ),
            request(
                "Swagger UI",
                "GET",
                "/api/docs/",
                auth="none",
                tests=[
                    expect_status(200),
                    'pm.test("an HTML page", () => pm.expect(pm.response.headers.get("Content-Type")).to.include("text/html"));',
                ],
            ),
        ],
    )


def more_bookings_to_cancel(name: str, train_variable: str, expectation: str) -> dict:
    """The active bookings of another train this run made, added to those Cleanup cancels."""
    return request(
        name,
        "GET",
        "/api/bookings/",
        auth="admin",
        query={"train": "{{" + train_variable + "}}", "limit": "100"},
        tests=[
            expect_status(200),
            f"""
const active = pm.response.json().results.filter((booking) => booking.status !== "CANCELLED");
{expectation}
const pending = JSON.parse(pm.collectionVariables.get("bookingsToCancel") || "[]");
pm.collectionVariables.set("bookingsToCancel", JSON.stringify(pending.concat(active.map((booking) => booking.id))));""",
        ],
    )


def cleanup_folder() -> dict:
    return folder(
        "Cleanup",
        "Cancel what this run booked and delete its train, so the next run's searches stay small.",
        [
            request(
                "Active bookings of this train (ADMIN)",
                "GET",
                "/api/bookings/",
                auth="admin",
                query={"train": "{{trainId}}", "limit": "100"},
                tests=[
                    expect_status(200),
                    """
const active = pm.response.json().results.filter((booking) => booking.status !== "CANCELLED");
pm.test("the bookings left to cancel", () => pm.expect(active.length).to.be.at.least(1));
pm.collectionVariables.set("bookingsToCancel", JSON.stringify(active.map((booking) => booking.id)));""",
                ],
            ),
            more_bookings_to_cancel(
                "Active bookings of the journey train (ADMIN)",
                "journeyTrainId",
                'pm.test("the four journey bookings, added to those left to cancel", '
                "() => pm.expect(active).to.have.lengthOf(4));",
            ),
            more_bookings_to_cancel(
                "Active bookings of the quota train (ADMIN)",
                "quotaTrainId",
                "pm.test(\"the quota bookings (ladies', 2A's two, RAC, and Tatkal once open), added\", "
                "() => pm.expect(active.length).to.be.within(3, 4));",
            ),
            request(
                "Cancel each remaining booking (ADMIN)",
                "POST",
                "/api/bookings/{{cancelId}}/cancel/",
                auth="admin",
                pre="""
// This request loops (setNextRequest to itself) until bookingsToCancel is empty.
const pending = JSON.parse(pm.collectionVariables.get("bookingsToCancel") || "[]");
pm.collectionVariables.set("cancelId", pending.length ? pending[0] : 0);""",
                tests=[
                    expect_status(200),
                    'pm.test("cancelled", () => pm.expect(pm.response.json().status).to.eql("CANCELLED"));',
                    """
const pending = JSON.parse(pm.collectionVariables.get("bookingsToCancel") || "[]").slice(1);
pm.collectionVariables.set("bookingsToCancel", JSON.stringify(pending));
if (pending.length) pm.execution.setNextRequest(pm.info.requestName);""",
                ],
                doc="An ADMIN may cancel anyone's booking.",
            ),
            request(
                "No chart before it is prepared -> 404 (ADMIN)",
                "GET",
                "/api/runs/{{trainId}}/{{travelDate}}/chart/",
                auth="admin",
                tests=expect_error(404),
            ),
            request(
                "Prepare a run's chart now (ADMIN)",
                "POST",
                "/api/runs/{{trainId}}/{{travelDate}}/chart/",
                auth="admin",
                tests=[
                    expect_status(200),
                    """
const chart = pm.response.json();
pm.test("the chart: who travels where, and the berths left vacant", () => {
    pm.expect(chart).to.have.all.keys("train", "run_date", "charted_at", "passengers", "vacant");
    pm.expect(chart.run_date).to.eql(pm.collectionVariables.get("travelDate"));
    pm.expect(chart.charted_at).to.be.a("string");
});""",
                ],
                doc="Beat prepares each run's chart at its chart time; an operator may prepare it earlier. "
                "After it, only free berths are sold and confirmed berths can't be cancelled.",
            ),
            request(
                "Prepare it again -> 409 (ADMIN)",
                "POST",
                "/api/runs/{{trainId}}/{{travelDate}}/chart/",
                auth="admin",
                tests=expect_error(409),
            ),
            request(
                "Delete the train (ADMIN)",
                "DELETE",
                "/api/trains/{{trainId}}/",
                auth="admin",
                tests=expect_status(204),
                doc="204 once no future run has an active booking.",
            ),
            request(
                "Delete the journey train (ADMIN)",
                "DELETE",
                "/api/trains/{{journeyTrainId}}/",
                auth="admin",
                tests=expect_status(204),
            ),
            request(
                "Delete the quota train (ADMIN)",
                "DELETE",
                "/api/trains/{{quotaTrainId}}/",
                auth="admin",
                tests=expect_status(204),
            ),
            request(
                "A deleted train leaves search",
                "GET",
                "/api/trains/search/",
                query={
                    "source": ROUTE_SOURCE,
                    "destination": ROUTE_DESTINATION,
                    "date": "{{travelDate}}",
                    "limit": "100",
                },
                tests=[
                    expect_status(200),
                    "const page = pm.response.json();",
                    FIND_OUR_TRAIN,
                    'pm.test("not listed any more", () => pm.expect(ourTrain).to.be.undefined);',
                ],
            ),
        ],
    )


# --- Collection and environment -------------------------------------------------------------------

RUNTIME_VARIABLES = [
    "access",
    "refresh",
    "usedRefresh",
    "adminAccess",
    "otherAccess",
    "userId",
    "username",
    "email",
    "trainId",
    "trainNumber",
    "trainRunsOn",
    "travelDate",
    "travelDate2",
    "offDate",
    "bookingId",
    "pnr",
    "waitlistedBookingId",
    "idempotencyKey",
    "idempotentBookingId",
    "heldSeats",
    "holdId",
    "spareHoldId",
    "bookingsToCancel",
    "cancelId",
    "createAttempts",
    "throttleRetries",
    "journeyTrainId",
    "journeyTrainNumber",
    "journeyDate",
    "journeyNextDate",
    "journeySeat",
    "familyPnr",
    "unknownPnr",
    "journeyHoldId",
    "journeyHeldSeat",
    "quotaTrainId",
    "quotaTrainNumber",
    "quotaDate",
    "tatkalStatus",
    "racPnr",
]

DESCRIPTION = """The IRCTC mini backend's API (documented in docs/api.md), ready to run.

1. Start the demo: `scripts/demo.sh` (http://127.0.0.1:8000, prints the demo logins).
2. Import this collection and `irctc.postman_environment.json`; select the environment "IRCTC local".
3. Run collection. Each run registers new passengers, creates its own train, books, holds, reads analytics
   and deletes the train at the end, so it can be run again.

Tokens, ids and travel dates are kept in collection variables ({{access}}, {{adminAccess}}, {{trainId}},
{{travelDate}}, ...) by the test scripts. Requests send `Authorization: Bearer {{access}}` unless they say
otherwise. The collection is generated by postman/build_collection.py: edit that, not the JSON."""


def build_collection() -> dict:
    folders = [
        auth_folder(),
        trains_folder(),
        bookings_folder(),
        holds_folder(),
        journeys_folder(),
        quotas_folder(),
        analytics_folder(),
        operations_folder(),
        cleanup_folder(),
    ]
    defaults = {"baseUrl": "http://127.0.0.1:8000", "adminLogin": DEMO_ADMIN_LOGIN, "userPassword": USER_PASSWORD}
    variables = [{"key": key, "value": value, "type": "string"} for key, value in defaults.items()]
    variables += [{"key": key, "value": "", "type": "string"} for key in RUNTIME_VARIABLES]
    return {
        "info": {
            "_postman_id": COLLECTION_ID,
            "name": "IRCTC mini backend",
            "description": DESCRIPTION,
            "schema": SCHEMA_V21,
        },
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{access}}", "type": "string"}]},
        "event": [{"listen": "prerequest", "script": {"type": "text/javascript", "exec": js(COLLECTION_PRE_REQUEST)}}],
        "item": folders,
        "variable": variables,
    }


def build_environment() -> dict:
    values = {
        "baseUrl": ("http://127.0.0.1:8000", "default"),
        "adminLogin": (DEMO_ADMIN_LOGIN, "default"),
        "adminPassword": (DEMO_ADMIN_PASSWORD, "secret"),
        "userPassword": (USER_PASSWORD, "secret"),
    }
    return {
        "id": ENVIRONMENT_ID,
        "name": "IRCTC local",
        "values": [
            {"key": key, "value": value, "type": kind, "enabled": True} for key, (value, kind) in values.items()
        ],
        "_postman_variable_scope": "environment",
    }


def rendered() -> dict[Path, str]:
    def dump(document: dict) -> str:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    return {COLLECTION_FILE: dump(build_collection()), ENVIRONMENT_FILE: dump(build_environment())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the JSON files are not what this writes")
    args = parser.parse_args()
    stale = []
    for path, text in rendered().items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"stale: {', '.join(stale)}; run python postman/build_collection.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
