"""mysql-connector-python's Django backend, taught to recognise MariaDB.

The stock backend reads the server version from the handshake, where MariaDB announces itself as
"5.5.5-10.11.x-MariaDB", and never sets `mysql_is_mariadb`. Django then treats MariaDB 10.11 as
MySQL 5.5: datetimes lose their microseconds, `select_for_update(of=...)` renders MySQL-8 syntax
that MariaDB rejects, and any server warning crashes `migrate` on the broken `display_name`.
Reading `SELECT VERSION()` once per connection fixes all of it.
"""

import re

from django.utils.functional import cached_property
from mysql.connector.django.base import DatabaseWrapper as ConnectorDatabaseWrapper


def parse_server_version(version: str) -> tuple[int, int, int]:
    """'10.11.19-MariaDB-0+deb12u1' -> (10, 11, 19); '8.0.36' -> (8, 0, 36)."""
    version = version.removeprefix("5.5.5-")
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    if not match:
        return (0, 0, 0)
    return tuple(int(part) for part in match.groups())


class DatabaseWrapper(ConnectorDatabaseWrapper):
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

    @property
    def display_name(self) -> str:
        return "MariaDB" if self.mysql_is_mariadb else "MySQL"
