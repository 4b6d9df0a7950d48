#!/usr/bin/env bash
# The load benchmark in one command: makes/updates .venv from requirements-dev.txt, then runs
# bench/run.py (fresh MariaDB database `irctc_bench`, seed, gunicorn, the phases; ~6 minutes).
# Arguments go to run.py: `bench/run.sh --help`, `bench/run.sh --profile hot --reps 1`.
# `--ab COMMIT` compares that commit with the working tree (bench/ab.py). BENCH_DB_NAME names the
# database (A/B adds `<name>_base`), so two people benchmarking on one machine don't collide;
# BENCH_REDIS_URL gives the servers a Redis. MariaDB must be up on 127.0.0.1:3306. Unless
# BENCH_DB_USER is given, the benchmark's own user is created through the unix socket as root
# (as .ci/run does for the tests).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh

if [[ -z "${BENCH_DB_USER:-}" ]]; then
    export BENCH_DB_USER=irctc_bench BENCH_DB_PASSWORD="${BENCH_DB_PASSWORD:-irctc-bench-only-password}"
    db_name="${BENCH_DB_NAME:-irctc_bench}"
    for host in localhost 127.0.0.1 ::1; do
        mariadb -uroot -e "
            CREATE USER IF NOT EXISTS '$BENCH_DB_USER'@'$host' IDENTIFIED BY '$BENCH_DB_PASSWORD';
            ALTER USER '$BENCH_DB_USER'@'$host' IDENTIFIED BY '$BENCH_DB_PASSWORD';
            GRANT ALL PRIVILEGES ON \`$db_name\`.* TO '$BENCH_DB_USER'@'$host';
            GRANT ALL PRIVILEGES ON \`${db_name}_base\`.* TO '$BENCH_DB_USER'@'$host';"
    done
fi

ensure_venv requirements-dev.txt
exec .venv/bin/python bench/run.py "$@"
