"""mysql-connector-python's Django backend, taught to recognise MariaDB.

The stock backend reads the server version from the handshake, where MariaDB announces itself as
"5.5.5-10.11.x-MariaDB", and never sets `mysql_is_mariadb`. Django then treats MariaDB 10.11 as
MySQL 5.5: datetimes lose their microseconds, `select_for_update(of=...)` renders MySQL-8 syntax
that MariaDB rejects, and any server warning crashes `migrate` on the broken `display_name`.
Reading `SELECT VERSION()` once per connection fixes all of it.

It also opens cursors without the driver's `is_connected()` check, which sends a COM_PING and
waits for the answer before *every* query: two round trips per statement, with a booking's run
lock held across all of them. Django checks a reused connection once per request instead
(`CONN_HEALTH_CHECKS`), which is where a dead connection is worth noticing, and pings only a
connection whose socket has something to read: a server that restarted, was killed or dropped the
connection (KILL, `wait_timeout`) has sent its FIN or its error packet, while a healthy idle
connection has nothing. Django's own check pings every request's connection, a round trip that
cost both the workers and MariaDB CPU on every search (docs/performance.md, round 9). A
server that is paused or cut off sends nothing, and a ping would hang on it just as the statement
does, until the read timeout.

A connection that fails with a lost-connection error, or the driver's read timeout, has its
socket shut on the spot. The driver itself keeps it (its timeout handler only closes on Python's
built-in TimeoutError, and raises its own), and the next statement would then read the server's
late answer to the previous one: every later answer on that connection one statement behind. A
shut socket makes the rest of the request fail fast (503), and Django's end-of-request check
(`is_usable` pings) replaces the connection.

A transaction costs no round trips of its own. Django brackets one with `SET autocommit = 0`
and, after the COMMIT, `SET autocommit = 1`: two of a booking's six round trips, each a
thread's wait for the server and then for the GIL. Here the session stays in autocommit mode
and a transaction is `START TRANSACTION`, sent in one round trip with the transaction's first
statement; its COMMIT or ROLLBACK ends it and leaves autocommit on, so leaving the atomic block
sends nothing more. A COMMIT or ROLLBACK is not sent at all where the server says no transaction
is open (nothing was sent since it began, or its last statements already committed it, as a
booking's do: `bookings.inventory.allocation.insert_with_new_pnr`).
"""

import re
import select

import mysql.connector
from django.db import IntegrityError
from django.db.utils import DatabaseErrorWrapper
from django.utils.functional import cached_property
from mysql.connector.cursor import MySQLCursor
from mysql.connector.django.base import CursorWrapper
from mysql.connector.django.base import DatabaseWrapper as ConnectorDatabaseWrapper

from irctc.database_unavailable import connection_lost_cause


def parse_server_version(version: str) -> tuple[int, int, int]:
    """'10.11.19-MariaDB-0+deb12u1' -> (10, 11, 19); '8.0.36' -> (8, 0, 36)."""
    version = version.removeprefix("5.5.5-")
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    if not match:
        return (0, 0, 0)
    return tuple(int(part) for part in match.groups())


class _ShutLostConnections(DatabaseErrorWrapper):
    def __exit__(self, exc_type, exc_value, traceback):
        if exc_value is not None and connection_lost_cause(exc_value) is not None:
            self.wrapper.shut_socket()
        return super().__exit__(exc_type, exc_value, traceback)


class DatabaseWrapper(ConnectorDatabaseWrapper):
    @cached_property
    def wrap_database_errors(self):
        return _ShutLostConnections(self)

    def shut_socket(self) -> None:
        """Stop using this connection's socket, without a word to a server that may not answer."""
        raw = self.connection
        if raw is not None:
            try:
                raw.shutdown()
            except Exception:  # noqa: BLE001 - it is being thrown away; it may be half-open
                pass

    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if self._socket_has_news() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def _socket_has_news(self) -> bool:
        """Whether the server sent something unasked (or the socket can't tell): see the module."""
        try:
            poller = select.poll()
            poller.register(self.connection._socket.sock, select.POLLIN | select.POLLPRI)
            return bool(poller.poll(0))
        except Exception:  # noqa: BLE001 - no socket to look at (shut, C extension): ask the server
            return True

    @cached_property
    def mysql_server_info(self) -> str:
        with self.temporary_connection() as cursor:
            cursor.execute("SELECT VERSION()")
            return cursor.fetchone()[0]

    @cached_property
    def mysql_is_mariadb(self) -> bool:
        return "mariadb" in self.mysql_server_info.lower()

    @cached_property
    def mysql_version(self) -> tuple[int, int, int]:
        return parse_server_version(self.mysql_server_info)

    def create_cursor(self, name=None):
        self.connection.handle_unread_result()
        return _TransactionStartingCursor(MySQLCursor(self.connection), self)

    # See the module's docstring: the session stays in autocommit mode, a transaction is begun by
    # its first statement and ended by its COMMIT or ROLLBACK alone.
    begin_pending = False
    _session_autocommit = None  # what this connection's session was last set to

    def get_new_connection(self, conn_params):
        self.begin_pending, self._session_autocommit = False, None
        return super().get_new_connection(conn_params)

    def _set_autocommit(self, autocommit: bool) -> None:
        self.begin_pending = not autocommit and self._session_autocommit is True
        if autocommit != self._session_autocommit and not self.begin_pending:
            with self.wrap_database_errors:
                self.connection.autocommit = autocommit
            self._session_autocommit = autocommit

    def _transaction_open(self) -> bool:
        pending, self.begin_pending = self.begin_pending, False
        return not pending and self.connection.in_transaction

    def _commit(self):
        if self.connection is not None and self._transaction_open():
            return super()._commit()
        return None

    def _rollback(self):
        if self.connection is not None and self._transaction_open():
            return super()._rollback()
        return None

    @property
    def display_name(self) -> str:
        return "MariaDB" if self.mysql_is_mariadb else "MySQL"


class _TransactionStartingCursor(CursorWrapper):
    """Sends `START TRANSACTION` with the first statement of a transaction (see the module)."""

    def __init__(self, cursor, wrapper: DatabaseWrapper):
        super().__init__(cursor)
        self.wrapper = wrapper

    def execute(self, query, args=None):
        if not self.wrapper.begin_pending:
            return super().execute(query, args)
        self.wrapper.begin_pending = False
        result = super().execute(f"START TRANSACTION; {query}", args)
        try:
            self.cursor.nextset()  # past START TRANSACTION's answer, to the statement's own
        except mysql.connector.OperationalError as exc:
            if exc.args[0] in self.codes_for_integrityerror:  # as `execute` maps them
                raise IntegrityError(*tuple(exc.args)) from None
            raise
        return result

    def executemany(self, query, args):
        if self.wrapper.begin_pending:
            self.wrapper.begin_pending = False
            self.cursor.execute("START TRANSACTION")
        return super().executemany(query, args)
