"""Memory and CPU of processes, read from /proc (Linux only; no dependency)."""

import os
import threading
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(child) for child in handle.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (gunicorn master and workers)."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += children_of(current)
    return tree


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def pss_kib(pid: int) -> int:
    """Proportional set size: shared (copy-on-write) pages split between the sharers."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def cpu_seconds(pids) -> float:
    """User + system CPU time of `pids` so far."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / CLOCK_TICKS


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def pids_named(name: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as handle:
                    if handle.read().strip() == name:
                        found.append(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return found


class MemorySampler(threading.Thread):
    """Samples the summed RSS (and PSS) of a process tree until stopped; keeps the peaks."""

    def __init__(self, root_pid: int, interval: float = 0.5):
        super().__init__(daemon=True)
        self.root_pid, self.interval = root_pid, interval
        self.peak_rss_kib = self.peak_pss_kib = 0
        self.peak_processes = 0
        self._stop_event = threading.Event()

    def sample(self):
        tree = process_tree(self.root_pid)
        self.peak_rss_kib = max(self.peak_rss_kib, sum(rss_kib(pid) for pid in tree))
        self.peak_pss_kib = max(self.peak_pss_kib, sum(pss_kib(pid) for pid in tree))
        self.peak_processes = max(self.peak_processes, len(tree))

    def run(self):
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self):
        self._stop_event.set()
        self.join()
        self.sample()


class CpuMeter:
    """CPU seconds used by the server, MariaDB and the whole machine between start() and stop()."""

    def __init__(self, server_root: int):
        self.server_root = server_root
        self.mariadb = pids_named("mariadbd") or pids_named("mysqld")

    def _read(self):
        busy, total = machine_busy_seconds()
        return cpu_seconds(process_tree(self.server_root)), cpu_seconds(self.mariadb), busy, total, time.perf_counter()

    def start(self):
        self._start = self._read()
        return self

    def stop(self) -> dict:
        end = self._read()
        server, mariadb, busy, _total, wall = (b - a for a, b in zip(self._start, end, strict=True))
        return {"server_cpu_s": server, "mariadb_cpu_s": mariadb, "machine_busy_cpu_s": busy, "wall_s": wall}
