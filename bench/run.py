"""Load benchmark: booking and search under load, measured against the framework's own ceiling.

One run, on this machine, against MariaDB and the production server (gunicorn + gunicorn.conf.py):

1. a fresh database `irctc_bench` (dropped, created, migrated), seeded with `seed_demo --trains
   10000 --users 1000`, plus the benchmark's own trains (bench/fixtures.py): one 1,000-seat train
   for the hot run and 50 100-seat trains for the spread;
2. a MongoDB wire-protocol server (`scripts/mongo.sh start`, a process of its own, stopped at the
   end) and two gunicorn instances on free ports: A with the search log on and going to that
   server (production), B with `SEARCH_LOG_ENABLED=false`, idle while A is measured and vice
   versa, so the logging cost is measured side by side in every repetition rather than
   before/after a restart;
3. users log in over HTTP (a sample spread evenly over loaduser1..N) for bearer tokens;
4. each repetition measures, on fresh runs for the booking phases:
   ceiling   GET /api/auth/me/, 16 clients, 20 s: JWT auth + one user lookup + a tiny serializer,
             the least any authenticated DRF endpoint here can cost;
   search    GET /api/trains/search/ over varied routes and dates, 16 clients, 20 s (A, log on);
   search_nolog  the same against B (log off), right before or after (the order alternates), so
             each repetition gives one paired log cost, 1 - on/off, whose median is reported;
   hot       32 clients book 1 seat each on one 1,000-seat run until sold out, then 500 more
             attempts; the database is checked afterwards (confirmed seats must be exactly 1,000);
   spread    32 clients book 1 seat each across 500 different runs (50 trains x 10 dates).
   tatkal    64 clients book 1-4 passengers each on one run's 200-berth Tatkal pool, its window
             open, until it is sold out and --tatkal-after seconds more, while 16 clients search
             the route; the lock hold of each booking comes from the server (bench/lock_probe.py).
   replica   search on a private primary alone, then with its GTID replica serving the reads
             (bench/replica_phase.py), after the phases above.
Every figure is the median of the repetitions; the targets are checked and printed (PASS/MISS);
the table and bench/results.json (with machine info) are written at the end.

`--profile PHASE[,PHASE]` attaches py-spy to the server during those phases of the first repetition and prints
the top frames (a profiled run is slower, so it writes bench/out/results-profile.json instead).
"""

import argparse
import asyncio
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))

from loadgen import PhaseResult, build_head, closed_loop  # noqa: E402
from procstats import CpuMeter, MemorySampler, children_of, cpu_seconds  # noqa: E402

PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent
HOST = "127.0.0.1"
PHASES = ["ceiling", "search", "search_nolog", "hot", "spread", "tatkal", "replica"]

