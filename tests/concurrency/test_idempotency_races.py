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
