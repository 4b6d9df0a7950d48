"""Uncached searches on a real server: two checkouts of this project served in turn, each with its
own gunicorn.conf.py, on one seeded database, with every search a query no one asked before (so
the search cache never answers), interleaved repetitions, figures per repetition.

    BENCH_DB_NAME=irctc_ab bench/run.sh --only search --reps 1   # once: seeds irctc_ab
    git worktree add /tmp/before HEAD~3
    .venv/bin/python bench/misses.py --base /tmp/before [--reps 3 --seconds 12]

The A/B mode (`bench/run.sh --ab`) measures a mix of cached and uncached searches that depends on
how long a repetition takes against the cache's TTL; this measures the uncached search alone, the
part a cache can't help with, which is where a change to the search path shows. Both checkouts run
from this tree's .venv (their requirements must be the same), and log searches to one MongoDB wire
server (`scripts/mongo.sh`). Prints, per repetition and build: searches/s, client p50/p99, and the
CPU of the gunicorn workers and of MariaDB per search.
"""

import argparse
import asyncio
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402
from loadgen import closed_loop  # noqa: E402
from procstats import cpu_seconds, process_tree  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--base", type=Path, required=True, help="the other checkout (e.g. a git worktree)")
    add("--head", type=Path, default=bench.ROOT, help="default: this working tree")
    add("--reps", type=int, default=3)
    add("--seconds", type=float, default=12.0, help="seconds of each timed phase")
    add("--warmup", type=float, default=10.0, help="seconds of the A/B's searches first (timetables kept)")
    add("--clients", type=int, default=16)
    add("--db-name", default="irctc_ab")
    add("--db-user", default="root")
    add("--db-password", default="")
    add("--db-host", default="127.0.0.1")
    add("--redis-url", default="redis://127.0.0.1:6379/14")
    return parser.parse_args()


def _server_env(args, mongo_uri: str) -> dict:
    settings = argparse.Namespace(**vars(args), workers=None, threads=None)
    env = bench.bench_env(settings, "misses-benchmark-only-secret-key-0123456789abcdef", mongo_uri=mongo_uri)
    env.pop("WEB_CONCURRENCY")  # each checkout's gunicorn.conf.py chooses, as in the A/B mode
    env.pop("WEB_THREADS")
    env["CACHE_KEY_PREFIX"] = f"{args.db_name}-misses"
    return env


async def _measure(server, load, args) -> dict:
    workers = process_tree(server.pid)
    database = [int(subprocess.check_output(["pgrep", "-o", "-x", "mariadbd"]).split()[0])]
    app_before, db_before = cpu_seconds(workers), cpu_seconds(database)
    result = await closed_loop("misses", bench.HOST, server.port, args.clients, load, duration=args.seconds)
    app, db = cpu_seconds(workers) - app_before, cpu_seconds(database) - db_before
    latencies = sorted(result.latencies_ms)
    return {
        "rps": result.rps,
        "p50": bench.percentile(latencies, 50),
        "p99": bench.percentile(latencies, 99),
        "app_ms": 1000 * app / result.requests,
        "db_ms": 1000 * db / result.requests,
        "non_200": sum(n for status, n in result.statuses.items() if status != 200),
    }


def main():
    args = parse_args()
    search_log = bench.SearchLogServer().start()
    servers = {}
    try:
        for name, root in (("base", args.base), ("head", args.head)):
            env = {**_server_env(args, search_log.uri), "BIND": f"{bench.HOST}:{bench.free_port()}"}
            servers[name] = bench.Server(f"misses-{name}", env, root=root.resolve()).start()
        setup = bench.fixtures(servers["head"].env, "setup")
        paths = bench.search_paths(setup["routes"], date.fromisoformat(setup["today"]))
        rng = random.Random()

        async def run_all():
            await asyncio.gather(*(server.wait_ready() for server in servers.values()))
            usernames = [f"loaduser{n}" for n in range(1, 1001, 10)]
            tokens = await bench.login_all(servers["head"], usernames, bench.load_user_password())
            loads = {}
            for name, server in servers.items():
                await closed_loop(
                    "warmup",
                    bench.HOST,
                    server.port,
                    args.clients,
                    bench.get_requests(server, paths, tokens),
                    duration=args.warmup,
                )
                # The same queries with a parameter the API ignores, different every time: a new
                # cache key for each, the same routes, dates and trains.
                fresh = [f"{path}&_={rng.randrange(10**12)}" for path in paths * 10]
                loads[name] = bench.get_requests(server, fresh, tokens)
            for rep in range(args.reps):
                order = list(servers) if rep % 2 == 0 else list(servers)[::-1]
                for name in order:
                    figures = await _measure(servers[name], loads[name], args)
                    bench.log(
                        f"rep {rep + 1} {name}: {figures['rps']:.1f} searches/s, p50 {figures['p50']:.1f} ms,"
                        f" p99 {figures['p99']:.1f} ms, app CPU {figures['app_ms']:.3f} ms/search,"
                        f" MariaDB CPU {figures['db_ms']:.3f} ms/search, non-200 {figures['non_200']}"
                    )

        asyncio.run(run_all())
    finally:
        for server in servers.values():
            server.stop()
        search_log.stop()


if __name__ == "__main__":
    main()