TARGETS = {
    "zero_oversell": "confirmed seats in the DB = 1,000 on every hot run, no 5xx",
    "search_p99": "search p99 < 50 ms",
    "search_vs_ceiling": "search throughput >= 60% of the ceiling",
    "hot_vs_ceiling": "hot-run bookings/s >= 40% of the ceiling",
    "logging_cost": "search log costs <= 5% of search throughput",
    "tatkal_oversell": "Tatkal: confirmed passengers in the DB = the pool, all in it, no 5xx",
    "tatkal_vs_bound": "Tatkal: bookings/s while selling >= 70% of 1 / lock hold",
    "tatkal_refusals_vs_ceiling": "Tatkal: refusals/s after the sell-out >= 80% of the ceiling",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--reps", type=int, default=3, help="repetitions; every figure is their median")
    add("--duration", type=float, default=20.0, help="seconds of each timed GET phase")
    add("--trains", type=int, default=10000, help="seed_demo --trains")
    add("--users", type=int, default=1000, help="seed_demo --users")
    add("--login-users", type=int, default=100, help="users logged in for tokens, spread over all of them")
    add("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    add("--threads", type=int, default=4, help="gunicorn threads per worker (WEB_THREADS)")
    add("--read-clients", type=int, default=16)
    add("--booking-clients", type=int, default=32)
    add("--spread-runs", type=int, default=500)
    add("--spread-bookings", type=int, default=1500)
    add("--after-soldout", type=int, default=500)
    add("--tatkal-clients", type=int, default=64, help="Tatkal phase: booking clients (1-4 passengers each)")
    add("--tatkal-searchers", type=int, default=16, help="Tatkal phase: clients searching the route meanwhile")
    add("--tatkal-after", type=float, default=5.0, help="Tatkal phase: seconds of attempts after the sell-out")
    add("--only", default=",".join(PHASES), help="comma-separated phases to run")
    add("--reuse-db", action="store_true", help="skip drop/migrate/seed (iterating on the harness)")
    add("--profile", default="", help="comma-separated phases to py-spy (repetition 1 only)")
    add("--profile-gil", action="store_true", help="py-spy --gil: CPU (GIL-holding) samples only, not waits")
    add("--output", type=Path, help="results file (default bench/results.json)")
    add("--db-name", default=os.environ.get("BENCH_DB_NAME", "irctc_bench"))
    add("--db-user", default=os.environ.get("BENCH_DB_USER", "irctc"))
    add("--db-password", default=os.environ.get("BENCH_DB_PASSWORD", "irctc"))
    add("--db-host", default=os.environ.get("BENCH_DB_HOST", "127.0.0.1"))
    add("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""), help="REDIS_URL of the servers (default: none)")
    add("--ab", metavar="COMMIT", help="A/B mode (bench/ab.py): that commit against the working tree")
    add("--base-threads", default="4", help="A/B: WEB_THREADS of the base build ('' = its gunicorn.conf.py)")
    add("--head-threads", default="", help="A/B: WEB_THREADS of the working tree ('' = its gunicorn.conf.py)")
    add(
        "--head-workers",
        default="",
        help="A/B: WEB_CONCURRENCY of the working tree ('' = its gunicorn.conf.py; base has --workers)",
    )
    add("--ab-no-log", action="store_true", help="A/B: both builds with SEARCH_LOG_ENABLED=false")
    add("--ab-mongo", action="store_true", help="A/B: both builds log searches to one MongoDB wire server")
    add("--warmup", type=float, default=3.0, help="seconds of searches per server (A/B: per build) before timing")
    add("--cpu-reps", type=int, default=3, help="A/B: runs of bench/cpu.py per build (CPU per request in-process)")
    add("--sweep", metavar="CONFIGS", help="compare serving configurations (bench/sweep.py)")
    return parser.parse_args()


def log(message: str):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Environment, database, Django-side steps ------------------------------------------------------


def bench_env(args, secret_key: str, *, search_log: bool = True, port: int | None = None, mongo_uri: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "THROTTLE_", "MONGO_", "REDIS_"))}
    env.update(
        DB_ENGINE="mysql",
        DB_NAME=args.db_name,
        DB_USER=args.db_user,
        DB_PASSWORD=args.db_password,
        DB_HOST=args.db_host,
        DB_PORT="3306",
        SECRET_KEY=secret_key,
        DEBUG="false",
        THROTTLE_AUTH="off",
        THROTTLE_BOOKING="off",
        THROTTLE_USER="off",
        THROTTLE_ANON="off",
        # Tokens are minted once at the start and must outlive the whole run.
        ACCESS_TOKEN_MINUTES="120",
        SEARCH_LOG_ENABLED="true" if search_log else "false",
        MONGO_URI=mongo_uri,
        MONGO_DB=SEARCH_LOG_DB,
        WEB_CONCURRENCY=str(args.workers),
        WEB_THREADS=str(args.threads),
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if port is not None:
        env["BIND"] = f"{HOST}:{port}"
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


def mariadb_connection(args, database=None):
    import mysql.connector

    return mysql.connector.connect(
        user=args.db_user, password=args.db_password, host=args.db_host, database=database, use_pure=True
    )


def fresh_database(args):
    connection = mariadb_connection(args)
    cursor = connection.cursor()
    cursor.execute(f"DROP DATABASE IF EXISTS `{args.db_name}`")
    cursor.execute(f"CREATE DATABASE `{args.db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    connection.close()


def mariadb_version(args) -> str:
    connection = mariadb_connection(args)
    cursor = connection.cursor()
    cursor.execute("SELECT VERSION()")
    version = cursor.fetchone()[0]
    connection.close()
    return version


def manage(env, *argv, capture=False, root=ROOT, python=PYTHON) -> str:
    completed = subprocess.run(
        [str(python), "manage.py", *argv], cwd=root, env=env, check=True, text=True, capture_output=capture
    )
    return completed.stdout if capture else ""


def fixtures(env, *argv, root=ROOT, python=PYTHON) -> dict:
    completed = subprocess.run(
        [str(python), str(Path(root) / "bench/fixtures.py"), *argv],
        cwd=root,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def load_user_password(root=ROOT) -> str:
    """The one password seed_demo gives loaduser1..N (read from its source, not imported)."""
    source = (Path(root) / "trains/management/commands/seed_demo.py").read_text()
    match = re.search(r'^LOAD_USER_PASSWORD\s*=\s*"([^"]+)"', source, re.M)
    if not match:
        raise SystemExit("seed_demo.py defines no LOAD_USER_PASSWORD")
    return match.group(1)


# --- The search log's MongoDB -----------------------------------------------------------------------

SEARCH_LOG_DB = "irctc_bench_logs"
SEARCH_PATH = "/api/trains/search/"


class SearchLogServer:
    """The MongoDB wire-protocol server of `scripts/mongo.sh`, in a process of its own."""

    def start(self):
        completed = subprocess.run(
            [str(ROOT / "scripts/mongo.sh"), "start"], cwd=ROOT, check=True, text=True, stdout=subprocess.PIPE
        )
        self.uri = completed.stdout.strip().splitlines()[-1]
        self.port = int(self.uri.rsplit(":", 1)[1])
        self.pid = int((ROOT / ".mongo-run" / f"{self.port}.pid").read_text())
        return self

    def cpu_seconds(self) -> float:
        return cpu_seconds([self.pid])

    def stored_logs(self) -> int:
        import pymongo

        with pymongo.MongoClient(self.uri, serverSelectionTimeoutMS=5000) as client:
            return client[SEARCH_LOG_DB]["search_logs"].count_documents({})

    def stop(self):
        subprocess.run([str(ROOT / "scripts/mongo.sh"), "stop", str(self.port)], cwd=ROOT, check=False)


def connections_per_worker(server) -> list[int]:
    """Established client connections each gunicorn worker holds, most first (from /proc).

    gunicorn leaves the split to whichever worker accepts first; a log-on/log-off pair is only a
    measure of the log when both phases had the same split.
    """
    sockets_by_worker = []
    for pid in children_of(server.pid):
        inodes = set()
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
        except FileNotFoundError:
            continue
        sockets_by_worker.append(inodes)
    established = set()
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == server.port and fields[3] == "01":
                established.add(fields[9])
    return sorted((len(inodes & established) for inodes in sockets_by_worker), reverse=True)


async def split_during(server, seconds: float, into: dict):
    await asyncio.sleep(seconds)
    into["split"] = connections_per_worker(server)


# --- The server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


LOCK_HOLD_LINE = re.compile(rb"^lock-hold (\d+) (sold|refused) (\d+) (\d+)$", re.M)
PROBE_CONFIG = str(BENCH / "probe.gunicorn.conf.py")
ACCESS_LINE = re.compile(rb'"(\w+) (\S+) HTTP/[\d.]+" (\d{3}) \S+ (\d+)ms')


class Server:
    """gunicorn with the repository's gunicorn.conf.py, its output in bench/out/<name>.log.

    `root` and `bin_dir` name another checkout and its virtualenv (the A/B mode's base build).
    """

    def __init__(
        self, name: str, env: dict, root: Path = ROOT, bin_dir: Path = VENV_BIN, config: str = "gunicorn.conf.py"
    ):
        self.name, self.env, self.root, self.bin_dir, self.config = name, env, Path(root), Path(bin_dir), config
        self.port = int(env["BIND"].rsplit(":", 1)[1])
        self.log_path = OUT / f"gunicorn-{name}.log"
        self.process = None

    def start(self):
        # --max-requests 0: the config recycles a worker every ~10,000 requests, and a worker
        # re-importing Django in the middle of a 20 s phase would be measured as the app's cost.
        command = [str(self.bin_dir / "gunicorn"), "-c", self.config, "--max-requests", "0"]
        self.log_handle = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            command,
            cwd=self.root,
            env=self.env,
            stdout=self.log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    async def wait_ready(self, timeout=60.0):
        from loadgen import Connection

        deadline = time.monotonic() + timeout
        head = build_head("GET", "/api/health/", self.host_header)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn {self.name} exited; see {self.log_path}")
            try:
                connection = Connection(HOST, self.port)
                status, body = await connection.request(head)
                connection.close()
                if status == 200:
                    return
            except OSError:
                pass
            await asyncio.sleep(0.3)
        raise SystemExit(f"gunicorn {self.name} did not answer /api/health/ within {timeout:.0f} s")

    @property
    def host_header(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_offset(self) -> int:
        self.log_handle.flush()
        return self.log_path.stat().st_size

    def access_log(self, start: int, end: int) -> list[tuple[str, int, int]]:
        """(path, status, server ms) of the access-log lines written between two offsets."""
        with open(self.log_path, "rb") as handle:
            handle.seek(start)
            chunk = handle.read(end - start)
        return [(m[2].decode(), int(m[3]), int(m[4])) for m in ACCESS_LINE.finditer(chunk)]

    def lock_holds(self, start: int, end: int) -> list[tuple[int, str, int, int]]:
        """(microseconds held, sold or refused, locked at, released at: wall-clock microseconds) of
        the lock-probe lines written between two offsets."""
        with open(self.log_path, "rb") as handle:
            handle.seek(start)
            chunk = handle.read(end - start)
        return [(int(m[1]), m[2].decode(), int(m[3]), int(m[4])) for m in LOCK_HOLD_LINE.finditer(chunk)]

    def errors_logged(self) -> int:
        text = self.log_path.read_bytes()
        return text.count(b"Traceback (most recent call last)")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_handle.close()


# --- Phases ----------------------------------------------------------------------------------------


async def login_all(server: Server, usernames: list[str], password: str, clients: int = 4) -> list[str]:
    tokens, failures = [], Counter()
    pending = list(usernames)

    def next_request(_):
        if not pending:
            return None
        body = json.dumps({"username": pending.pop(), "password": password}).encode()
        return build_head("POST", "/api/auth/login/", server.host_header, None, len(body)), body

    def on_response(status, payload, _t):
        if status == 200:
            tokens.append(json.loads(payload)["access"])
        else:
            failures[status] += 1

    await closed_loop("login", HOST, server.port, clients, next_request, on_response=on_response)
    if failures or not tokens:
        raise SystemExit(f"login failed: {dict(failures)} (is THROTTLE_AUTH off? did seed_demo --users run?)")
    return tokens


def search_paths(routes, today: date, count=5000, seed=2026) -> list[str]:
    """Varied searches: random seeded routes, dates over the booking window, 1 in 10 with no date."""
    rng = random.Random(seed)
    paths = []
    for _ in range(count):
        source, destination, _trains = rng.choice(routes)
        query = {"source": source, "destination": destination}
        if rng.random() < 0.9:
            query["date"] = (today + timedelta(days=rng.randrange(60))).isoformat()
        paths.append("/api/trains/search/?" + urllib.parse.urlencode(query))
    return paths


def get_requests(server: Server, paths: list[str], tokens: list[str]):
    """Round-robin over paths and tokens; heads built once, so a request costs the client nothing."""
    heads = [build_head("GET", path, server.host_header, tokens[i % len(tokens)]) for i, path in enumerate(paths)]
    counter = iter(range(10**12))
    return lambda _client: (heads[next(counter) % len(heads)], b"")


def error_codes(result: PhaseResult, bodies: list[bytes]) -> dict:
    codes = Counter()
    for body in bodies:
        try:
            codes[json.loads(body).get("code", "?")] += 1
        except (ValueError, AttributeError):
            codes["<not json>"] += 1
    return dict(codes)


async def hot_run(server, tokens, train_id, travel_date, seats, clients, after_soldout) -> PhaseResult:
    """Book 1 seat per request on one run until it reports sold out, then `after_soldout` more."""
    body = json.dumps({"train": train_id, "travel_date": travel_date, "seats": 1, "allow_waitlist": False}).encode()
    heads = [build_head("POST", "/api/bookings/", server.host_header, token, len(body)) for token in tokens]
    state = {"issued": 0, "after": 0, "soldout_at": None, "confirmed": 0, "last_confirmed_at": 0.0}
    rejected_bodies = []
    # A run that never reports sold out (a defect) must still end.
    cap = seats * 2 + after_soldout

    def next_request(_client):
        if state["soldout_at"] is not None:
            if state["after"] >= after_soldout:
                return None
            state["after"] += 1
        elif state["issued"] >= cap:
            return None
        state["issued"] += 1
        return heads[state["issued"] % len(heads)], body

    def on_response(status, payload, t):
        if status == 201:
            state["confirmed"] += 1
            state["last_confirmed_at"] = t
        else:
            rejected_bodies.append(payload)
            # Only "sold_out" ends the sell-out phase; any other refusal is counted and reported.
            if status == 409 and state["soldout_at"] is None and b'"sold_out"' in payload:
                state["soldout_at"] = t

    result = await closed_loop("hot", HOST, server.port, clients, next_request, on_response=on_response)
    sellout_s = state["last_confirmed_at"] or result.elapsed_s
    result.extra.update(
        confirmed_by_client=state["confirmed"],
        sellout_s=sellout_s,
        bookings_per_s=state["confirmed"] / sellout_s if sellout_s else 0.0,
        attempts_after_soldout=state["after"],
        rejection_codes=error_codes(result, rejected_bodies),
        travel_date=travel_date,
    )
    return result


async def spread_run(server, tokens, runs, bookings, clients) -> PhaseResult:
    """Book 1 seat per request, cycling over `runs`, so concurrent requests hit different runs."""
    bodies = [
        json.dumps({"train": train_id, "travel_date": day, "seats": 1, "allow_waitlist": False}).encode()
        for train_id, day in runs
    ]
    state = {"issued": 0, "confirmed": 0}
    rejected_bodies = []

    def next_request(_client):
        k = state["issued"]
        if k >= bookings:
            return None
        state["issued"] += 1
        body = bodies[k % len(bodies)]
        return build_head("POST", "/api/bookings/", server.host_header, tokens[k % len(tokens)], len(body)), body

    def on_response(status, payload, _t):
        if status == 201:
            state["confirmed"] += 1
        else:
            rejected_bodies.append(payload)

    result = await closed_loop("spread", HOST, server.port, clients, next_request, on_response=on_response)
    result.extra.update(
        confirmed_by_client=state["confirmed"],
        bookings_per_s=state["confirmed"] / result.elapsed_s,
        runs=len(runs),
        rejection_codes=error_codes(result, rejected_bodies),
    )
    return result


TATKAL_NAMES = ["Asha", "Bhanu", "Chitra", "Devraj", "Esha", "Farhan", "Gauri", "Harish"]


async def tatkal_storm(server, tokens, setup: dict, train_id: int, clients, searchers, after_s, seed) -> PhaseResult:
    """At one moment, `clients` book 1-4 named passengers each from one run's Tatkal pool (its
    window open) until it is sold out and `after_s` seconds more, while `searchers` search the
    route for Tatkal; every request is timed from the same start."""
    rng = random.Random(seed)
    run_date = setup["run_date"]
    bodies = []
    for _ in range(256):
        party = rng.randint(1, 4)
        passengers = [
            {"name": rng.choice(TATKAL_NAMES), "age": rng.randint(18, 70), "gender": rng.choice("MF")}
            for _ in range(party)
        ]
        bodies.append(
            json.dumps(
                {
                    "train": train_id,
                    "travel_date": run_date,
                    "class": setup["class"],
                    "quota": "TQ",
                    "passengers": passengers,
                    "allow_waitlist": False,
                }
            ).encode()
        )
    heads = [
        (build_head("POST", "/api/bookings/", server.host_header, tokens[i % len(tokens)], len(body)), body)
        for i, body in enumerate(bodies)
    ]
    source, destination = setup["route"]
    query = urllib.parse.urlencode({"source": source, "destination": destination, "date": run_date, "quota": "TQ"})
    search_heads = [build_head("GET", f"{SEARCH_PATH}?{query}", server.host_header, token) for token in tokens]
    state = {"issued": 0, "searches": 0, "sold_at": None, "passengers": 0, "confirmed": 0, "last_sale": 0.0}
    refusals, other, timeline = [], Counter(), []
    pool = setup["pool"]
    # A pool that never sells out (a defect) must still end.
    cap = pool * 20

    def done() -> bool:
        if state["sold_at"] is not None:
            return time.perf_counter() >= state["sold_at"] + after_s
        return state["issued"] >= cap

    def next_booking(_client):
        if done():
            return None
        state["issued"] += 1
        return heads[state["issued"] % len(heads)]

    def on_booking(status, payload, t):
        timeline.append((t, status))
        if status == 201:
            state["confirmed"] += 1
            state["passengers"] += json.loads(payload)["seats"]
            state["last_sale"] = t
            if state["passengers"] >= pool and state["sold_at"] is None:
                state["sold_at"] = time.perf_counter()
        elif status == 409:
            code = json.loads(payload).get("code")
            refusals.append((t, code))
        else:
            other[status] += 1

    search_times = []

    def on_search(_status, _payload, t):
        search_times.append(t)

    def next_search(_client):
        if done():
            return None
        state["searches"] += 1
        return search_heads[state["searches"] % len(search_heads)], b""

    booking, search = await asyncio.gather(
        closed_loop("tatkal", HOST, server.port, clients, next_booking, on_response=on_booking),
        closed_loop("tatkal_search", HOST, server.port, searchers, next_search, on_response=on_search),
    )
    sold_s = state["last_sale"] or booking.elapsed_s
    after = [t for t, _code in refusals if t > sold_s]
    after_window = booking.elapsed_s - sold_s
    selling = [latency for (t, status), latency in zip(timeline, booking.latencies_ms, strict=False) if t <= sold_s]
    booking.extra.update(
        confirmed_by_client=state["confirmed"],
        passengers_confirmed=state["passengers"],
        sellout_s=sold_s,
        bookings_per_s=state["confirmed"] / sold_s if sold_s else 0.0,
        passengers_per_s=state["passengers"] / sold_s if sold_s else 0.0,
        refusals_after=len(after),
        refusals_per_s=len(after) / after_window if after_window > 0 else None,
        # What the server answered in all after the sell-out: the searchers share it with the refusals.
        after_searches_per_s=sum(1 for t in search_times if t > sold_s) / after_window if after_window > 0 else None,
        refusal_codes=dict(Counter(code for _t, code in refusals)),
        other_statuses={str(k): v for k, v in other.items()},
        selling_p50_ms=percentile(selling, 50),
        selling_p99_ms=percentile(selling, 99),
        search_requests=search.requests,
        search_rps=search.rps,
        search_p50_ms=search.percentile(50),
        search_p99_ms=search.percentile(99),
        search_statuses={str(k): v for k, v in search.statuses.items()},
        train=train_id,
        travel_date=run_date,
    )
    return booking


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, min(len(ordered), -(-int(q * len(ordered)) // 100))) - 1]


async def measured(server: Server, phase: str, run_phase, profiler=None) -> dict:
    """Run one phase with CPU, access-log and (optionally) py-spy accounting around it."""
    meter = CpuMeter(server.pid).start()
    log_start = server.log_offset()
    spy = profiler.start(phase, server) if profiler else None
    result: PhaseResult = await run_phase()
    if spy:
        profiler.stop(spy)
    cpu = meter.stop()
    access = server.access_log(log_start, server.log_offset())
    server_ms = [ms for _path, _status, ms in access]
    record = {
        "requests": result.requests,
        "elapsed_s": round(result.elapsed_s, 3),
        "rps": round(result.rps, 1),
        "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
        "server_5xx": sum(1 for _p, status, _ms in access if status >= 500),
        "p50_ms": round(result.percentile(50), 2),
        "p95_ms": round(result.percentile(95), 2),
        "p99_ms": round(result.percentile(99), 2),
        "server_p50_ms": percentile(server_ms, 50),
        "server_p99_ms": percentile(server_ms, 99),
        "connects": result.connects,
        "connection_errors": result.connection_errors,
        "client_cpu_s": round(result.client_cpu_s, 2),
        "server_cpu_s": round(cpu["server_cpu_s"], 2),
        "mariadb_cpu_s": round(cpu["mariadb_cpu_s"], 2),
        "server_cpu_ms_per_request": round(1000 * cpu["server_cpu_s"] / result.requests, 2)
        if result.requests
        else None,
        "mariadb_cpu_ms_per_request": round(1000 * cpu["mariadb_cpu_s"] / result.requests, 2)
        if result.requests
        else None,
        "other_cpu_s": round(
            cpu["machine_busy_cpu_s"] - cpu["server_cpu_s"] - cpu["mariadb_cpu_s"] - result.client_cpu_s, 2
        ),
        **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in result.extra.items()},
    }
    five_xx = sum(v for k, v in result.statuses.items() if k >= 500)
    summary = f"{result.rps:7.1f} req/s  p50 {record['p50_ms']:.1f} ms  p99 {record['p99_ms']:.1f} ms"
    if "bookings_per_s" in result.extra:
        summary += f"  {result.extra['bookings_per_s']:.1f} bookings/s"
    log(
        f"  {phase:<13}{summary}  statuses {record['statuses']}  5xx {five_xx}  "
        f"cpu server {record['server_cpu_s']}s db {record['mariadb_cpu_s']}s client {record['client_cpu_s']}s "
        f"other {record['other_cpu_s']}s"
    )
    return record


# --- Profiling -------------------------------------------------------------------------------------


class Profiler:
    """py-spy record over gunicorn's master and workers for the length of one phase."""

    def __init__(self, phases: str, gil: bool = False):
        self.phases, self.gil = set(phases.split(",")), gil

    def start(self, phase: str, server: Server):
        if phase not in self.phases:
            return None
        self.phase = phase
        self.output = OUT / f"profile-{phase}.txt"
        command = [
            str(VENV_BIN / "py-spy"),
            "record",
            "--pid",
            str(server.pid),
            "--subprocesses",
            "--nonblocking",
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(self.output),
        ]
        if self.gil:
            command.append("--gil")
            self.output = OUT / f"profile-{phase}-gil.txt"
            command[command.index("--output") + 1] = str(self.output)
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)  # py-spy attaches before the load starts
        return spy

    def stop(self, spy):
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
        self.report = summarize_profile(self.output)
        (self.output.with_name(self.output.stem + "-summary.txt")).write_text(self.report)
        print(self.report, flush=True)


FRAME_LINE = re.compile(r":\d+\)$")


def _frame_label(frame: str) -> str:
    """`get (django/db/models/query.py)`: function and file, without the line or site-packages prefix."""
    frame = FRAME_LINE.sub(")", frame.strip())
    frame = re.sub(r"\(.*?/site-packages/", "(", frame)
    return frame.replace(f"({ROOT}/", "(")


def summarize_profile(path: Path, top=30) -> str:
    inclusive, own, total = Counter(), Counter(), 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [_frame_label(f) for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        n = int(count)
        total += n
        for label in set(frames):
            inclusive[label] += n
        if frames:
            own[frames[-1]] += n
    lines = [
        f"py-spy, {total} non-idle samples of gunicorn master + workers, all threads ({path.name})",
        "",
        "inclusive (% of samples):",
    ]
    lines += [f"  {100 * n / total:5.1f}%  {label}" for label, n in inclusive.most_common(top)]
    lines += ["", "own time (% of samples):"]
    lines += [f"  {100 * n / total:5.1f}%  {label}" for label, n in own.most_common(top // 2)]
    return "\n".join(lines) + "\n"


# --- Results ---------------------------------------------------------------------------------------


def median_of(records: list[dict], key: str):
    values = [r[key] for r in records if r.get(key) is not None]
    return statistics.median(values) if values else None


def search_pairs(reps: dict, *, same_split: bool = False) -> list[tuple[dict, dict]]:
    """(log on, log off) of each repetition, whose two phases ran back to back."""
    pairs = zip(reps["search"], reps["search_nolog"], strict=False)
    return [
        (on, off)
        for on, off in pairs
        if off["rps"] and (not same_split or on.get("connections_per_worker") == off.get("connections_per_worker"))
    ]


def logging_cost_pairs(reps: dict, *, same_split: bool = False) -> list[float]:
    return [1 - on["rps"] / off["rps"] for on, off in search_pairs(reps, same_split=same_split)]


def logging_cpu_cost_pairs(reps: dict) -> list[float]:
    """1 - CPU per search with the log off / on, the on side counting the MongoDB server's CPU too.

    On a machine shared with other work this is what the log takes from a CPU-bound server,
    whatever the connection split and the other processes did to the throughput.
    """
    return [
        1 - off["server_cpu_ms_per_request"] / (on["server_cpu_ms_per_request"] + on["mongo_cpu_ms_per_request"])
        for on, off in search_pairs(reps)
        if on.get("server_cpu_ms_per_request") and off.get("server_cpu_ms_per_request")
    ]


def median_or_none(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def check_search_logs(server: Server, search_log: SearchLogServer) -> dict:
    """Searches A answered (warm-up included) against the logs its workers wrote to MongoDB."""
    for _ in range(50):  # the workers' writers are asynchronous: give them a moment
        answered = sum(1 for path, _s, _ms in server.access_log(0, server.log_offset()) if path.startswith(SEARCH_PATH))
        stored = search_log.stored_logs()
        if stored >= answered:
            break
        time.sleep(0.2)
    log(f"search logs in MongoDB: {stored} of the {answered} searches the log-on instance answered")
    return {"searches_answered": answered, "logs_stored": stored}


def machine_info(args) -> dict:
    import django
    import gunicorn

    cpu_model = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?"
    )
    return {
        "cores": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "mariadb": mariadb_version(args),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def summarize(reps: dict, memory: dict, hot_checks: list[dict], args) -> tuple[dict, dict]:
    figures = {}
    for phase, records in reps.items():
        if not records:
            continue
        keys = [
            "rps",
            "p50_ms",
            "p95_ms",
            "p99_ms",
            "server_p50_ms",
            "server_p99_ms",
            "bookings_per_s",
            "client_cpu_s",
            "server_cpu_s",
            "mariadb_cpu_s",
            "other_cpu_s",
            "elapsed_s",
            "server_cpu_ms_per_request",
            "mariadb_cpu_ms_per_request",
            "mongo_cpu_ms_per_request",
            "sellout_s",
            "passengers_per_s",
            "refusals_per_s",
            "after_searches_per_s",
            "selling_p50_ms",
            "selling_p99_ms",
            "search_p99_ms",
            "search_rps",
            "hold_mean_us",
            "hold_p50_us",
            "hold_p99_us",
            "lock_bound_per_s",
            "bound_ratio",
        ]
        figures[phase] = {k: median_of(records, k) for k in keys if median_of(records, k) is not None}
    figures["memory"] = memory

    def ratio(a, b):
        return round(a / b, 3) if a is not None and b else None

    ceiling = figures.get("ceiling", {}).get("rps")
    search = figures.get("search", {}).get("rps")
    search_nolog = figures.get("search_nolog", {}).get("rps")
    hot = figures.get("hot", {}).get("bookings_per_s")
    spread = figures.get("spread", {}).get("bookings_per_s")
    figures["ratios"] = {
        "search_vs_ceiling": ratio(search, ceiling),
        "hot_vs_ceiling": ratio(hot, ceiling),
        "spread_vs_ceiling": ratio(spread, ceiling),
        "search_log_on_vs_off": ratio(search, search_nolog),
        "logging_cost": median_or_none(logging_cost_pairs(reps)),
        "logging_cost_same_split": median_or_none(logging_cost_pairs(reps, same_split=True)),
        "logging_cpu_cost": median_or_none(logging_cpu_cost_pairs(reps)),
    }
    figures["logging_cost_pairs"] = [round(cost, 3) for cost in logging_cost_pairs(reps)]
    figures["logging_cost_splits"] = [
        [on.get("connections_per_worker"), off.get("connections_per_worker")] for on, off in search_pairs(reps)
    ]
    targets = {}
    if hot_checks:
        hot_5xx = sum(r["server_5xx"] + sum(v for k, v in r["statuses"].items() if int(k) >= 500) for r in reps["hot"])
        oversold = [c for c in hot_checks if not c["ok"]]
        targets["zero_oversell"] = {
            "pass": not oversold and hot_5xx == 0,
            "value": f"confirmed seats {[c['confirmed_seats'] for c in hot_checks]}, 5xx {hot_5xx}",
        }
    if search is not None:
        p99 = figures["search"]["p99_ms"]
        targets["search_p99"] = {"pass": p99 < 50, "value": f"{p99:.1f} ms"}
    if figures["ratios"]["search_vs_ceiling"] is not None:
        r = figures["ratios"]["search_vs_ceiling"]
        targets["search_vs_ceiling"] = {"pass": r >= 0.60, "value": f"{100 * r:.0f}%"}
    if figures["ratios"]["hot_vs_ceiling"] is not None:
        r = figures["ratios"]["hot_vs_ceiling"]
        targets["hot_vs_ceiling"] = {"pass": r >= 0.40, "value": f"{100 * r:.0f}%"}
    if figures["ratios"]["logging_cost"] is not None:
        c = figures["ratios"]["logging_cost"]
        targets["logging_cost"] = {"pass": c <= 0.05, "value": f"{100 * c:.1f}%"}
    if reps.get("tatkal"):
        tatkal = reps["tatkal"]
        bad = [r["db_check"] for r in tatkal if not r["db_check"]["ok"]]
        targets["tatkal_oversell"] = {
            "pass": not bad,
            "value": f"confirmed passengers {[r['db_check']['confirmed_passengers'] for r in tatkal]}, "
            f"outside the pool {[r['db_check']['seats_outside_pool'] for r in tatkal]}, "
            f"5xx {sum(r['server_5xx'] for r in tatkal)}",
        }
        ratio = figures["tatkal"].get("bound_ratio")
        if ratio is not None:
            targets["tatkal_vs_bound"] = {"pass": ratio >= 0.70, "value": f"{100 * ratio:.0f}%"}
        refusals = figures["tatkal"].get("refusals_per_s")
        if refusals is not None and ceiling:
            figures["ratios"]["tatkal_refusals_vs_ceiling"] = round(refusals / ceiling, 3)
            targets["tatkal_refusals_vs_ceiling"] = {
                "pass": refusals / ceiling >= 0.80,
                "value": f"{100 * refusals / ceiling:.0f}%",
            }
    for name, target in targets.items():
        target["target"] = TARGETS[name]
    return figures, targets


def figures_table(figures: dict, targets: dict, extra_rows=()) -> str:
    def fmt(value, spec=".1f"):
        return "–" if value is None else format(value, spec)

    rows = ["| measurement | median of reps |", "|---|---|"]
    if "ceiling" in figures:
        c = figures["ceiling"]
        rows.append(
            f"| ceiling `GET /api/auth/me/` (16 clients) | {fmt(c['rps'])} req/s, p50 {fmt(c['p50_ms'])} ms, p99 {fmt(c['p99_ms'])} ms |"
        )
    if "search" in figures:
        s = figures["search"]
        rows.append(
            f"| search, log on (16 clients) | {fmt(s['rps'])} req/s, p50 {fmt(s['p50_ms'])} / p95 {fmt(s['p95_ms'])} / p99 {fmt(s['p99_ms'])} ms (in-server p50 {fmt(s.get('server_p50_ms'), '.0f')} / p99 {fmt(s.get('server_p99_ms'), '.0f')} ms) |"
        )
    if "search_nolog" in figures:
        s = figures["search_nolog"]
        rows.append(
            f"| search, log off (16 clients) | {fmt(s['rps'])} req/s, p50 {fmt(s['p50_ms'])} / p95 {fmt(s['p95_ms'])} / p99 {fmt(s['p99_ms'])} ms |"
        )
    if "hot" in figures:
        h = figures["hot"]
        rows.append(
            f"| hot run: 1 run x 1,000 seats (32 clients) | {fmt(h['bookings_per_s'])} bookings/s (all attempts {fmt(h['rps'])} req/s, p99 {fmt(h['p99_ms'])} ms) |"
        )
    if "spread" in figures:
        s = figures["spread"]
        rows.append(
            f"| spread: 500 runs (32 clients) | {fmt(s['bookings_per_s'])} bookings/s (p99 {fmt(s['p99_ms'])} ms) |"
        )
    if "tatkal" in figures:
        t = figures["tatkal"]
        rows.append(
            f"| Tatkal: 200-berth pool, clients booking 1-4 passengers, others searching | sold out in {fmt(t.get('sellout_s'), '.2f')} s: "
            f"{fmt(t.get('passengers_per_s'), '.0f')} passengers/s ({fmt(t.get('bookings_per_s'), '.0f')} bookings/s); "
            f"refusals after {fmt(t.get('refusals_per_s'), '.0f')}/s (with {fmt(t.get('after_searches_per_s'), '.0f')} searches/s); booking p50 {fmt(t.get('p50_ms'))} / p99 {fmt(t.get('p99_ms'))} ms "
            f"(while selling p99 {fmt(t.get('selling_p99_ms'))} ms); search p99 {fmt(t.get('search_p99_ms'))} ms |"
        )
        rows.append(
            f"| Tatkal: run lock held per sale | mean {fmt(t.get('hold_mean_us'), '.0f')} us, p50 {fmt(t.get('hold_p50_us'), '.0f')} / "
            f"p99 {fmt(t.get('hold_p99_us'), '.0f')} us: bound {fmt(t.get('lock_bound_per_s'), '.0f')} bookings/s, "
            f"selling at {fmt(100 * t['bound_ratio'] if t.get('bound_ratio') else None, '.0f')}% of it |"
        )
    ratios = figures.get("ratios", {})
    for key, label in [
        ("search_vs_ceiling", "search / ceiling"),
        ("hot_vs_ceiling", "hot bookings / ceiling"),
        ("spread_vs_ceiling", "spread bookings / ceiling"),
        ("logging_cost", "search-log cost (1 - on/off, median of paired reps)"),
        ("logging_cost_same_split", "search-log cost, pairs whose phases split connections alike"),
        ("logging_cpu_cost", "search-log CPU cost (app + MongoDB server, median of paired reps)"),
        ("tatkal_refusals_vs_ceiling", "Tatkal refusals after the sell-out / ceiling"),
    ]:
        if ratios.get(key) is not None:
            rows.append(f"| {label} | {100 * ratios[key]:.1f}% |")
    if figures.get("logging_cost_pairs"):
        pairs = ", ".join(
            f"{100 * cost:.1f}% ({'/'.join(map(str, on or []))} vs {'/'.join(map(str, off or []))})"
            for cost, (on, off) in zip(figures["logging_cost_pairs"], figures["logging_cost_splits"], strict=True)
        )
        on, off = figures["search"], figures["search_nolog"]
        rows.append(
            f"| search log, per request: app CPU on / off; MongoDB server CPU | "
            f"{fmt(on.get('server_cpu_ms_per_request'), '.2f')} / {fmt(off.get('server_cpu_ms_per_request'), '.2f')} ms; "
            f"{fmt(on.get('mongo_cpu_ms_per_request'), '.3f')} ms (pairs {pairs}) |"
        )
    rows += extra_rows
    memory = figures.get("memory", {})
    if memory.get("peak_rss_mib"):
        rows.append(
            f"| peak server memory (master + workers, log-on instance) | RSS sum {memory['peak_rss_mib']:.0f} MiB (PSS {memory['peak_pss_mib']:.0f} MiB) |"
        )
    rows += ["", "| target | value | status |", "|---|---|---|"]
    for target in targets.values():
        rows.append(f"| {target['target']} | {target['value']} | {'PASS' if target['pass'] else 'MISS'} |")
    return "\n".join(rows)


# --- Main ------------------------------------------------------------------------------------------


async def benchmark(
    args, servers: dict, setup: dict, tokens: list[str], profiler, search_log: SearchLogServer
) -> tuple[dict, list]:
    only = set(args.only.split(","))
    today = date.fromisoformat(setup["today"])
    paths = search_paths(setup["routes"], today)
    a, b = servers["A"], servers["B"]
    search_a = get_requests(a, paths, tokens)
    search_b = get_requests(b, paths, tokens)
    me_a = get_requests(a, ["/api/auth/me/"], tokens)
    clients, seconds = args.read_clients, args.duration

    log("warm-up: every worker thread imports, connects and caches before anything is timed")
    for server, search in [(a, search_a), (b, search_b)]:
        await closed_loop("warmup", HOST, server.port, clients, search, duration=args.warmup)
    await closed_loop("warmup", HOST, a.port, clients, me_a, duration=2)
    if only & {"hot", "spread"}:
        warm_date = (today + timedelta(days=50)).isoformat()
        warm = await spread_run(a, tokens, [(setup["hot_train"], warm_date)], 100, args.booking_clients)
        if warm.extra["confirmed_by_client"] == 0:
            raise SystemExit(f"warm-up bookings all failed: {warm.statuses} {warm.extra['rejection_codes']}")

    reps = {phase: [] for phase in PHASES}
    hot_checks = []
    dates_per_rep = max(1, args.spread_runs // len(setup["spread_trains"]))
    for rep in range(args.reps):
        log(f"repetition {rep + 1}/{args.reps}")
        prof = profiler if rep == 0 else None
        if "ceiling" in only:
            reps["ceiling"].append(
                await measured(
                    a, "ceiling", lambda: closed_loop("ceiling", HOST, a.port, clients, me_a, duration=seconds), prof
                )
            )
        search_phases = [("search", a, search_a), ("search_nolog", b, search_b)]
        # Back to back, in alternating order, so a drift in the machine's load favours neither.
        for phase, server, search in search_phases[:: -1 if rep % 2 else 1]:
            if phase in only:
                log_cpu_before = search_log.cpu_seconds()
                split = {}
                sampler = asyncio.create_task(split_during(server, min(2.0, seconds / 2), split))
                record = await measured(
                    server,
                    phase,
                    lambda phase=phase, server=server, search=search: closed_loop(
                        phase, HOST, server.port, clients, search, duration=seconds
                    ),
                    prof,
                )
                await sampler
                record["connections_per_worker"] = split.get("split")
                record["mongo_cpu_s"] = round(search_log.cpu_seconds() - log_cpu_before, 2)
                record["mongo_cpu_ms_per_request"] = round(1000 * record["mongo_cpu_s"] / max(1, record["requests"]), 3)
                reps[phase].append(record)
        if "hot" in only:
            hot_date = (today + timedelta(days=1 + rep)).isoformat()
            record = await measured(
                a,
                "hot",
                lambda hot_date=hot_date: hot_run(
                    a,
                    tokens,
                    setup["hot_train"],
                    hot_date,
                    setup["hot_seats"],
                    args.booking_clients,
                    args.after_soldout,
                ),
                prof,
            )
            check = fixtures(a.env, "verify", str(setup["hot_train"]), hot_date)
            check["ok"] = (
                check["confirmed_seats"]
                == setup["hot_seats"]
                == check["allocated_seats"]
                == check["distinct_seat_numbers"]
                and check["seats_out_of_range"] == 0
                and check["confirmed_bookings"] == record["confirmed_by_client"]
            )
            record["db_check"] = check
            hot_checks.append(check)
            log(f"  hot run {hot_date} in the DB: {check}")
            reps["hot"].append(record)
        if "spread" in only:
            first = 5 + rep * dates_per_rep
            days = [(today + timedelta(days=first + i)).isoformat() for i in range(dates_per_rep)]
            runs = [(train_id, day) for day in days for train_id in setup["spread_trains"]][: args.spread_runs]
            reps["spread"].append(
                await measured(
                    a,
                    "spread",
                    lambda runs=runs: spread_run(a, tokens, runs, args.spread_bookings, args.booking_clients),
                    prof,
                )
            )
        if "tatkal" in only:
            record = await tatkal_phase(a, tokens, setup["tatkal"], rep, args, prof)
            reps["tatkal"].append(record)
    return reps, hot_checks


async def tatkal_phase(server, tokens, tatkal: dict, rep: int, args, profiler) -> dict:
    """One Tatkal opening on a train of its own, checked in the database, with the lock holds the
    server logged meanwhile."""
    train_id = tatkal["trains"][rep % len(tatkal["trains"])]
    log_start = server.log_offset()
    record = await measured(
        server,
        "tatkal",
        lambda: tatkal_storm(
            server,
            tokens,
            tatkal,
            train_id,
            args.tatkal_clients,
            args.tatkal_searchers,
            args.tatkal_after,
            seed=2026 + rep,
        ),
        profiler,
    )
    holds = server.lock_holds(log_start, server.log_offset())
    sold = [us for us, outcome, _locked, _released in holds if outcome == "sold"]
    refused = [us for us, outcome, _locked, _released in holds if outcome == "refused"]
    gaps = lock_gaps(holds)
    mean_sold = statistics.mean(sold) if sold else None
    bound = 1e6 / mean_sold if mean_sold else None
    record.update(
        lock_holds_sold=len(sold),
        lock_holds_refused=len(refused),
        hold_mean_us=round(mean_sold) if mean_sold else None,
        hold_p50_us=percentile(sold, 50),
        hold_p99_us=percentile(sold, 99),
        refused_hold_mean_us=round(statistics.mean(refused)) if refused else None,
        lock_bound_per_s=round(bound, 1) if bound else None,
        bound_ratio=round(record["bookings_per_s"] / bound, 3) if bound else None,
        lock_gap_mean_us=round(statistics.mean(gaps)) if gaps else None,
        lock_gap_p50_us=percentile(gaps, 50),
        lock_gap_p99_us=percentile(gaps, 99),
    )
    check = fixtures(server.env, "tatkal-verify", str(train_id), tatkal["run_date"])
    check["ok"] = (
        check["confirmed_passengers"] == tatkal["pool"] == check["allocated_seats"] == check["distinct_seat_numbers"]
        and check["seats_outside_pool"] == 0
        and check["confirmed_bookings"] == record["confirmed_by_client"]
        and record["server_5xx"] == 0
        and not record["other_statuses"]
        and all(not k.startswith("5") for k in record["search_statuses"])
    )
    record["db_check"] = check
    log(
        f"  tatkal: sold out in {record['sellout_s']:.2f} s, {record['passengers_per_s']:.0f} passengers/s "
        f"({record['bookings_per_s']:.0f} bookings/s), refusals after {record['refusals_per_s'] or 0:.0f}/s; "
        f"lock hold mean {record['hold_mean_us']} us (bound {record['lock_bound_per_s']}/s, "
        f"{100 * (record['bound_ratio'] or 0):.0f}%), {len(refused)} refused under the lock; "
        f"free between holds mean {record['lock_gap_mean_us']} us (p50 {record['lock_gap_p50_us']}, "
        f"p99 {record['lock_gap_p99_us']}); "
        f"search p99 {record['search_p99_ms']:.1f} ms; DB {check}"
    )
    return record


def lock_gaps(holds: list[tuple[int, str, int, int]]) -> list[int]:
    """Microseconds the run's lock lay free between one hold's release and the next hold's lock,
    holds in the order they took it: time the sales lose against the bound (1 / mean hold), which
    counts only the holds. It includes the next waiter's grant reaching its worker (and the free
    seats read with it), which the probe can't see from inside the worker."""
    ordered = sorted((locked, released) for _us, _outcome, locked, released in holds)
    return [max(0, following[0] - current[1]) for current, following in pairwise(ordered)]


def main():
    args = parse_args()
    if args.ab:
        import ab

        return ab.main(args)
    if args.sweep:
        import sweep

        return sweep.main(args)
    OUT.mkdir(exist_ok=True)
    started = time.monotonic()
    secret_key = secrets.token_urlsafe(50)
    machine = machine_info(args)
    log(f"machine: {machine['cores']} cores, {machine['cpu_model']}, load average {machine['load_average_at_start']}")
    base_env = bench_env(args, secret_key)

    if not args.reuse_db:
        log(f"fresh database {args.db_name}: drop, create, migrate")
        fresh_database(args)
        manage(base_env, "migrate", "--noinput", "-v", "0", capture=True)
        log(f"seed_demo --trains {args.trains} --users {args.users}")
        seed_started = time.monotonic()
        manage(base_env, "seed_demo", "--trains", str(args.trains), "--users", str(args.users), capture=True)
        log(f"  seeded in {time.monotonic() - seed_started:.1f} s")
    setup = fixtures(base_env, "setup")
    if "tatkal" in args.only.split(","):
        setup["tatkal"] = fixtures(base_env, "tatkal", str(args.reps))
        log(
            f"Tatkal: trains {setup['tatkal']['trains']}, run {setup['tatkal']['run_date']} (opened {setup['tatkal']['opened_at']})"
        )
    log(f"{setup['trains_total']} trains, {len(setup['routes'])} routes; hot train id {setup['hot_train']}")

    search_log = SearchLogServer().start()
    log(f"search log: MongoDB wire-protocol server (scripts/mongo.sh) on {search_log.uri}, PID {search_log.pid}")
    on_env = bench_env(args, secret_key, search_log=True, port=free_port(), mongo_uri=search_log.uri)
    servers = {
        "A": Server("A-log-on", on_env, config=PROBE_CONFIG),
        "B": Server("B-log-off", bench_env(args, secret_key, search_log=False, port=free_port())),
    }
    samplers = {}
    try:
        for server in servers.values():
            server.start()

        async def all_ready():
            await asyncio.gather(*(s.wait_ready() for s in servers.values()))

        asyncio.run(all_ready())
        for key, server in servers.items():
            samplers[key] = MemorySampler(server.pid)
            samplers[key].start()
        log(
            f"gunicorn: {args.workers} workers x {args.threads} threads each; A (log on) :{servers['A'].port}, "
            f"B (log off) :{servers['B'].port}"
        )

        step = max(1, args.users // args.login_users)
        usernames = [f"loaduser{n}" for n in range(1, args.users + 1, step)][: args.login_users]
        login_started = time.monotonic()
        tokens = asyncio.run(login_all(servers["A"], usernames, load_user_password()))
        log(
            f"{len(tokens)} users logged in ({usernames[0]}..{usernames[-1]}, every {step}th) in "
            f"{time.monotonic() - login_started:.1f} s"
        )

        profiler = Profiler(args.profile, args.profile_gil) if args.profile else None
        reps, hot_checks = asyncio.run(benchmark(args, servers, setup, tokens, profiler, search_log))
        search_log_check = check_search_logs(servers["A"], search_log)
    finally:
        for sampler in samplers.values():
            sampler.stop()
        for server in servers.values():
            server.stop()
        search_log.stop()

    if "replica" in args.only.split(","):
        import replica_phase

        reps.update(replica_phase.run(args, secret_key))

    memory = {
        "peak_rss_mib": round(samplers["A"].peak_rss_kib / 1024, 1),
        "peak_pss_mib": round(samplers["A"].peak_pss_kib / 1024, 1),
        "processes": samplers["A"].peak_processes,
        "log_off_instance_peak_rss_mib": round(samplers["B"].peak_rss_kib / 1024, 1),
    }
    figures, targets = summarize(reps, memory, hot_checks, args)
    extra_rows = []
    if "replica" in args.only.split(","):
        replica_phase.add_figures(figures, reps)
        extra_rows = replica_phase.table_rows(figures)
    errors_logged = {s.name: s.errors_logged() for s in servers.values()}
    table = figures_table(figures, targets, extra_rows)
    wall = time.monotonic() - started
    print()
    print(table)
    print(f"\nwall time {wall / 60:.1f} min; tracebacks in server logs: {errors_logged}")

    results = {
        "machine": machine,
        "config": {
            "command": "bench/run.sh " + " ".join(sys.argv[1:]),
            "gunicorn": {
                "workers": args.workers,
                "threads": args.threads,
                "worker_class": "gthread" if args.threads > 1 else "sync",
                "max_requests": 0,
                "config": "gunicorn.conf.py",
            },
            "database": f"MariaDB {machine['mariadb']}, fresh `{args.db_name}`",
            "seed": {
                "trains": args.trains,
                "users": args.users,
                "trains_total": setup["trains_total"],
                "routes": len(setup["routes"]),
            },
            "logged_in_users": args.login_users,
            "read_clients": args.read_clients,
            "booking_clients": args.booking_clients,
            "duration_s": args.duration,
            "repetitions": args.reps,
            "spread": {"runs": args.spread_runs, "bookings": args.spread_bookings},
            "hot": {"seats": setup["hot_seats"], "attempts_after_soldout": args.after_soldout},
            "search_log": "MongoDB wire-protocol server (SecantusDB 0.7.0b3, in memory; scripts/mongo.sh) "
            "on this machine, shared by both workers of A",
            "search_log_check": search_log_check,
            "throttles": "off",
            "profiled_phase": args.profile,
        },
        "figures": figures,
        "targets": targets,
        "repetitions": reps,
        "server_tracebacks": errors_logged,
        "wall_time_s": round(wall, 1),
        "table_markdown": table,
    }
    if args.output:
        output = args.output
    elif args.profile or args.reuse_db:
        output = OUT / "results-partial.json"
    else:
        output = BENCH / "results.json"
    output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    (OUT / "table.md").write_text(table + "\n")
    log(f"wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


if __name__ == "__main__":
    main()
