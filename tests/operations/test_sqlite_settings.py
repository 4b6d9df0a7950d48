"""The embedded default's SQLite: WAL, and a commit that waits for the disk only when asked to
(`SQLITE_SYNCHRONOUS`, docs/operations.md, The embedded default's durability)."""

from tests.security.test_production_settings import run_django

PRAGMAS = (
    "import django; django.setup(); from django.db import connection; cursor = connection.cursor();"
    "print(cursor.execute('PRAGMA journal_mode').fetchone()[0], cursor.execute('PRAGMA synchronous').fetchone()[0])"
)


def pragmas(tmp_path, **env) -> str:
    result = run_django(["-c", PRAGMAS], DEBUG="true", DB_NAME=str(tmp_path / "pragmas.sqlite3"), **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_by_default_a_commit_does_not_wait_for_the_disk(tmp_path):
    assert pragmas(tmp_path) == ["wal", "1"]  # NORMAL


def test_full_makes_every_commit_wait_for_the_disk(tmp_path):
    assert pragmas(tmp_path, SQLITE_SYNCHRONOUS="full") == ["wal", "2"]  # FULL


def test_anything_else_refuses_to_start(tmp_path):
    result = run_django(["-c", "import django; django.setup()"], DEBUG="true", SQLITE_SYNCHRONOUS="off")

    assert result.returncode != 0
    assert "SQLITE_SYNCHRONOUS must be NORMAL or FULL" in result.stderr
