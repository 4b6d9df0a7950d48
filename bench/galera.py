"""Booking throughput on a Galera cluster against one server, and how long a failover takes.

    .venv/bin/python bench/galera.py [--seconds 20] [--rounds 3]

Both databases are private (`mariadbd` on free ports, as in tests/faults and tests/galera); the
shared server is never touched. The app is served the same way against each (tests/faults'
gunicorn: 4 single-threaded workers) and the same six clients book one or two seats at a time,
each with its own Idempotency-Key, back to back:

    single   one MariaDB server, the app connected to it directly;
    galera   three Galera nodes, the app connected through HAProxy to the writer.

Throughput is confirmed bookings per second over `--seconds` after a warm-up. Then, on the
cluster, `--rounds` times each: the writer killed (SIGKILL) or paused (SIGSTOP for 10 s), and
the seconds from the fault to the first 201 answering a request sent after it; the node is
brought back, and the same from the writes moving back to it. Prints one JSON object; docs/galera.md quotes it.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irctc.settings")
os.environ.update(DB_ENGINE="sqlite", DEBUG="true")  # this process only reads the time zone

import django  # noqa: E402

django.setup()

from tests.faults.servers import App, PrivateMariaDB  # noqa: E402
from tests.faults.test_database_faults import _admin_token, _make_train, _start_bookers  # noqa: E402
from tests.galera.cluster import GaleraCluster, ThroughHAProxy  # noqa: E402
from tests.galera.load import TimedLedger  # noqa: E402

WARM_UP_SECONDS = 3


class Load:
    """Six clients booking on one fresh train until stopped."""

    def __init__(self, app: App, train_number: str):
        admin = _admin_token(app)
        train_id = _make_train(app, admin, train_number, 5000)
        self.ledger, self.stop = TimedLedger(), threading.Event()
        self.bookers = _start_bookers(app, train_id, self.ledger, self.stop, f"b{train_number}-")

    def confirmed(self) -> int:
        return self.ledger.confirmed_count()

    def seconds_to_first_201_after(self, moment: float, within: float = 60.0) -> float:
        """From `moment` to the first 201 answering a request sent after it (tests/galera/load.py)."""
        seconds = self.ledger.seconds_to_first_201_sent_after(moment, within)
        if seconds is None:
            raise RuntimeError(f"no 201 within {within} s: {dict(self.ledger.statuses)}")
        return seconds

    def finish(self) -> dict:
        self.stop.set()
        for booker in self.bookers:
            booker.join(60)
        return {"answers": dict(self.ledger.statuses), "codes": dict(self.ledger.codes)}


def throughput(app: App, train_number: str, seconds: float) -> dict:
    load = Load(app, train_number)
    time.sleep(WARM_UP_SECONDS)
    before, started = load.confirmed(), time.monotonic()
    time.sleep(seconds)
    count, elapsed = load.confirmed() - before, time.monotonic() - started
    return {"bookings_per_second": round(count / elapsed, 1), "bookings": count, **load.finish()}


def _wait_for_writer(cluster: GaleraCluster, name: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while cluster.haproxy.writer() != name:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the writes did not move back to {name}")
        time.sleep(0.1)


def failovers(app: App, cluster: GaleraCluster, rounds: int) -> dict:
    figures = {"kill -9": [], "SIGSTOP": [], "failback": []}
    answers, codes = {}, {}
    for round_number in range(rounds):
        # A train per round: six clients sell one out in a minute or so.
        load = Load(app, f"629{round_number:02d}")
        try:
            load.seconds_to_first_201_after(time.monotonic())
            for fault in ("kill -9", "SIGSTOP"):
                writer = cluster.node(cluster.haproxy.writer())
                faulted_at = time.monotonic()
                if fault == "kill -9":
                    writer.kill()
                    figures[fault].append(load.seconds_to_first_201_after(faulted_at))
                    cluster.restart(writer)
                else:
                    writer.pause()
                    figures[fault].append(load.seconds_to_first_201_after(faulted_at))
                    time.sleep(max(0.0, 10 - (time.monotonic() - faulted_at)))
                    writer.resume()
                    cluster.wait_until_whole()
                _wait_for_writer(cluster, writer.name)
                figures["failback"].append(load.seconds_to_first_201_after(time.monotonic()))
        finally:
            outcome = load.finish()
        for total, counts in ((answers, outcome["answers"]), (codes, outcome["codes"])):
            for key, count in counts.items():
                total[key] = total.get(key, 0) + count
    summary = {
        name: {"median": round(statistics.median(values), 2), "max": round(max(values), 2)}
        for name, values in figures.items()
        if values
    }
    return {"seconds_to_first_201": summary, "answers": answers, "codes": codes}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="irctc-bench-galera-"))
    workdir.chmod(0o755)  # the Galera nodes run as mysql when started by root
    results = {}
    try:
        single = PrivateMariaDB(workdir / "single")
        single.workdir.mkdir()
        app = App(single.workdir, single)
        try:
            single.install()
            app.prepare()
            app.start()
            results["single"] = throughput(app, "62001", options.seconds)
        finally:
            app.stop()
            single.stop()

        cluster, app = GaleraCluster(workdir / "cluster"), None
        try:
            cluster.start()
            (workdir / "app").mkdir()
            app = App(workdir / "app", ThroughHAProxy(cluster.haproxy.port))
            app.prepare()
            app.start()
            results["galera"] = throughput(app, "62002", options.seconds)
            results["failover"] = failovers(app, cluster, options.rounds)
        finally:
            if app is not None:
                app.stop()
            cluster.stop()
    finally:
        for log in workdir.glob("*/gunicorn.log"):
            if b"Traceback" in log.read_bytes():
                kept = Path(tempfile.gettempdir()) / f"irctc-bench-galera-{log.parent.name}-gunicorn.log"
                shutil.copy(log, kept)
                results.setdefault("logs_with_tracebacks", []).append(str(kept))
        shutil.rmtree(workdir, ignore_errors=True)
    results["galera_vs_single"] = round(
        results["galera"]["bookings_per_second"] / results["single"]["bookings_per_second"], 2
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
