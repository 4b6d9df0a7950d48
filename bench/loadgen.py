"""A minimal closed-loop HTTP/1.1 load generator on raw asyncio streams.

It shares the machine's two cores with gunicorn and MariaDB, so it does as little as it can per
request: one pre-built request line and header block per call, a hand-parsed status line and
`Content-Length`, keep-alive connections (reconnecting only when the server says `close`, as
gunicorn's sync worker always does). Its own CPU time is measured per phase (`client_cpu_s`) so the
report shows what it took from the server.
"""

import asyncio
import json
import resource
import time
from dataclasses import dataclass, field


class ConnectionLost(Exception):
    pass


class Connection:
    """One keep-alive connection; `request` returns `(status, body)`."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connects = 0

    async def _open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.connects += 1

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            await self._open()
        self.writer.write(head + body if body else head)
        try:
            raw_head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self.close()
            raise ConnectionLost(str(exc)) from exc
        status = int(raw_head[9:12])
        length = None
        chunked = close = False
        for line in raw_head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        if chunked:
            payload = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                payload += chunk[:-2]
            payload = bytes(payload)
        elif length is not None:
            payload = await self.reader.readexactly(length)
        else:
            payload = await self.reader.read()
            close = True
        if close:
            self.close()
        return status, payload


def build_head(method: str, path: str, host: str, token: str | None = None, body_length: int | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Accept: application/json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body_length is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {body_length}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post_json(path: str, host: str, payload: dict, token: str | None = None) -> tuple[bytes, bytes]:
    body = json.dumps(payload).encode()
    return build_head("POST", path, host, token, len(body)), body


@dataclass
class PhaseResult:
    name: str
    clients: int
    elapsed_s: float = 0.0
    requests: int = 0
    statuses: dict = field(default_factory=dict)
    latencies_ms: list = field(default_factory=list)
    connection_errors: int = 0
    connects: int = 0
    client_cpu_s: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0

    def count(self, predicate) -> int:
        return sum(n for status, n in self.statuses.items() if predicate(status))

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the request latencies, in ms."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
        return ordered[rank - 1]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def closed_loop(name, host, port, clients, next_request, *, duration=None, on_response=None) -> PhaseResult:
    """`clients` connections each send a request, wait for the answer, send the next.

    `next_request(client_index)` returns `(head, body)` or None to stop that client; with
    `duration` every client also stops when the time is up. `on_response(status, body, t)` sees
    each answer (t = seconds since the phase began).
    """
    result = PhaseResult(name=name, clients=clients)
    connections = [Connection(host, port) for _ in range(clients)]
    # Connect before the clock starts, so the phase measures requests, not handshakes.
    await asyncio.gather(*(c._open() for c in connections))
    started = time.perf_counter()
    deadline = started + duration if duration else None
    cpu_before = _cpu_seconds()
    latencies = result.latencies_ms
    statuses = result.statuses

    async def client(index: int):
        connection = connections[index]
        while deadline is None or time.perf_counter() < deadline:
            request = next_request(index)
            if request is None:
                return
            head, body = request
            sent = time.perf_counter()
            try:
                status, payload = await connection.request(head, body)
            except (ConnectionLost, ConnectionError, OSError):
                result.connection_errors += 1
                connection.close()
                continue
            answered = time.perf_counter()
            latencies.append((answered - sent) * 1000.0)
            statuses[status] = statuses.get(status, 0) + 1
            if on_response is not None:
                on_response(status, payload, answered - started)

    await asyncio.gather(*(client(i) for i in range(clients)))
    result.elapsed_s = time.perf_counter() - started
    result.client_cpu_s = _cpu_seconds() - cpu_before
    result.requests = len(latencies)
    result.connects = sum(c.connects for c in connections)
    for connection in connections:
        connection.close()
    return result
