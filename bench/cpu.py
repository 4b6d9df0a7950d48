"""CPU per request in one process, without a server or concurrency: a figure a busy machine
barely moves (it counts this process's CPU time, not wall time).

    cd CHECKOUT && DJANGO env... python /path/to/bench/cpu.py [--requests 1000]

Runs against the database and settings of the environment (the benchmark's), with Django's test
client, in the current directory's checkout: bench/ab.py runs it once per build. Prints one JSON
object: CPU ms per request and statements per request for `me`, searches (all different, so a
search cache never answers) and one-seat bookings on a fresh run.
"""

import argparse
import json
import os
import random
import sys
import time
import urllib.parse
from datetime import timedelta

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irctc.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def measure(client, requests, expect) -> dict:
    """CPU per request over requests[20:-1] (the first 20 warm up); statements of the last one."""
    for method, path, body in requests[:20]:  # warm: imports, connection, caches
        _send(client, method, path, body)
    started = time.process_time()
    statuses = {}
    for method, path, body in requests[20:-1]:
        status = _send(client, method, path, body)
        statuses[status] = statuses.get(status, 0) + 1
    cpu = time.process_time() - started
    count = len(requests) - 21
    with CaptureQueriesContext(connection) as queries:
        _send(client, *requests[-1])
    unexpected = {s: n for s, n in statuses.items() if s not in expect}
    if unexpected:
        raise SystemExit(f"unexpected statuses {unexpected} for {requests[-1][1]}")
    return {"cpu_ms_per_request": round(1000 * cpu / count, 3), "statements": len(queries), "requests": count}


def _send(client, method, path, body):
    if method == "GET":
        return client.get(path).status_code
    return client.post(path, body, content_type="application/json").status_code


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--setup", required=True, help="bench/fixtures.py setup output (JSON)")
    parser.add_argument("--repetition", type=int, default=0, help="which of an A/B's runs (0-19): its bookings' date")
    args = parser.parse_args()
    setup = json.loads(args.setup)

    from django.contrib.auth import get_user_model

    from accounts.services import issue_tokens

    user = get_user_model().objects.get(username="loaduser1")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user)['access']}", HTTP_ACCEPT="application/json")
    # Searches of their own for each repetition too: one build's cache keeps what the last asked.
    rng = random.Random(17 + args.repetition)
    today = timezone.localdate()
    searches = []
    for _ in range(args.requests + 21):
        source, destination, _n = rng.choice(setup["routes"])
        day = today + timedelta(days=rng.randrange(60))
        # A different page size each time: no two searches are the same query.
        query = {"source": source, "destination": destination, "date": day.isoformat(), "limit": rng.randrange(5, 60)}
        searches.append(("GET", "/api/trains/search/?" + urllib.parse.urlencode(query), None))
    # A run of its own for each of an A/B's repetitions: each sells most of the hot train's seats.
    booking_date = (today + timedelta(days=30 + args.repetition)).isoformat()
    body = json.dumps({"train": setup["hot_train"], "travel_date": booking_date, "seats": 1, "allow_waitlist": False})
    bookings = [("POST", "/api/bookings/", body)] * min(args.requests, setup["hot_seats"] - 30)
    results = {
        "me": measure(client, [("GET", "/api/auth/me/", None)] * (args.requests + 21), {200}),
        "search": measure(client, searches, {200}),
        "booking": measure(client, bookings, {201}),
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
