"""Closing a client's connection at once when its request was read whole (gunicorn.conf.py).

gunicorn 27 closes every connection as RFC 9112 section 9.6 asks of a server that may leave
request bytes unread: it half-closes, then waits (up to two seconds) for the client to close its
side, draining what it sends meanwhile, so that the kernel never answers unread bytes with a reset
that could destroy the end of the response before the client reads it. A sync worker does nothing
else while it waits, and it waits on every request: the client must be scheduled, read the answer
and close before the worker may take the next request (docs/performance.md, round 13).

The reset can only happen if bytes are unread when the socket closes, or arrive after: a client
that sends one request and waits for the answer (every client of a sync worker behind a buffering
proxy, and every HTTP client but a pipelining one) sends nothing more once the request is read.
So when nothing is waiting in the receive buffer, the socket is closed at once (a FIN, as before,
just without the wait); when bytes are waiting (a body the application didn't read, a pipelined
request) or the check fails, gunicorn's graceful close runs as before.
"""

import socket

import gunicorn.util

_graceful_close = gunicorn.util.close_graceful


def close_when_drained(sock, timeout=2.0, max_drain=65536):
    """gunicorn's `close_graceful`, without its wait when nothing is left to read."""
    try:
        waiting = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        waiting = None  # the request was read whole and the client is waiting for the close
    except OSError:
        waiting = b"?"
    if waiting:
        return _graceful_close(sock, timeout=timeout, max_drain=max_drain)
    try:
        sock.close()
    except OSError:
        pass
    return None


def install() -> None:
    """Make gunicorn's workers (in this process) close connections with `close_when_drained`."""
    gunicorn.util.close_graceful = close_when_drained
