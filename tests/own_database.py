"""A database of a test's own for processes it starts (a server, a worker), on the suite's engine."""

import uuid

import pytest
from django.conf import settings


@pytest.fixture
def own_database(tmp_path):
    """Environment keys for a database of this test's own, dropped afterwards: a SQLite file, or
    a MariaDB database named inside the privileges CI grants its user for test databases."""
    if settings.DB_ENGINE != "mysql":
        yield {"DB_ENGINE": "sqlite", "DB_NAME": str(tmp_path / "own.sqlite3")}
        return
    import mysql.connector

    default = settings.DATABASES["default"]
    name = f"test_{default['NAME'].removeprefix('test_')}_own_{uuid.uuid4().hex[:8]}"
    credentials = {"user": default["USER"], "password": default["PASSWORD"], "host": default["HOST"]}
    credentials["port"] = int(default["PORT"] or 3306)
    connection = mysql.connector.connect(**credentials, use_pure=True)
    connection.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        yield {
            "DB_ENGINE": "mysql",
            "DB_NAME": name,
            "DB_USER": default["USER"],
            "DB_PASSWORD": default["PASSWORD"],
            "DB_HOST": default["HOST"],
            "DB_PORT": str(credentials["port"]),
        }
    finally:
        connection.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        connection.close()
