#!/usr/bin/env bash
# Production: serves the API with gunicorn (gunicorn.conf.py) against the MySQL/MariaDB, MongoDB
# and Redis that the environment (or .env) names. Not a set-up command: run it where the app is
# deployed, with at least SECRET_KEY, DB_ENGINE=mysql and the DB_* keys set; MONGO_URI and REDIS_URL
# as soon as more than one worker process serves (see docs/operations.md, Production).
#
# It migrates and collects static files first, then `exec`s gunicorn, so gunicorn is the process a
# supervisor (systemd, a container runtime) signals: SIGTERM stops it gracefully, finishing the
# requests in flight within gunicorn's graceful timeout (30 s), and it exits 0.
# Tuning: WEB_CONCURRENCY (worker processes), WEB_THREADS (threads each), BIND (127.0.0.1:8000),
# WEB_TIMEOUT (30 s). Access logs go to stdout, errors to stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh

if [[ -z ${SECRET_KEY:-} ]] && ! grep -qs '^[[:space:]]*SECRET_KEY=[^[:space:]#]' .env; then
    echo "error: SECRET_KEY is not set. Set it in the environment (or .env) to a long random string, e.g." >&2
    echo "       SECRET_KEY=\$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" >&2
    echo "       and keep it: changing it signs everyone out." >&2
    exit 1
fi

ensure_venv requirements.txt

# Settings as the app will see them (environment, then .env): no debug mode, no public key, and a
# word about what a single machine's defaults would mean in production.
.venv/bin/python - <<'PY'
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irctc.settings")
import django
from django.core.exceptions import ImproperlyConfigured

try:
    django.setup()
except ImproperlyConfigured as exc:
    sys.exit(f"error: {exc}")
from django.conf import settings

if settings.DEBUG:
    sys.exit("error: DEBUG is on; production serves with DEBUG=false (unset it).")
if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
    sys.exit("error: SECRET_KEY is the public development key; set a key of your own.")
if settings.DB_ENGINE != "mysql":
    print("warning: DB_ENGINE is not mysql: serving from SQLite, which takes one writer at a time.", file=sys.stderr)
if not settings.REDIS_URL:
    print("warning: REDIS_URL is not set: each worker process counts its own throttle budget.", file=sys.stderr)
PY

echo "==> Migrating the database"
# No read timeout for the migration: rewriting a big table may take the server minutes to answer.
DB_READ_TIMEOUT=0 .venv/bin/python manage.py migrate --noinput
echo "==> Collecting static files into staticfiles/"
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/python manage.py check --deploy --fail-level ERROR

echo "==> gunicorn on ${BIND:-127.0.0.1:8000}"
exec .venv/bin/gunicorn -c gunicorn.conf.py
