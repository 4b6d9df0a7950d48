"""End to end: gunicorn with two worker processes, one MongoDB server, one search log.

The API is served as production serves it (gunicorn with gunicorn.conf.py) from a database of the
test's own, created and migrated here, on the engine the suite runs on (MariaDB in CI's second
pass, a SQLite file in the first), and logs searches to a MongoDB wire-protocol server process.
Searches are spread over both workers (gunicorn's access log names the worker process that
answered each request), and the analytics, whichever worker answers them, count every search
exactly once: with the in-process stand-in each worker would see only its own.
"""

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from tests.faults.servers import free_port

ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).parent / "gunicorn"
PASSWORD = "Two-Workers-2026!"
# Where the searches go, and how many of each; none of these stations is served by a train.
ROUTES = [("Pune", "Goa"), ("Agra", "Jaipur"), ("Surat", "Kota")]
SEARCHES_PER_WAVE = 12
MAX_WAVES = 20
WORKER_LINE = re.compile(r"^<?(\d+)>? (\S+) (\d{3})$")


class Served:
    """gunicorn on a free port, its access log recording which worker answered each request."""

    def __init__(self, env: dict, log_dir: Path):
        self.env = env
        self.port = free_port()
        self.access_log = log_dir / "access.log"
        self.output = log_dir / "gunicorn.log"
        self.process = None

    def start(self):
        self.env["BIND"] = f"127.0.0.1:{self.port}"
        command = [str(GUNICORN), "-c", "gunicorn.conf.py", "--max-requests", "0"]
        command += ["--access-logfile", str(self.access_log), "--access-logformat", "%(p)s %(U)s %(s)s"]
        with open(self.output, "wb") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited:\n{self.output.read_text()[-3000:]}"
            try:
                if self.call("GET", "/api/health/")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"gunicorn did not answer /api/health/ within 60 s:\n{self.output.read_text()[-3000:]}")

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        if body is not None:
            request.data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def searches_by_worker(self) -> Counter:
        counts = Counter()
        for line in self.access_log.read_text().splitlines():
            match = WORKER_LINE.match(line.strip())
            if match and match[2] == "/api/trains/search/":
                counts[int(match[1])] += 1
        return counts

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def manage(env: dict, *argv: str) -> None:
    subprocess.run([sys.executable, "manage.py", *argv], cwd=ROOT, env=env, check=True, capture_output=True)


@pytest.fixture
def served(tmp_path, wire_server, own_database):
    keep = {key: value for key, value in os.environ.items() if not key.startswith(("DB_", "MONGO_", "THROTTLE_"))}
    env = {
        **keep,
        **own_database,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "MONGO_URI": wire_server.uri,
        "MONGO_DB": f"serving_{uuid.uuid4().hex[:8]}",
        "REDIS_URL": "",
        "THROTTLE_AUTH": "off",
        "THROTTLE_USER": "off",
        "THROTTLE_ANON": "off",
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "4",
        "LOG_LEVEL": "WARNING",
    }
    manage(env, "migrate", "--noinput", "-v", "0")
    admin = {"DJANGO_SUPERUSER_USERNAME": "operator", "DJANGO_SUPERUSER_EMAIL": "operator@example.com"}
    manage({**env, **admin, "DJANGO_SUPERUSER_PASSWORD": PASSWORD}, "createsuperuser", "--noinput")
    server = Served(env, tmp_path).start()
    yield server
    server.stop()


def test_searches_answered_by_both_workers_are_each_counted_once_by_the_analytics(served):
    status, registered = served.call(
        "POST", "/api/auth/register/", {"username": "asha", "email": "asha@example.com", "password": PASSWORD}
    )
    assert status == 201, registered
    passenger = registered["access"]
    status, login = served.call("POST", "/api/auth/login/", {"username": "operator", "password": PASSWORD})
    assert status == 200, login
    operator = login["access"]

    sent, statuses, statuses_lock = Counter(), Counter(), threading.Lock()

    def search(source: str, destination: str) -> None:
        query = urllib.parse.urlencode({"source": source, "destination": destination})
        status = served.call("GET", f"/api/trains/search/?{query}", token=passenger)[0]
        with statuses_lock:
            statuses[status] += 1

    # Concurrent requests, each on a connection of its own, until both workers have answered some.
    for wave in range(MAX_WAVES):
        threads = []
        for index in range(SEARCHES_PER_WAVE):
            route = ROUTES[(wave + index) % len(ROUTES)]
            sent[route] += 1
            threads.append(threading.Thread(target=search, args=route))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if len(served.searches_by_worker()) == 2 and min(served.searches_by_worker().values()) >= 3:
            break
    total = sum(sent.values())
    # A worker writes its access-log line just after the answer has gone out.
    deadline = time.monotonic() + 10
    while sum(served.searches_by_worker().values()) < total and time.monotonic() < deadline:
        time.sleep(0.1)
    by_worker = served.searches_by_worker()

    assert statuses == {200: total}
    assert len(by_worker) == 2, f"one worker answered every search: {by_worker}"
    assert served.process.pid not in by_worker
    assert sum(by_worker.values()) == total

    # The writers are asynchronous: wait until the last search is stored, then expect no more.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        stats = served.call("GET", "/api/analytics/search-stats/", token=operator)[1]
        if stats["searches"] >= total:
            break
        time.sleep(0.2)
    top = served.call("GET", "/api/analytics/top-routes/?limit=10", token=operator)
    counted = {(row["source"].lower(), row["destination"].lower()): row["search_count"] for row in top[1]}

    assert stats["searches"] == total
    assert sum(day["searches"] for day in stats["by_day"]) == total
    assert stats["p50_ms"] is not None
    assert top[0] == 200
    assert counted == {(source.lower(), destination.lower()): count for (source, destination), count in sent.items()}
    assert served.call("GET", "/api/health/") == (200, {"database": "ok", "mongo": "ok"})
