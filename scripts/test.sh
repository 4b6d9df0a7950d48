#!/usr/bin/env bash
# Lint, format check and the test suite; arguments go to pytest (e.g. scripts/test.sh -k booking).
# SQLite by default; DB_ENGINE=mysql with DB_NAME, DB_USER, DB_PASSWORD, DB_HOST runs the same
# suite on MySQL/MariaDB, including the threaded concurrency tests that SQLite skips.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh

ensure_venv requirements-dev.txt

echo "==> ruff check"
.venv/bin/ruff check .
echo "==> ruff format --check"
.venv/bin/ruff format --check .
echo "==> pytest"
exec .venv/bin/pytest "$@"
