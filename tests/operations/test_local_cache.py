"""The cache the workers of one machine share without Redis (irctc/local_cache.py): what one
process writes another reads, counters never lose a bump, and a write in one worker shows in the
next search another worker answers. (Without REDIS_URL the suite runs on this cache.)"""

import os
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from irctc.local_cache import SharedMemoryCache
from tests.bookings.helpers import tomorrow
from tests.trains.test_search_cache import free_seats

pytestmark = pytest.mark.skipif(settings.REDIS_URL != "", reason="the suite runs on Redis: nothing shared without it")


def other_process(code: str, *, processes: int = 1, path: str | None = None) -> list[str]:
    """Run `code` in `processes` other Python processes at once, with Django set up on this cache."""
    script = textwrap.dedent(
        """
        import os, sys
        sys.path.insert(0, os.getcwd())
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irctc.settings")
        import django
        django.setup()
        from django.core.cache import cache
        """
    ) + textwrap.dedent(code)
    environment = {**os.environ, "LOCAL_CACHE_PATH": path or settings.LOCAL_CACHE_PATH, "DEBUG": "true"}
    started = [
        subprocess.Popen(
            [sys.executable, "-c", script], env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(processes)
    ]
    answers = [process.communicate(timeout=60) for process in started]
    assert all(process.returncode == 0 for process in started), [errors for _output, errors in answers]
    return [output for output, _errors in answers]


def test_what_one_process_stores_another_reads():
    cache.set("shared-answer", {"trains": [1, 2]}, timeout=60)

    (output,) = other_process("print(cache.get('shared-answer'), cache.get('nothing', 'missing'))")

    assert output.strip() == "{'trains': [1, 2]} missing"


def test_counters_bumped_by_processes_at_once_lose_no_bump():
    cache.set("counter", 0, timeout=60)

    other_process("for _ in range(300): cache.incr('counter')", processes=3)

    assert cache.get("counter") == 900


def test_add_keeps_a_live_entry_and_replaces_an_expired_one(settings):
    assert cache.add("lock", "first", timeout=60)
    assert not cache.add("lock", "second", timeout=60)
    assert cache.get("lock") == "first"
    cache.set("lapsed", "old", timeout=1)
    time.sleep(1.05)
    assert cache.get("lapsed") is None
    assert cache.add("lapsed", "new", timeout=60)
    assert cache.get("lapsed") == "new"


def test_incrementing_a_missing_or_non_numeric_value_fails_as_django_s_caches_do():
    cache.set("text", "seven", timeout=60)
    with pytest.raises(ValueError):
        cache.incr("missing")
    with pytest.raises(ValueError):
        cache.incr("text")


def test_a_lost_file_is_made_again(tmp_path):
    path = tmp_path / "cache.sqlite3"
    first = SharedMemoryCache(str(path), {})
    first.set("key", 1)
    second = SharedMemoryCache(str(path), {})
    assert second.get_many(["key", "other"]) == {"key": 1}
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_workers_that_start_and_exit_leave_the_others_cache_working(tmp_path):
    path = str(tmp_path / "cache.sqlite3")
    worker = SharedMemoryCache(path, {})
    worker.set("kept", 0, timeout=60)
    for round_ in range(3):
        SharedMemoryCache(path, {}).set(f"thread {round_}", round_, timeout=60)  # another thread's connection
        other_process("cache.incr('kept')", processes=2, path=path)  # connect, write, exit

    assert worker.get("kept") == 6
    with sqlite3.connect(path) as fresh:  # a new worker reads the same
        assert fresh.execute("SELECT COUNT(*) FROM entries").fetchone() == (4,)


@pytest.mark.django_db
def test_a_booking_written_by_another_worker_shows_in_the_next_search(user_client, train):
    assert free_seats(user_client, train) == 50
    with CaptureQueriesContext(connection) as cached:
        assert free_seats(user_client, train) == 50
    assert len(cached) == 0  # answered from the shared cache

    # Another worker books on this run: its commit bumps the route's counter in the shared cache.
    # (It can't see this test's database: only the bump is made there, as the booking makes it.)
    keys = [stop.station_key for stop in train.stop_list()]
    other_process(
        f"""
        from datetime import date
        from bookings import search_cache
        search_cache.run_changed(date.fromisoformat({tomorrow().isoformat()!r}), {keys!r})
        """
    )

    with CaptureQueriesContext(connection) as fresh:
        free_seats(user_client, train)
    assert len(fresh) > 0  # the answer kept before the other worker's write was not served
