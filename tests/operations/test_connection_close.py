"""A served connection is closed at once when its request was read whole, and gracefully (gunicorn's
wait for the client, draining what it sends) when bytes are left unread, so that the answer is
never cut off by a reset."""

import runpy
import socket
import threading
from contextlib import contextmanager
from pathlib import Path

import gunicorn.util
import pytest
from django.conf import settings

from irctc import connection_close

REQUEST = b"GET /api/health/ HTTP/1.1\r\nHost: x\r\n\r\n"
ANSWER = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"


@contextmanager
def connected():
    """(server side, client side) of a real TCP connection on loopback."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
    try:
        yield server, client
    finally:
        client.close()
        server.close()


@pytest.fixture
def graceful_closes(monkeypatch):
    """The limits of every graceful close, which still runs (gunicorn's own)."""
    calls, graceful = [], connection_close._graceful_close

    def recorded(sock, **limits):
        calls.append(limits)
        return graceful(sock, **limits)

    monkeypatch.setattr(connection_close, "_graceful_close", recorded)
    return calls


def closed_in_background(server: socket.socket, **limits) -> threading.Thread:
    # A graceful close waits for the client, which this test's thread plays.
    closing = threading.Thread(target=connection_close.close_when_drained, args=(server,), kwargs=limits)
    closing.start()
    return closing


def read_to_end(client: socket.socket) -> bytes:
    client.settimeout(10)
    received = b""
    while chunk := client.recv(4096):
        received += chunk
    return received


def test_a_request_read_whole_is_closed_at_once_and_the_client_reads_the_whole_answer(graceful_closes):
    with connected() as (server, client):
        client.sendall(REQUEST)
        assert server.recv(4096) == REQUEST
        server.sendall(ANSWER)
        connection_close.close_when_drained(server)  # the client has not closed its side

        assert read_to_end(client) == ANSWER
    assert graceful_closes == []


def test_unread_bytes_get_gunicorns_graceful_close(graceful_closes):
    with connected() as (server, client):
        client.sendall(REQUEST + REQUEST)  # a pipelined second request the worker never reads
        server.recv(len(REQUEST))
        server.sendall(ANSWER)
        closing = closed_in_background(server, timeout=30, max_drain=100)

        # A close at once would have answered the unread bytes with a reset, and the client's
        # kernel may then drop the answer before it is read.
        assert read_to_end(client) == ANSWER
        client.close()
        closing.join()
    assert graceful_closes == [{"timeout": 30, "max_drain": 100}]


def test_a_client_that_closed_first_is_closed_at_once(graceful_closes):
    with connected() as (server, client):
        client.sendall(REQUEST)
        server.recv(4096)
        client.shutdown(socket.SHUT_WR)
        server.sendall(ANSWER)
        connection_close.close_when_drained(server)
        assert read_to_end(client) == ANSWER
    assert graceful_closes == []


def test_the_served_workers_close_this_way(monkeypatch):
    monkeypatch.setattr(gunicorn.util, "close_graceful", gunicorn.util.close_graceful)  # restored after
    served = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    monkeypatch.setattr("gc.freeze", lambda: None)  # not this test process's heap

    served["post_worker_init"](None)

    assert gunicorn.util.close_graceful is connection_close.close_when_drained
