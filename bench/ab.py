"""A/B benchmark: an older commit ("base") against the working tree ("head"), in one run.

    bench/run.sh --ab 7d25e15 [--reps 5] [--only ceiling,search,hot,spread]

1. base is built from git: a `git worktree` of the commit under bench/out/ab/<sha>/, with its own
   .venv (its requirements.txt), its own database `<db-name>_base` (migrated and seeded by its own
   seed_demo) and its own gunicorn (its own gunicorn.conf.py) on a free port. Head is this
   working tree with `<db-name>` and its .venv, on another port.
2. Both servers are up for the whole run, but only one is under load at any moment: each
   repetition runs every phase on one build, then the same phase on the other, the order
   alternating between repetitions so that a drift in the machine's load favours neither.
3. The requests are ones both versions answer (version 1 of the API): search by source,
   destination and date, and book {train, travel_date, seats}. Searches are the same list for
   both (routes both seeds have); each booking phase sells fresh runs of the build's own trains.
4. Every figure is reported per build (median of repetitions), and each ratio head/base as the
   median of the per-repetition ratios (pairs measured a minute apart, so a noisy neighbour
   shows up as spread in the ratios, not as a bias). The machine is shared: each record keeps
   the CPU the rest of the machine used during the phase (`other_cpu_s`).

Writes bench/out/ab-results.json (every repetition) and prints the table.
"""

import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import run as bench
from run import (
    HOST,
    OUT,
    ROOT,
    Server,
    closed_loop,
    fixtures,
    free_port,
    get_requests,
    hot_run,
    load_user_password,
    log,
    login_all,
    manage,
    measured,
    search_paths,
    spread_run,
)

AB_PHASES = ["ceiling", "search", "hot", "spread"]
# (figure, which way is better) for the per-phase ratios.
FIGURES = {
    "ceiling": [("rps", "up"), ("p50_ms", "down"), ("p99_ms", "down"), ("server_cpu_ms_per_request", "down")],
    "search": [("rps", "up"), ("p50_ms", "down"), ("p99_ms", "down"), ("server_cpu_ms_per_request", "down")],
    "hot": [("bookings_per_s", "up"), ("p50_ms", "down"), ("p99_ms", "down"), ("server_cpu_ms_per_request", "down")],
    "spread": [("bookings_per_s", "up"), ("p50_ms", "down"), ("p99_ms", "down"), ("server_cpu_ms_per_request", "down")],
}


class Build:
    """One version under test: its checkout, interpreter, database, server and tokens."""

    def __init__(self, name: str, root: Path, python: Path, db_name: str):
        self.name, self.root, self.python, self.db_name = name, Path(root), Path(python), db_name
        self.env = self.server = self.setup = None
        self.tokens: list[str] = []
        # Builds that share a database (bench/sweep.py) sell different runs: slot k of `slots`.
        self.slot, self.slots = 0, 1

    def manage(self, *argv):
        return manage(self.env, *argv, capture=True, root=self.root, python=self.python)

    def fixtures(self, *argv):
        return fixtures(self.env, *argv, root=self.root, python=self.python)


def git(*argv, cwd=ROOT) -> str:
    return subprocess.run(["git", *argv], cwd=cwd, check=True, text=True, capture_output=True).stdout.strip()


def checkout_base(ref: str) -> Build:
    """A worktree of `ref` with its own .venv (made by its own scripts/_venv.sh)."""
    sha = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    where = OUT / "ab" / sha[:12]
    if not (where / ".git").exists():
        where.parent.mkdir(parents=True, exist_ok=True)
        git("worktree", "add", "--detach", "--force", str(where), sha)
    log(f"base {ref} = {sha[:12]} in {where.relative_to(ROOT)}; its .venv from its requirements.txt")
    subprocess.run(["bash", "-c", "source scripts/_venv.sh && ensure_venv requirements.txt"], cwd=where, check=True)
    build = Build("base", where, where / ".venv/bin/python", "")
    build.sha = sha
    return build


