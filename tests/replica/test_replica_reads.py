"""Reads served by a real MariaDB replica, and everything that must stay on the primary.

Which server answered is read from the servers themselves: their general logs record every
statement, so a read counts for the server that ran a SELECT of the app's tables for it.
Nothing in the app is mocked or told about the test. The tests run in order on one pair of
servers; each leaves the replica replicating and caught up.
"""

import threading
import time
from collections import Counter

import pytest

from irctc.db_router import CHECK_INTERVAL_SECONDS
from tests.replica.conftest import MAX_LAG_SECONDS, PASSENGERS, tomorrow
from tests.replica.seed import ROUTE

pytestmark = pytest.mark.mariadb

# A read-your-writes mark outlives the largest lag a replica in use may have (irctc/db_router.py).
READ_YOUR_WRITES_SECONDS = MAX_LAG_SECONDS + 2


class ReadsOn:
    """SELECTs of the app's tables (or of `table`) the app sent `server` inside the `with` block."""

    def __init__(self, server, table: str = ""):
        self.server, self.table = server, table

    def __enter__(self):
        self.since = self.server.now()
        return self

    def __exit__(self, *exc):
        self.count = self.server.app_reads_since(self.since, self.table)


def search(app, token, **params):
    return app.get("/api/trains/search/", token, source=ROUTE[0], destination=ROUTE[1], date=tomorrow(), **params)


