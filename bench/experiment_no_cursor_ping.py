"""An experiment, not the production setup: the app with mysql-connector's per-cursor PING removed.

mysql-connector-python's `connection.cursor()` calls `is_connected()`, which sends COM_PING and
waits for the answer, so every Django query costs two round trips to MariaDB (and the run lock of a
booking is held across both). Serving this module instead of irctc.wsgi (`bench/run.sh --app
experiment`) measures what that costs; the fix belongs in irctc/mariadb/base.py.
"""

from mysql.connector.cursor import MySQLCursor
from mysql.connector.django.base import CursorWrapper

from irctc.mariadb import base


def _create_cursor(self, name=None):
    # The connection was opened (and, with CONN_HEALTH_CHECKS, pinged once) by Django already.
    return CursorWrapper(MySQLCursor(self.connection))


base.DatabaseWrapper.create_cursor = _create_cursor

from irctc.wsgi import application  # noqa: E402, F401