def build_env(
    args, build: Build, secret_key: str, threads: str | None, workers: str | None = None, mongo_uri: str = ""
) -> dict:
    env = bench.bench_env(args, secret_key, search_log=not args.ab_no_log, port=free_port(), mongo_uri=mongo_uri)
    env["DB_NAME"] = build.db_name
    # Empty: the build's gunicorn.conf.py chooses (what the A/B run is there to compare); None: the
    # benchmark's own setting stays (the sweep keeps --workers for every configuration).
    for name, value in (("WEB_THREADS", threads), ("WEB_CONCURRENCY", workers)):
        if value:
            env[name] = value
        elif value is not None:
            env.pop(name, None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
        env["CACHE_KEY_PREFIX"] = build.db_name
    return env


def prepare(args, build: Build):
    if not args.reuse_db:
        log(f"{build.name}: fresh database {build.db_name}, migrate, seed_demo --trains {args.trains}")
        bench.fresh_database(argparse_with(args, db_name=build.db_name))
        build.manage("migrate", "--noinput", "-v", "0")
        started = time.monotonic()
        build.manage("seed_demo", "--trains", str(args.trains), "--users", str(args.users))
        log(f"  seeded in {time.monotonic() - started:.1f} s")
    build.setup = build.fixtures("setup")


def argparse_with(args, **changes):
    copy = type(args)(**vars(args))
    for key, value in changes.items():
        setattr(copy, key, value)
    return copy


def common_routes(base: Build, head: Build) -> list:
    head_routes = {(s, d) for s, d, _n in head.setup["routes"]}
    routes = [r for r in base.setup["routes"] if (r[0], r[1]) in head_routes]
    return routes or base.setup["routes"]


def ratio(new, old):
    return new / old if new is not None and old else None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


async def phases(args, builds: dict[str, Build], paths: list[str]) -> dict:
    only = [p for p in args.only.split(",") if p in AB_PHASES]
    reference = next(iter(builds.values()))
    today = date.fromisoformat(reference.setup["today"])
    clients, seconds = args.read_clients, args.duration
    loads = {}
    for name, build in builds.items():
        loads[name] = {
            "search": get_requests(build.server, paths, build.tokens),
            "ceiling": get_requests(build.server, ["/api/auth/me/"], build.tokens),
        }
    log("warm-up of both builds (imports, connections, caches) before anything is timed")
    for name, build in builds.items():
        port = build.server.port
        # Long enough, with --warmup, for per-process caches (rendered trains, cached users) to
        # fill as they would in a server that has been up for a while.
        await closed_loop("warmup", HOST, port, clients, loads[name]["search"], duration=args.warmup)
        await closed_loop("warmup", HOST, port, clients, loads[name]["ceiling"], duration=2)
        if {"hot", "spread"} & set(only):
            warm_date = (today + timedelta(days=50)).isoformat()
            warm = await spread_run(
                build.server, build.tokens, [(build.setup["hot_train"], warm_date)], 100, args.booking_clients
            )
            if warm.extra["confirmed_by_client"] == 0:
                raise SystemExit(f"{name}: warm-up bookings failed: {warm.statuses} {warm.extra['rejection_codes']}")

    reps = {name: {phase: [] for phase in only} for name in builds}
    names = list(builds)
    dates_per_rep = max(1, args.spread_runs // len(reference.setup["spread_trains"]))
    for rep in range(args.reps):
        # Each build goes first in turn (for two: base first, then head first, ...).
        shift = rep % len(names)
        order = names[shift:] + names[:shift] if len(names) > 2 or rep % 2 == 0 else names[::-1]
        log(f"repetition {rep + 1}/{args.reps} (order {' then '.join(order)} in every phase)")
        for phase in only:
            for name in order:
                build = builds[name]
                server = build.server
                if phase in ("ceiling", "search"):
                    load = loads[name][phase]
                    record = await measured(
                        server,
                        f"{phase}:{name}",
                        lambda load=load, server=server, phase=phase: closed_loop(
                            phase, HOST, server.port, clients, load, duration=seconds
                        ),
                    )
                elif phase == "hot":
                    hot_date = (today + timedelta(days=1 + rep * build.slots + build.slot)).isoformat()
                    record = await measured(
                        server,
                        f"hot:{name}",
                        lambda build=build, hot_date=hot_date: hot_run(
                            build.server,
                            build.tokens,
                            build.setup["hot_train"],
                            hot_date,
                            build.setup["hot_seats"],
                            args.booking_clients,
                            args.after_soldout,
                        ),
                    )
                    check = build.fixtures("verify", str(build.setup["hot_train"]), hot_date)
                    check["ok"] = (
                        check["confirmed_seats"] == build.setup["hot_seats"] == check["allocated_seats"]
                        and check["distinct_seat_numbers"] == build.setup["hot_seats"]
                        and check["seats_out_of_range"] == 0
                        and check["confirmed_bookings"] == record["confirmed_by_client"]
                    )
                    record["db_check"] = check
                    if not check["ok"]:
                        log(f"  {name}: hot run {hot_date} in the DB is WRONG: {check}")
                else:
                    first = 5 + (rep * build.slots + build.slot) * dates_per_rep
                    days = [(today + timedelta(days=first + i)).isoformat() for i in range(dates_per_rep)]
                    runs = [(t, d) for d in days for t in build.setup["spread_trains"]][: args.spread_runs]
                    record = await measured(
                        server,
                        f"spread:{name}",
                        lambda build=build, runs=runs: spread_run(
                            build.server, build.tokens, runs, args.spread_bookings, args.booking_clients
                        ),
                    )
                record["load_average"] = round(os.getloadavg()[0], 2)
                reps[name][phase].append(record)
    return reps


def cpu_per_request(args, builds: dict[str, Build]) -> dict:
    """bench/cpu.py in each build (its checkout, its interpreter, its database), alternating."""
    if not args.cpu_reps:
        return {}
    runs = {name: [] for name in builds}
    for rep in range(args.cpu_reps):
        for name in list(builds)[:: 1 if rep % 2 == 0 else -1]:
            build = builds[name]
            completed = subprocess.run(
                [
                    str(build.python),
                    str(ROOT / "bench/cpu.py"),
                    "--setup",
                    json.dumps(build.setup),
                    "--repetition",
                    str(rep),
                ],
                cwd=build.root,
                env=build.env,
                check=True,
                text=True,
                capture_output=True,
            )
            runs[name].append(json.loads(completed.stdout.strip().splitlines()[-1]))
            log(f"  in-process CPU {name}: {runs[name][-1]}")
    result = {}
    for kind in runs["head"][0]:
        row = {}
        for key in ("cpu_ms_per_request", "statements"):
            base = median([r[kind][key] for r in runs["base"]])
            head = median([r[kind][key] for r in runs["head"]])
            row[key] = {"base": base, "head": head, "ratio": ratio(head, base)}
        result[kind] = row
    return result


def summarize(reps: dict) -> dict:
    summary = {}
    for phase, figures in FIGURES.items():
        base_records, head_records = reps["base"].get(phase), reps["head"].get(phase)
        if not base_records or not head_records:
            continue
        rows = {}
        for key, _better in figures:
            pairs = [(b.get(key), h.get(key)) for b, h in zip(base_records, head_records, strict=True)]
            rows[key] = {
                "base": median([b for b, _h in pairs]),
                "head": median([h for _b, h in pairs]),
                "ratio_median": median([ratio(h, b) for b, h in pairs]),
                "ratios": [round(ratio(h, b), 3) if ratio(h, b) else None for b, h in pairs],
            }
        summary[phase] = rows
        if phase == "search":
            pairs = zip(base_records, head_records, strict=True)
            summary["search_head_p99_vs_base_p50"] = {
                "ratios": [round(h["p99_ms"] / b["p50_ms"], 3) for b, h in pairs],
            }
            summary["search_head_p99_vs_base_p50"]["median"] = median(summary["search_head_p99_vs_base_p50"]["ratios"])
        statuses = {name: [r["statuses"] for r in reps[name][phase]] for name in ("base", "head")}
        summary.setdefault("statuses", {})[phase] = statuses
    return summary


def table(summary: dict, reps: dict) -> str:
    def fmt(value, spec=".1f"):
        return "–" if value is None else format(value, spec)

    units = {
        "rps": "req/s",
        "bookings_per_s": "bookings/s",
        "p50_ms": "ms p50",
        "p99_ms": "ms p99",
        "server_cpu_ms_per_request": "server CPU ms/request",
    }
    lines = [
        "| phase | figure | base (median) | head (median) | head/base (median of pairs) | per-pair ratios |",
        "|---|---|---|---|---|---|",
    ]
    for phase in AB_PHASES:
        for key, row in summary.get(phase, {}).items():
            ratios = ", ".join(fmt(r, ".2f") for r in row["ratios"])
            lines.append(
                f"| {phase} | {units[key]} | {fmt(row['base'])} | {fmt(row['head'])} | "
                f"**{fmt(row['ratio_median'], '.2f')}x** | {ratios} |"
            )
    if "search_head_p99_vs_base_p50" in summary:
        row = summary["search_head_p99_vs_base_p50"]
        ratios = ", ".join(fmt(r, ".2f") for r in row["ratios"])
        lines.append(f"| search | head p99 / base p50 | | | **{fmt(row['median'], '.2f')}** | {ratios} |")
    cpu = summary.get("cpu_in_process") or {}
    if cpu:
        lines += ["", "| in one process (no server, no concurrency) | base | head | head/base |", "|---|---|---|---|"]
        for kind, row in cpu.items():
            c, q = row["cpu_ms_per_request"], row["statements"]
            lines.append(
                f"| {kind}: CPU ms per request | {fmt(c['base'], '.2f')} | {fmt(c['head'], '.2f')} | {fmt(c['ratio'], '.2f')}x |"
            )
            lines.append(f"| {kind}: SQL statements | {fmt(q['base'], '.0f')} | {fmt(q['head'], '.0f')} | |")
    other = [r["other_cpu_s"] for build in reps.values() for records in build.values() for r in records]
    if other:
        lines.append("")
        lines.append(
            f"CPU used by the rest of the machine during the phases: median {statistics.median(other):.1f} s, "
            f"max {max(other):.1f} s per phase."
        )
    return "\n".join(lines)


def main(args):
    OUT.mkdir(exist_ok=True)
    started = time.monotonic()
    secret_key = secrets.token_urlsafe(50)
    base = checkout_base(args.ab)
    base.db_name = f"{args.db_name}_base"
    head = Build("head", ROOT, Path(sys.executable), args.db_name)
    builds = {"base": base, "head": head}
    head_sha = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    log(f"head = working tree at {head_sha[:12]}{' + uncommitted changes' if dirty else ''}")
    # Both builds log to the same wire server, one phase at a time; without it, to the in-process
    # stand-in (each worker its own), as every A/B round before 7 did.
    search_log = bench.SearchLogServer().start() if args.ab_mongo and not args.ab_no_log else None
    mongo_uri = search_log.uri if search_log else ""
    search_log_kind = "off" if args.ab_no_log else "wire server" if search_log else "in-process stand-in"
    base.env = build_env(args, base, secret_key, args.base_threads, mongo_uri=mongo_uri)
    head.env = build_env(args, head, secret_key, args.head_threads, args.head_workers, mongo_uri=mongo_uri)
    try:  # from here on, the wire server (if any) is stopped however the run ends
        for build in builds.values():
            prepare(args, build)
        paths = search_paths(common_routes(base, head), date.fromisoformat(head.setup["today"]))
        machine = bench.machine_info(args)
        for name, build in builds.items():
            build.server = Server(f"ab-{name}", build.env, root=build.root, bin_dir=build.python.parent).start()

        async def ready_and_login():
            await asyncio.gather(*(b.server.wait_ready() for b in builds.values()))
            step = max(1, args.users // args.login_users)
            usernames = [f"loaduser{n}" for n in range(1, args.users + 1, step)][: args.login_users]
            for build in builds.values():
                build.tokens = await login_all(build.server, usernames, load_user_password(build.root))

        asyncio.run(ready_and_login())
        log(
            f"servers up: base :{base.server.port}, head :{head.server.port}; "
            f"{len(head.tokens)} users logged in on each"
        )
        reps = asyncio.run(phases(args, builds, paths))
    finally:
        for build in builds.values():
            if build.server:
                build.server.stop()
        if search_log:
            search_log.stop()
    cpu = cpu_per_request(args, builds)
    summary = summarize(reps)
    summary["cpu_in_process"] = cpu
    text = table(summary, reps)
    print()
    print(text)
    tracebacks = {name: b.server.errors_logged() for name, b in builds.items()}
    wrong_hot_runs = [r["db_check"] for b in reps.values() for r in b.get("hot", []) if not r["db_check"]["ok"]]
    print(f"\ntracebacks in server logs: {tracebacks}; hot runs wrong in the DB: {len(wrong_hot_runs)}")
    wall = time.monotonic() - started
    results = {
        "machine": machine,
        "base": {"ref": args.ab, "sha": base.sha, "threads": args.base_threads or "gunicorn.conf.py"},
        "head": {
            "sha": head_sha,
            "uncommitted_changes": dirty,
            "threads": args.head_threads or "gunicorn.conf.py",
            "workers": args.head_workers or "gunicorn.conf.py",
        },
        "config": {
            "command": "bench/run.sh " + " ".join(sys.argv[1:]),
            "workers": args.workers,
            "read_clients": args.read_clients,
            "booking_clients": args.booking_clients,
            "duration_s": args.duration,
            "repetitions": args.reps,
            "search_log": search_log_kind,
            "redis_url": args.redis_url or None,
            "trains": args.trains,
        },
        "summary": summary,
        "repetitions": reps,
        "server_tracebacks": tracebacks,
        "wall_time_s": round(wall, 1),
        "table_markdown": text,
    }
    output = args.output or OUT / "ab-results.json"
    output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    log(f"wrote {output}; wall time {wall / 60:.1f} min")
