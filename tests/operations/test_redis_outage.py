"""The cache's Redis killed, paused and restarted under searches, a redis-server of the test's own:
every search still answers, fresh and within a second, and once Redis is back the cache answers
again. (The cache holds search answers, signed-in users and throttle counters: none of them may
make a request wait on a Redis that does not answer.)"""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import services
from irctc.cache import OUTAGE_PAUSE_SECONDS
from tests.bookings.helpers import tomorrow
from tests.faults.servers import free_port
from tests.trains.test_search_cache import free_seats

pytestmark = [
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
    pytest.mark.django_db,
]


class OwnRedis:
    """A redis-server on a free port that keeps nothing on disk."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        self.process.kill()
        self.process.wait()

    def pause(self):
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.resume()
            self.kill()


@pytest.fixture
def own_redis(settings):
    redis = OwnRedis()
    redis.start()
    working = settings.CACHES
    settings.CACHES = {"default": {**settings.REDIS_CACHE, "LOCATION": f"redis://127.0.0.1:{redis.port}/0"}}
    try:
        yield redis
    finally:
        settings.CACHES = working
        redis.stop()


def _timed_free_seats(client, train) -> tuple[int, float]:
    started = time.monotonic()
    seats = free_seats(client, train)
    return seats, time.monotonic() - started


def _served_from_the_cache(client, train) -> bool:
    free_seats(client, train)
    with CaptureQueriesContext(connection) as queries:
        free_seats(client, train)
    return len(queries) == 0


def _cache_serves_again_soon(client, train) -> None:
    # This process leaves a Redis that failed alone for a moment (irctc/cache.py).
    deadline = time.monotonic() + 5
    while not _served_from_the_cache(client, train):
        assert time.monotonic() < deadline, "the cache never served again after Redis came back"
        time.sleep(0.2)


def test_searches_answer_fresh_and_at_once_while_redis_is_killed_paused_and_restarted(
    own_redis, user_client, user, train
):
    assert _served_from_the_cache(user_client, train)

    own_redis.kill()
    services.book_seats(user=user, train=train, travel_date=tomorrow(), seats=1)
    for _ in range(3):
        seats, seconds = _timed_free_seats(user_client, train)
        assert (seats, seconds < 1) == (49, True)

    own_redis.start()  # the same port, empty
    _cache_serves_again_soon(user_client, train)

    own_redis.pause()
    services.book_seats(user=user, train=train, travel_date=tomorrow(), seats=1)
    try:
        # The first waits out one command's timeout (REDIS_TIMEOUT_MS); the rest don't ask Redis.
        answers = [_timed_free_seats(user_client, train) for _ in range(5)]
        assert [seats for seats, _seconds in answers] == [48] * 5
        assert max(seconds for _seats, seconds in answers) < 1
        assert sum(seconds for _seats, seconds in answers) < 1.5
    finally:
        own_redis.resume()

    # Back, with what it held: the answer cached before the pause still says 49. The booking made
    # meanwhile could not bump its route's counter then, and does before this process next reads
    # the cache (trains/search_cache.py).
    time.sleep(OUTAGE_PAUSE_SECONDS)
    assert free_seats(user_client, train) == 48
    _cache_serves_again_soon(user_client, train)
    services.book_seats(user=user, train=train, travel_date=tomorrow(), seats=1)
    assert free_seats(user_client, train) == 47
