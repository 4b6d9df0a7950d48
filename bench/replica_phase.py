"""The `replica` phase: search on a primary alone, then with a GTID replica serving the reads.

The shared MariaDB can't be given a replica without reconfiguring it, so this phase starts a
private pair (tests/replica/servers.py: two `mariadbd` on free ports, the second replicating the
first), migrates and seeds the primary the way the other phases' database is seeded, and serves
the app twice against it, side by side and idle in turn:

    P  primary only (DB_REPLICA_HOSTS empty): every read on the primary;
    R  DB_REPLICA_HOSTS naming the replica: search reads the replica.

Each repetition measures the same search load on P, then on R. Which server did the reading is
counted on the servers themselves (`Com_select` per request, on the primary and on the replica),
with each server's own CPU time: the figures show the search moving from one to the other.
"""

import asyncio
import sys
import time
from datetime import date
from pathlib import Path

import run as bench
from loadgen import closed_loop
from procstats import cpu_seconds

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.replica.servers import ReplicatedMariaDB  # noqa: E402

PHASES = ("search_primary_only", "search_replica")


class ServerCounters:
    """SELECTs and CPU seconds of the pair's two servers over one phase."""

    def __init__(self, pair: ReplicatedMariaDB):
        self.servers = {"primary": pair.primary, "replica": pair.replica}

    def _read(self) -> dict:
        return {
            name: (server.status("Com_select"), cpu_seconds([server.process.pid]))
            for name, server in self.servers.items()
        }

    def start(self):
        self._start = self._read()
        return self

    def stop(self, requests: int) -> dict:
        end = self._read()
        figures = {}
        for name in self.servers:
            selects = end[name][0] - self._start[name][0]
            figures[f"{name}_selects_per_request"] = round(selects / requests, 2) if requests else None
            figures[f"{name}_cpu_s"] = round(end[name][1] - self._start[name][1], 2)
        return figures


def run(args, secret_key: str) -> dict[str, list[dict]]:
    """Every repetition's records of the two search phases, as `bench.benchmark` returns them."""
    pair = ReplicatedMariaDB().start()
    servers = {}
    try:
        bench.log(f"replica phase: private primary {pair.primary.address}, replica {pair.replica.address}")
        pair.migrate()
        seed_env = {**bench.bench_env(args, secret_key), **_database_env(pair, replicas=False)}
        started = time.monotonic()
        bench.manage(seed_env, "seed_demo", "--trains", str(args.trains), "--users", str(args.users), capture=True)
        setup = bench.fixtures(seed_env, "setup")
        pair.wait_until_replica_caught_up(timeout=300)
        bench.log(f"  seeded and replicated in {time.monotonic() - started:.1f} s")
        for name, replicas in [("P-primary-only", False), ("R-replica", True)]:
            env = {**bench.bench_env(args, secret_key, port=bench.free_port()), **_database_env(pair, replicas)}
            servers[name] = bench.Server(name, env).start()
        return asyncio.run(_measure(args, pair, servers["P-primary-only"], servers["R-replica"], setup))
    finally:
        for server in servers.values():
            server.stop()
        pair.stop()


def _database_env(pair: ReplicatedMariaDB, replicas: bool) -> dict:
    return {key: value for key, value in pair.app_env(replicas=replicas).items() if key.startswith("DB_")}


async def _measure(args, pair, primary_only, with_replica, setup) -> dict[str, list[dict]]:
    await asyncio.gather(primary_only.wait_ready(), with_replica.wait_ready())
    usernames = [f"loaduser{n}" for n in range(1, args.users + 1, max(1, args.users // args.login_users))]
    tokens = await bench.login_all(primary_only, usernames[: args.login_users], bench.load_user_password())
    paths = bench.search_paths(setup["routes"], date.fromisoformat(setup["today"]))
    loads = {server: bench.get_requests(server, paths, tokens) for server in (primary_only, with_replica)}
    for server, load in loads.items():
        await closed_loop("warmup", bench.HOST, server.port, args.read_clients, load, duration=3)

    reps = {phase: [] for phase in PHASES}
    for rep in range(args.reps):
        bench.log(f"replica phase, repetition {rep + 1}/{args.reps}")
        for phase, server in zip(PHASES, (primary_only, with_replica), strict=True):
            counters = ServerCounters(pair).start()
            record = await bench.measured(
                server,
                phase,
                lambda server=server, phase=phase: closed_loop(
                    phase, bench.HOST, server.port, args.read_clients, loads[server], duration=args.duration
                ),
            )
            record.update(counters.stop(record["requests"]))
            bench.log(
                f"    SELECTs per request: primary {record['primary_selects_per_request']}, "
                f"replica {record['replica_selects_per_request']}; CPU s: primary {record['primary_cpu_s']}, "
                f"replica {record['replica_cpu_s']}"
            )
            reps[phase].append(record)
    return reps


FIGURE_KEYS = (
    "primary_selects_per_request",
    "replica_selects_per_request",
    "primary_cpu_s",
    "replica_cpu_s",
)


def add_figures(figures: dict, reps: dict[str, list[dict]]):
    """The medians `bench.summarize` does not know about, and the replica / primary-only ratio."""
    for phase in PHASES:
        if reps.get(phase) and phase in figures:
            figures[phase].update({key: bench.median_of(reps[phase], key) for key in FIGURE_KEYS})
    if all(phase in figures for phase in PHASES):
        alone, replicated = figures["search_primary_only"]["rps"], figures["search_replica"]["rps"]
        figures["ratios"]["search_replica_vs_primary_only"] = round(replicated / alone, 3) if alone else None


def table_rows(figures: dict) -> list[str]:
    rows = []
    for phase, label in [
        ("search_primary_only", "search on a private primary alone"),
        ("search_replica", "search on the same primary + its replica"),
    ]:
        if phase not in figures:
            continue
        f = figures[phase]
        rows.append(
            f"| {label} (16 clients) | {f['rps']:.1f} req/s, p50 {f['p50_ms']:.1f} / p99 {f['p99_ms']:.1f} ms;"
            f" SELECTs per request: primary {f['primary_selects_per_request']}, replica"
            f" {f['replica_selects_per_request']}; CPU s: primary {f['primary_cpu_s']}, replica {f['replica_cpu_s']} |"
        )
    ratio = figures.get("ratios", {}).get("search_replica_vs_primary_only")
    if ratio is not None:
        rows.append(f"| search with replica / primary alone | {100 * ratio:.1f}% |")
    return rows
