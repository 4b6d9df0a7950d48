"""Side by side with other implementations: one black-box probe for all, interleaved rounds.

    .venv/bin/python bench/peer_probe.py --rounds 3 --reference peer \\
        ours-redis=spec1.json ours-local=spec2.json ours-sqlite=spec3.json peer=spec4.json

Each target is a server already running, described by a JSON file:

    {"kind": "ours" | "kartik", "url": "http://127.0.0.1:PORT", "pid": gunicorn master (optional),
     "booking_trains": [one fresh 50-seat train per round, each on a route of its own],
     "searches": [per round, {"source": ..., "destination": ..., "date": ...} of that route],
     "travel_date": "YYYY-MM-DD", "tokens": [access tokens]}

(`bench/fixtures.py probe-setup ROUNDS`, run with a server's environment, writes ours; another
implementation's is made by hand, and its code stays out of this repository.)

Each round runs every target in turn, the order rotating from round to round so that a drift in
the machine's load favours none: first 200 one-seat booking attempts from 32 clients on the
round's 50-seat train, then 2,000 searches of that train's route (sold out by then) from 16 clients. A booking attempt is what
each API needs for one seat: ours, one `POST /api/bookings/`; kartikchhipa/Train-Booking-Django-Redis,
`POST /train/book-train/` for a seat number (round robin over the 50), then `POST
/train/confirm-booking/` when the seat was locked. Every figure is the median of the rounds;
ratios are to `--reference`. The machine's CPU used by anything else during each phase
(`other`) says how far to trust a round.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from loadgen import Connection, ConnectionLost, build_head  # noqa: E402
from procstats import cpu_seconds, machine_busy_seconds, process_tree  # noqa: E402

BOOKINGS, BOOKING_CLIENTS = 200, 32
SEARCHES, SEARCH_CLIENTS = 2000, 16
PEER_SEATS = 50


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, min(len(ordered), -(-int(q * len(ordered)) // 100))) - 1]


class Target:
    def __init__(self, name: str, spec: dict):
        self.name, self.spec = name, spec
        parsed = urllib.parse.urlsplit(spec["url"])
        self.host, self.port = parsed.hostname, parsed.port
        self.host_header = f"{self.host}:{self.port}"
        self.tokens = spec["tokens"]
        self.kind = spec["kind"]

    def cpu(self) -> float:
        pid = self.spec.get("pid")
        return cpu_seconds(process_tree(pid)) if pid else 0.0

    # --- one booking attempt and one search, as each API wants them --------------------------

    async def book(self, connection, index: int, train) -> tuple[bool, list[int]]:
        token = self.tokens[index % len(self.tokens)]
        if self.kind == "ours":
            body = json.dumps(
                {"train": train, "travel_date": self.spec["travel_date"], "seats": 1, "allow_waitlist": False}
            ).encode()
            status, _ = await connection.request(
                build_head("POST", "/api/bookings/", self.host_header, token, len(body)), body
            )
            return status == 201, [status]
        body = json.dumps({"train_id": train, "seat_number": index % PEER_SEATS + 1}).encode()
        status, payload = await connection.request(
            build_head("POST", "/train/book-train/", self.host_header, token, len(body)), body
        )
        if status != 200:
            return False, [status]
        seat = json.loads(payload)["seat_id"]
        body = json.dumps({"seat_id": seat}).encode()
        confirmed, _ = await connection.request(
            build_head("POST", "/train/confirm-booking/", self.host_header, token, len(body)), body
        )
        return confirmed == 200, [status, confirmed]

    def search_request(self, index: int, train_index: int) -> tuple[bytes, bytes]:
        token = self.tokens[index % len(self.tokens)]
        search = self.spec["searches"][train_index]
        if self.kind == "ours":
            path = "/api/trains/search/?" + urllib.parse.urlencode(search)
            return build_head("GET", path, self.host_header, token), b""
        # This API reads the route from a JSON body, even on GET.
        body = json.dumps({"source": search["source"], "destination": search["destination"]}).encode()
        return build_head("GET", "/train/get-train/", self.host_header, token, len(body)), body


async def run_clients(target: Target, clients: int, total: int, attempt) -> dict:
    """`clients` connections take attempts 0..total-1 in turn; returns timings and statuses."""
    connections = [Connection(target.host, target.port) for _ in range(clients)]
    await asyncio.gather(*(c._open() for c in connections))
    issued = iter(range(total))
    latencies, statuses, outcomes = [], {}, []
    cpu_before, (busy_before, _) = target.cpu(), machine_busy_seconds()
    started = time.perf_counter()

    async def client(connection):
        for index in issued:
            sent = time.perf_counter()
            try:
                ok, answered = await attempt(connection, index)
            except (ConnectionLost, ConnectionError, OSError):
                connection.close()
                statuses["connection error"] = statuses.get("connection error", 0) + 1
                continue
            latencies.append((time.perf_counter() - sent) * 1000)
            outcomes.append(ok)
            for status in answered:
                statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(client(c) for c in connections))
    elapsed = time.perf_counter() - started
    server_cpu = target.cpu() - cpu_before
    busy = machine_busy_seconds()[0] - busy_before
    for connection in connections:
        connection.close()
    requests = sum(n for status, n in statuses.items() if status != "connection error")
    return {
        "attempts": len(latencies),
        "requests": requests,
        "elapsed_s": round(elapsed, 3),
        "attempts_per_s": round(len(latencies) / elapsed, 1),
        "requests_per_s": round(requests / elapsed, 1),
        "ok": sum(outcomes),
        "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "server_cpu_s": round(server_cpu, 2),
        "server_cpu_ms": round(1000 * server_cpu / len(latencies), 3) if latencies else None,
        "machine_busy_cpu_s": round(busy, 2),
    }


async def round_of(target: Target, round_index: int, first_train: int) -> dict:
    train_index = first_train + round_index
    train = target.spec["booking_trains"][train_index]
    bookings = await run_clients(
        target, BOOKING_CLIENTS, BOOKINGS, lambda connection, index: target.book(connection, index, train)
    )

    async def search(connection, index):
        status, _ = await connection.request(*target.search_request(index, train_index))
        return status == 200, [status]

    searches = await run_clients(target, SEARCH_CLIENTS, SEARCHES, search)
    return {"bookings": bookings, "searches": searches}


def _fmt(value, unit=""):
    return "–" if value is None else f"{value:.2f}{unit}"


def median(records, phase, key):
    values = [r[phase][key] for r in records if r[phase].get(key) is not None]
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="+", help="NAME=SPEC.json")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reference", help="the target the ratios are to (default: the last)")
    parser.add_argument("--first-train", type=int, default=0, help="booking trains taken before (a warm-up round)")
    parser.add_argument("--output", type=Path, default=BENCH / "out" / "peer-probe.json")
    args = parser.parse_args()
    targets = []
    for item in args.targets:
        name, _, path = item.partition("=")
        targets.append(Target(name, json.loads(Path(path).read_text())))
    reference = args.reference or targets[-1].name
    results = {target.name: [] for target in targets}
    load = [os.getloadavg()[0]]
    for round_index in range(args.rounds):
        shift = round_index % len(targets)
        for target in targets[shift:] + targets[:shift]:
            record = asyncio.run(round_of(target, round_index, args.first_train))
            results[target.name].append(record)
            b, s = record["bookings"], record["searches"]
            print(
                f"[{time.strftime('%H:%M:%S')}] round {round_index + 1} {target.name:<12} bookings "
                f"{b['attempts_per_s']:7.1f} attempts/s ({b['requests_per_s']:.0f} req/s, {b['ok']} sold, "
                f"{b['statuses']}, server CPU {b['server_cpu_s']} s of {b['machine_busy_cpu_s']} s busy)  searches "
                f"{s['attempts_per_s']:7.1f}/s p50 {s['p50_ms']:.1f} p99 {s['p99_ms']:.1f} ms ({s['statuses']}, "
                f"server CPU {s['server_cpu_s']} s of {s['machine_busy_cpu_s']} s busy)",
                flush=True,
            )
        load.append(os.getloadavg()[0])
    rows = [
        "| target | booking attempts/s | sold | searches/s | search p50 / p99 ms | bookings vs "
        f"{reference} | searches vs {reference} | search p99 vs {reference} | server CPU ms per booking / search "
        f"| {reference}'s CPU per booking / search over this one's |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    ref = results[reference]
    summary = {}
    for target in targets:
        records = results[target.name]
        figures = {
            "bookings_per_s": median(records, "bookings", "attempts_per_s"),
            "sold": median(records, "bookings", "ok"),
            "searches_per_s": median(records, "searches", "attempts_per_s"),
            "search_p50_ms": median(records, "searches", "p50_ms"),
            "search_p99_ms": median(records, "searches", "p99_ms"),
            "booking_cpu_ms": median(records, "bookings", "server_cpu_ms"),
            "search_cpu_ms": median(records, "searches", "server_cpu_ms"),
        }
        # Ratios per round (the phases ran minutes apart at most), then their median.
        figures["bookings_ratio"] = statistics.median(
            r["bookings"]["attempts_per_s"] / p["bookings"]["attempts_per_s"] for r, p in zip(records, ref, strict=True)
        )
        figures["searches_ratio"] = statistics.median(
            r["searches"]["attempts_per_s"] / p["searches"]["attempts_per_s"] for r, p in zip(records, ref, strict=True)
        )
        figures["search_p99_ratio"] = statistics.median(
            r["searches"]["p99_ms"] / p["searches"]["p99_ms"] for r, p in zip(records, ref, strict=True)
        )
        # What a busy machine barely moves: the reference's server CPU per attempt over this one's.
        for phase, key in (("bookings", "booking_cpu_ratio"), ("searches", "search_cpu_ratio")):
            pairs = [
                (p[phase].get("server_cpu_ms"), r[phase].get("server_cpu_ms"))
                for r, p in zip(records, ref, strict=True)
            ]
            figures[key] = (
                statistics.median(a / b for a, b in pairs if a and b) if all(a and b for a, b in pairs) else None
            )
        summary[target.name] = figures
        rows.append(
            f"| {target.name} | {figures['bookings_per_s']:.0f} | {figures['sold']:.0f} | "
            f"{figures['searches_per_s']:.0f} | {figures['search_p50_ms']:.1f} / {figures['search_p99_ms']:.1f} | "
            f"{figures['bookings_ratio']:.2f}x | {figures['searches_ratio']:.2f}x | {figures['search_p99_ratio']:.2f}x | "
            f"{_fmt(figures['booking_cpu_ms'])} / {_fmt(figures['search_cpu_ms'])} | "
            f"{_fmt(figures['booking_cpu_ratio'], 'x')} / {_fmt(figures['search_cpu_ratio'], 'x')} |"
        )
    table = "\n".join(rows)
    print()
    print(table)
    print(f"\nload average (1 min) before and after each round: {[round(x, 2) for x in load]}")
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text(
        json.dumps({"rounds": results, "summary": summary, "load_average": load, "table_markdown": table}, indent=2)
        + "\n"
    )


if __name__ == "__main__":
    main()
