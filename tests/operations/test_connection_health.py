"""A request starts on a working connection without a ping first (irctc/mariadb): a connection the
server dropped is replaced before the request's first statement, a healthy one is used as it is."""

import time

import mysql.connector
import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from accounts.models import User
from tests.operations.helpers import record_driver_calls

pytestmark = [
    pytest.mark.skipif(connection.vendor != "mysql", reason="the MariaDB backend's own behaviour"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def pings(monkeypatch):
    """Each COM_PING this connection sends from now on."""
    return record_driver_calls(monkeypatch, "cmd_ping", lambda *_: 1)


def _server_connection_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT CONNECTION_ID()")
        return cursor.fetchone()[0]


def _kill(connection_id: int) -> None:
    """What the server does to a connection on a restart, a KILL or its `wait_timeout`."""
    options = settings.DATABASES["default"]
    admin = mysql.connector.connect(
        user=options["USER"], password=options["PASSWORD"], host=options["HOST"], port=int(options["PORT"])
    )
    try:
        admin.cmd_query(f"KILL CONNECTION {connection_id}")
    finally:
        admin.close()


def test_a_healthy_connection_starts_a_request_without_a_round_trip(pings):
    first = _server_connection_id()
    close_old_connections()  # what every request starts and ends with

    assert User.objects.count() == 0
    assert _server_connection_id() == first
    assert pings == []


def test_a_connection_the_server_dropped_is_replaced_before_the_first_statement(pings):
    dropped = _server_connection_id()
    close_old_connections()
    _kill(dropped)
    time.sleep(0.2)  # the server's close reaching the socket

    assert User.objects.count() == 0  # no error: a new connection ran it
    assert _server_connection_id() != dropped
    assert pings == [1]
