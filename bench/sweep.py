"""Serving configurations compared in one run: one build (the working tree), one database, one
gunicorn per configuration, their phases interleaved as in the A/B mode (bench/ab.py).

    bench/run.sh --sweep "gthread-2x4:WEB_THREADS=4;sync-2:WEB_THREADS=1;sync-4:WEB_CONCURRENCY=4,WEB_THREADS=1"

Each configuration is NAME:VAR=VALUE,...: environment variables for gunicorn.conf.py on top of
the benchmark's (WEB_CONCURRENCY=--workers). Figures are medians of the repetitions; each ratio
is against the first configuration, as the median of the per-repetition ratios.
"""

import asyncio
import json
import secrets
import sys
import time
from datetime import date
from pathlib import Path

import ab
import run as bench
from run import OUT, ROOT, Server, load_user_password, log, login_all, search_paths


def parse(spec: str) -> dict[str, dict]:
    configs = {}
    for item in filter(None, (part.strip() for part in spec.split(";"))):
        name, _, assignments = item.partition(":")
        configs[name] = dict(pair.split("=", 1) for pair in filter(None, assignments.split(",")))
    return configs


def main(args):
    OUT.mkdir(exist_ok=True)
    started = time.monotonic()
    configs = parse(args.sweep)
    secret_key = secrets.token_urlsafe(50)
    shared = ab.Build("shared", ROOT, Path(sys.executable), args.db_name)
    shared.env = ab.build_env(args, shared, secret_key, args.head_threads)
    ab.prepare(args, shared)
    builds = {}
    for slot, (name, overrides) in enumerate(configs.items()):
        build = ab.Build(name, ROOT, Path(sys.executable), args.db_name)
        build.env = {**ab.build_env(args, build, secret_key, args.head_threads), **overrides}
        build.setup, build.slot, build.slots = shared.setup, slot, len(configs)
        builds[name] = build
    paths = search_paths(shared.setup["routes"], date.fromisoformat(shared.setup["today"]))
    try:
        for name, build in builds.items():
            build.server = Server(f"sweep-{name}", build.env).start()

        async def ready_and_login():
            await asyncio.gather(*(b.server.wait_ready() for b in builds.values()))
            step = max(1, args.users // args.login_users)
            usernames = [f"loaduser{n}" for n in range(1, args.users + 1, step)][: args.login_users]
            first = next(iter(builds.values()))
            tokens = await login_all(first.server, usernames, load_user_password())
            for build in builds.values():
                build.tokens = tokens

        asyncio.run(ready_and_login())
        log("servers up: " + ", ".join(f"{n} :{b.server.port}" for n, b in builds.items()))
        reps = asyncio.run(ab.phases(args, builds, paths))
    finally:
        for build in builds.values():
            if build.server:
                build.server.stop()
    text = table(reps, list(configs))
    print()
    print(text)
    output = args.output or OUT / "sweep-results.json"
    results = {"configs": configs, "repetitions": reps, "table_markdown": text, "command": sys.argv[1:]}
    results["machine"] = bench.machine_info(args)
    output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    log(f"wrote {output}; wall time {(time.monotonic() - started) / 60:.1f} min")


def table(reps: dict, names: list[str]) -> str:
    reference = names[0]
    lines = []
    for phase, figures in ab.FIGURES.items():
        if not reps[reference].get(phase):
            continue
        keys = [key for key, _better in figures]
        lines += ["", f"**{phase}** (ratio to {reference}: median of per-repetition ratios)", ""]
        lines.append("| config | " + " | ".join(keys) + " |")
        lines.append("|---|" + "---|" * len(keys))
        for name in names:
            cells = []
            for key in keys:
                values = [r.get(key) for r in reps[name][phase]]
                pairs = [ab.ratio(v, r.get(key)) for v, r in zip(values, reps[reference][phase], strict=True)]
                median = ab.median(values)
                cell = "–" if median is None else f"{median:.1f}"
                if name != reference and ab.median(pairs) is not None:
                    cell += f" ({ab.median(pairs):.2f}x)"
                cells.append(cell)
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines).strip()
