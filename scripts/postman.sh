#!/usr/bin/env bash
# Runs the Postman collection (postman/) with newman against a throwaway server: the embedded
# default (SQLite in a temporary file, the in-process MongoDB stand-in) with the demo data, on a
# free port, throttles off. Exits non-zero if any request or assertion failed. Arguments go to
# newman (e.g. scripts/postman.sh --folder Auth). Needs Node >= 16 and npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh

ensure_venv requirements.txt

# newman, pinned by postman/package-lock.json; `npm ci` only when the lock file changed.
if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm is needed to run newman: install Node.js 16 or newer." >&2
    exit 1
fi
lock_hash=$(sha256sum postman/package-lock.json | cut -d' ' -f1)
stamp=postman/node_modules/.installed-lock
if [[ ! -f $stamp || $(<"$stamp") != "$lock_hash" ]]; then
    echo "==> npm ci (newman)"
    (cd postman && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_hash" >"$stamp"
fi

healthy() {
    .venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/api/health/", timeout=2)' \
        "$base_url" >/dev/null 2>&1
}

workdir=$(mktemp -d)
server_pid=""
cleanup() {
    if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$workdir"
}
trap cleanup EXIT

# Every key the server depends on is pinned, so a developer's .env can't change what is tested.
# A throwaway SECRET_KEY for this run: with DEBUG off, the public development key is refused.
SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY DEBUG= DB_ENGINE=sqlite DB_NAME="$workdir/postman.sqlite3" MONGO_URI=mongomock:// \
    REDIS_URL= THROTTLE_AUTH=off THROTTLE_BOOKING=off THROTTLE_USER=off THROTTLE_ANON=off
port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base_url="http://127.0.0.1:$port"

echo "==> Demo data in $DB_NAME"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo

echo "==> Serving on $base_url"
# One process, no autoreloader: the in-process MongoDB stand-in must see every search.
.venv/bin/python manage.py runserver "127.0.0.1:$port" --noreload --insecure >"$workdir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 60); do
    healthy && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "error: the server exited:" >&2
        cat "$workdir/server.log" >&2
        exit 1
    fi
    sleep 0.5
done
healthy || {
    echo "error: $base_url/api/health/ did not answer 200 within 30 s:" >&2
    tail -n 50 "$workdir/server.log" >&2
    exit 1
}

echo "==> newman run postman/irctc.postman_collection.json"
status=0
(cd postman && node_modules/.bin/newman run irctc.postman_collection.json \
    --environment irctc.postman_environment.json --env-var "baseUrl=$base_url" \
    --color off --reporters cli "$@") || status=$?
if ((status != 0)); then
    echo "==> newman failed (exit $status); the server's last lines:" >&2
    tail -n 30 "$workdir/server.log" >&2
fi
exit $status
