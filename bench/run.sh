#!/usr/bin/env bash
# The load benchmark in one command: makes/updates .venv from requirements-dev.txt, then runs
# bench/run.py (fresh MariaDB database `irctc_bench`, seed, gunicorn, the phases; ~10 minutes).
# Arguments go to run.py: `bench/run.sh --help`, `bench/run.sh --profile hot --reps 1`.
# MariaDB must be up on 127.0.0.1:3306 with a user that may create the database
# (BENCH_DB_USER/BENCH_DB_PASSWORD, default irctc/irctc).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh

ensure_venv requirements-dev.txt
exec .venv/bin/python bench/run.py "$@"
