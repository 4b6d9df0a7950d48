"""Concurrent replays of one Idempotency-Key against MariaDB: exactly one booking, one answer."""

import threading

import pytest
from django.db import connection

from bookings.models import Booking, IdempotencyRecord, SeatAllocation
from tests.bookings.helpers import booking_body
from tests.concurrency.test_booking_races import ON_MARIADB
from tests.conftest import client_for
from tests.factories import make_train, make_user

pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.skipif(not ON_MARIADB, reason="needs DB_ENGINE=mysql: real row locks"),
    pytest.mark.django_db(transaction=True),
]

REPLAYS = 12


def test_concurrent_replays_of_one_key_make_one_booking_and_give_everyone_its_answer():
    passenger = make_user("retrier")
    train = make_train(total_seats=50)
    body = booking_body(train, 2)
    start = threading.Barrier(REPLAYS)
    responses = [None] * REPLAYS

    def replay(index):
        client = client_for(passenger)
        try:
            start.wait()
            responses[index] = client.post("/api/bookings/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-once")
        finally:
            connection.close()

    threads = [threading.Thread(target=replay, args=(index,)) for index in range(REPLAYS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Booking.objects.count() == 1
    assert SeatAllocation.objects.count() == 2
    booking = Booking.objects.get()
    statuses = sorted(response.status_code for response in responses)
    # Replays wait for the first request, so normally all of them see its 201; one that waited
    # longer than the replay window would get 409 with Retry-After and create nothing either.
    assert set(statuses) <= {201, 409}
    created = [response.json() for response in responses if response.status_code == 201]
    assert created and all(answer["pnr"] == booking.pnr for answer in created)
    assert IdempotencyRecord.objects.get().state == IdempotencyRecord.State.DONE


class _InFlight:
    """A first request with a key, stopped mid-transaction in a thread of its own: its claim is
    inserted and uncommitted, as while the real one books. `end()` lets it roll back."""

    def __init__(self, passenger, key, body):
        from bookings import idempotency

        self.claimed, self.finish = threading.Event(), threading.Event()
        self.connection_id = None
        fingerprint = idempotency._fingerprint(_Request(body))

        def run():
            from django.db import transaction

            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(user=passenger, key=key, fingerprint=fingerprint)
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT CONNECTION_ID()")
                        self.connection_id = cursor.fetchone()[0]
                    self.claimed.set()
                    self.finish.wait(30)
                    raise _RolledBack
            except _RolledBack:
                pass
            except Exception:  # noqa: BLE001 - its connection may be killed under it: that is the point
                pass
            finally:
                connection.close()

        self.thread = threading.Thread(target=run)
        self.thread.start()
        assert self.claimed.wait(10)

    def end(self):
        self.finish.set()
        self.thread.join(10)


class _RolledBack(Exception):
    pass


class _Request:
    method = "POST"
    path = "/api/bookings/"

    def __init__(self, body):
        self.data = body


def _short_lock_wait(seconds: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET SESSION innodb_lock_wait_timeout = {seconds}")


def test_a_replay_while_the_first_is_still_running_gets_409_with_retry_after_then_runs_once_it_is_gone():
    passenger = make_user("waiter")
    train = make_train(total_seats=10)
    body = booking_body(train)
    first = _InFlight(passenger, "inflight", body)
    client = client_for(passenger)
    try:
        _short_lock_wait(1)
        response = client.post("/api/bookings/", body, format="json", HTTP_IDEMPOTENCY_KEY="inflight")
        assert response.status_code == 409
        assert response.json()["code"] == "idempotency_in_progress"
        assert response["Retry-After"] == "1"
        assert not Booking.objects.exists()
    finally:
        first.end()

    # The first attempt failed and took its claim with it: the retry runs now, not in a minute.
    response = client.post("/api/bookings/", body, format="json", HTTP_IDEMPOTENCY_KEY="inflight")
    assert response.status_code == 201
    assert Booking.objects.count() == 1


def test_a_retry_runs_at_once_when_the_first_attempt_s_connection_died_holding_the_claim():
    import time

    passenger = make_user("survivor")
    train = make_train(total_seats=10)
    body = booking_body(train, 2)
    first = _InFlight(passenger, "orphan", body)
    try:
        with connection.cursor() as cursor:
            # What the server sees when the worker process is killed or the network drops.
            cursor.execute(f"KILL CONNECTION {first.connection_id}")
        started = time.monotonic()
        response = client_for(passenger).post("/api/bookings/", body, format="json", HTTP_IDEMPOTENCY_KEY="orphan")
        elapsed = time.monotonic() - started
    finally:
        first.end()

    assert response.status_code == 201
    assert elapsed < 2  # no waiting for the dead claim: the server rolled it back with its owner
    assert Booking.objects.count() == 1
    assert IdempotencyRecord.objects.get().state == IdempotencyRecord.State.DONE