def wait_for(condition, timeout: float = 20.0, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {message or condition}")


def replica_state(app) -> str:
    response = app.get("/api/health/")
    assert response.status_code == 200, response.text
    return response.json()["replicas"][app.env["DB_REPLICA_HOSTS"]]


def wait_for_replica_state(app, state: str):
    """Until health (one worker) reports `state`, then a check interval more, so every worker has seen it."""
    wait_for(lambda: replica_state(app) == state, message=f"health to call the replica {state}")
    time.sleep(CHECK_INTERVAL_SECONDS + 0.1)


def test_search_is_served_by_the_replica(pair, app, seeded):
    reader = seeded["passengers"][-1]
    wait_for_replica_state(app, "ok")

    with ReadsOn(pair.replica) as replica, ReadsOn(pair.primary, "trains_train") as primary:
        response = search(app, reader)

    assert response.status_code == 200, response.text
    assert [train["id"] for train in response.json()["results"]] == [seeded["train"]]
    assert response.json()["results"][0]["available_seats"] == 50
    assert replica.count >= 1
    # The primary still authenticated the token (the user lookup), and read no train.
    assert primary.count == 0


def test_the_seat_map_train_list_detail_and_stations_are_served_by_the_replica(pair, app, seeded):
    reader = seeded["passengers"][-1]
    train = seeded["train"]
    for path, params in [
        (f"/api/trains/{train}/seats/", {"date": tomorrow()}),
        ("/api/trains/", {}),
        (f"/api/trains/{train}/", {}),
        ("/api/stations/", {"q": "replica"}),
    ]:
        with ReadsOn(pair.replica) as replica, ReadsOn(pair.primary, "(trains|bookings)_") as primary:
            response = app.get(path, reader, **params)
        assert response.status_code == 200, (path, response.text)
        assert (replica.count >= 1, primary.count) == (True, 0), path


def test_a_booking_and_my_bookings_right_after_never_touch_the_replica(pair, app, seeded):
    booker = seeded["passengers"][0]

    with ReadsOn(pair.replica) as replica:
        booked = app.post("/api/bookings/", {"train": seeded["train"], "travel_date": tomorrow(), "seats": 2}, booker)
        mine = app.get("/api/bookings/my/", booker)
        detail = app.get(f"/api/bookings/{booked.json()['id']}/", booker)

    assert booked.status_code == 201, booked.text
    assert [booking["id"] for booking in mine.json()["results"]] == [booked.json()["id"]]
    assert detail.json()["seat_numbers"] == booked.json()["seat_numbers"]
    assert replica.count == 0

    # Once the mark has expired, the same read is the replica's again, and the replica has the booking.
    time.sleep(READ_YOUR_WRITES_SECONDS + 0.5)
    with ReadsOn(pair.replica) as replica:
        mine = app.get("/api/bookings/my/", booker)
    assert [booking["id"] for booking in mine.json()["results"]] == [booked.json()["id"]]
    assert replica.count >= 1
    # PNR status, asked by anyone (no token), is the replica's too.
    with ReadsOn(pair.replica) as replica:
        status = app.get(f"/api/pnr/{booked.json()['pnr']}/")
    assert status.status_code == 200, status.text
    assert status.json()["status"] == "CONFIRMED"
    assert replica.count >= 1


def test_reads_fall_back_to_the_primary_when_replication_stops(pair, app, seeded):
    reader = seeded["passengers"][-1]
    pair.replica.execute("STOP SLAVE")
    try:
        wait_for_replica_state(app, "lagging")
        with ReadsOn(pair.replica) as replica:
            responses = [search(app, reader) for _ in range(5)]
        assert [response.status_code for response in responses] == [200] * 5
        assert replica.count == 0
    finally:
        pair.replica.execute("START SLAVE")
    pair.wait_until_replica_caught_up()
    wait_for_replica_state(app, "ok")


def test_reads_fall_back_to_the_primary_with_no_error_when_the_replica_is_killed(pair, app, seeded):
    readers = seeded["passengers"][-8:]
    # Every gunicorn thread that has served a read holds an open connection to the replica.
    for _ in range(3):
        for reader in readers:
            assert search(app, reader).status_code == 200
    pair.replica.kill()
    try:
        # At once, before any replica check has run: the reads fail on the replica and are served again.
        statuses = Counter(search(app, reader).status_code for reader in readers * 3)
        assert statuses == {200: len(readers) * 3}
        wait_for_replica_state(app, "down")
        results = search(app, readers[0]).json()["results"]
        assert [train["id"] for train in results] == [seeded["train"]]
    finally:
        pair.replica.start()
    pair.wait_until_replica_caught_up()
    wait_for_replica_state(app, "ok")
    with ReadsOn(pair.replica) as replica:
        assert search(app, readers[0]).status_code == 200
    assert replica.count >= 1


def test_a_lagging_replica_is_skipped(pair, app, seeded):
    reader = seeded["passengers"][-1]
    pair.set_replica_delay(3600)
    try:
        created = app.post(
            "/api/trains/",
            {
                "train_number": "54321",
                "name": "Lag Mail",
                "source": "Lagpur",
                "destination": "Behindabad",
                "departure_time": "06:00",
                "arrival_time": "18:00",
                "arrival_day_offset": 0,
                "total_seats": 10,
            },
            seeded["operator"],
        )
        assert created.status_code == 201, created.text
        wait_for(
            lambda: (pair.replica_status().get("Seconds_Behind_Master") or 0) > MAX_LAG_SECONDS,
            message="the replica to fall behind",
        )
        wait_for_replica_state(app, "lagging")

        with ReadsOn(pair.replica) as replica:
            response = app.get("/api/trains/search/", reader, source="Lagpur", destination="Behindabad")

        # The replica has not applied the new train yet: only the primary could have found it.
        assert [train["id"] for train in response.json()["results"]] == [created.json()["id"]]
        assert replica.count == 0
    finally:
        pair.set_replica_delay(0)
    pair.wait_until_replica_caught_up()
    wait_for_replica_state(app, "ok")


def test_200_concurrent_bookings_on_50_seats_sell_exactly_50_while_reads_use_the_replica(pair, app, seeded):
    created = app.post(
        "/api/trains/",
        {
            "train_number": "55555",
            "name": "Race Express",
            "source": "Racepur",
            "destination": "Fiftyganj",
            "departure_time": "07:00",
            "arrival_time": "19:00",
            "arrival_day_offset": 0,
            "total_seats": 50,
        },
        seeded["operator"],
    )
    assert created.status_code == 201, created.text
    train = created.json()["id"]
    pair.wait_until_replica_caught_up()
    bookers, readers = seeded["passengers"][:32], seeded["passengers"][32:PASSENGERS]
    body = {"train": train, "travel_date": tomorrow(), "seats": 1}
    outcomes, reads = [], Counter()
    attempts = iter(range(200))
    pick = threading.Lock()
    start = threading.Barrier(len(bookers) + len(readers))
    done = threading.Event()

    def book(token):
        start.wait()
        while True:
            with pick:
                attempt = next(attempts, None)
            if attempt is None:
                return
            response = app.post("/api/bookings/", body, token)
            outcomes.append((response.status_code, response.json().get("code", response.json().get("status"))))

    def read(token):
        start.wait()
        while not done.is_set():
            seats = app.get(f"/api/trains/{train}/seats/", token, date=tomorrow())
            found = app.get("/api/trains/search/", token, source="Racepur", destination="Fiftyganj", date=tomorrow())
            reads[(seats.status_code, found.status_code, 0 <= seats.json().get("available_seats", -1) <= 50)] += 1

    booking_threads = [threading.Thread(target=book, args=(token,)) for token in bookers]
    reading_threads = [threading.Thread(target=read, args=(token,)) for token in readers]
    with ReadsOn(pair.replica) as replica:
        for thread in booking_threads + reading_threads:
            thread.start()
        for thread in booking_threads:
            thread.join()
        done.set()
        for thread in reading_threads:
            thread.join()

    assert Counter(outcomes) == {(201, "CONFIRMED"): 50, (409, "sold_out"): 150}
    assert set(reads) == {(200, 200, True)}
    assert replica.count >= sum(reads.values())
    sold = pair.primary.query(
        "SELECT COUNT(*), COUNT(DISTINCT a.seat_number), MIN(a.seat_number), MAX(a.seat_number)"
        " FROM irctc.bookings_seatallocation a JOIN irctc.bookings_booking b ON b.id = a.booking_id"
        " JOIN irctc.bookings_trainrun r ON r.id = b.run_id WHERE r.train_id = %s AND b.status = 'CONFIRMED'",
        (train,),
    )
    assert sold == [(50, 50, 1, 50)]
    pair.wait_until_replica_caught_up()
    seat_map = app.get(f"/api/trains/{train}/seats/", readers[0], date=tomorrow()).json()
    assert (seat_map["available_seats"], seat_map["free_seat_numbers"]) == (0, [])
