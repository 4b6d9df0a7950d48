#!/usr/bin/env bash
# The embedded demo: one command from a fresh clone to the running site and API on http://127.0.0.1:8000
# (PORT overrides the port), with the task queue's worker and beat beside it (charting at each
# run's hour, the passengers' e-mails on this console), stopped with it. SQLite, the in-process
# MongoDB stand-in and a broker in files (.celery/), so nothing else is needed; a .env in the
# project root is honoured (irctc/settings.py loads it), e.g. to point at MariaDB or Redis.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh

ensure_venv requirements.txt

# DEBUG stays off, so the demo answers exactly as a deployment would (JSON errors, no debug
# pages); that needs a SECRET_KEY of its own. Unless one is given (environment or .env), the demo
# makes a random one, kept in .venv (which git ignores) so tokens survive a restart of the demo.
# --insecure lets runserver serve the Swagger UI's static files with DEBUG off.
if [[ -z ${SECRET_KEY:-} ]] && ! grep -qs '^[[:space:]]*SECRET_KEY=' .env; then
    key_file=.venv/demo-secret-key
    [[ -s $key_file ]] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' >"$key_file"
    SECRET_KEY=$(<"$key_file")
    export SECRET_KEY
fi
port=${PORT:-8000}

echo "==> Migrating the database"
.venv/bin/python manage.py migrate --noinput --verbosity 0
.venv/bin/python manage.py seed_demo

echo "==> Starting the task queue's worker and beat (charting, e-mails)"
# A session of its own, so that stopping the demo stops the worker and its beat together.
setsid .venv/bin/celery -A irctc worker -B --pool solo --without-mingle --without-gossip \
    --loglevel "${CELERY_LOG_LEVEL:-INFO}" &
worker_pid=$!
server_pid=
stop_all() {
    [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null
    kill -TERM -- "-$worker_pid" 2>/dev/null
    wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM

echo
echo "==> Serving the site on http://127.0.0.1:$port/ (operator dashboard: /dashboard/, API docs: /api/docs/; Ctrl-C stops)"
# One process, no autoreloader: the in-process MongoDB stand-in must see every search. In the
# background, so that the demo can stop the worker whichever of them is told to stop.
.venv/bin/python manage.py runserver "127.0.0.1:$port" --noreload --insecure &
server_pid=$!
wait "$server_pid"
