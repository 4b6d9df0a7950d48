#!/usr/bin/env bash
# A MongoDB wire-protocol server on this machine, for several workers (or CI, or the benchmark)
# to share one search log when no MongoDB is at hand. Production uses a real MongoDB 6+.
#
#   scripts/mongo.sh start [PORT]   installs the server if needed, starts it on 127.0.0.1:PORT
#                                   (a free port if none is given), waits until it answers a ping
#                                   and prints its URI, e.g. mongodb://127.0.0.1:40123
#   scripts/mongo.sh stop [PORT]    stops the server on PORT, or every one this checkout started
#   scripts/mongo.sh install        only installs it
#
# The server is SecantusDB (GPL-2.0), pinned in scripts/mongo-server.txt and installed into its
# own virtualenv, .mongo-venv/, so the app never imports it. It keeps its data in memory: a
# stopped server forgets every log. Its PID and output are kept in .mongo-run/PORT.{pid,log}.
# Only the URI goes to stdout, so `MONGO_URI=$(scripts/mongo.sh start)` works.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh

SERVER_VENV=.mongo-venv
SERVER_REQUIREMENTS=scripts/mongo-server.txt
RUN_DIR=.mongo-run
HOST=127.0.0.1
START_TIMEOUT_SECONDS=${MONGO_START_TIMEOUT:-30}
STOP_TIMEOUT_SECONDS=10

say() { echo "$*" >&2; }

install_server() {
    local stamp="$SERVER_VENV/.installed" wanted
    if [[ ! -x $SERVER_VENV/bin/python ]]; then
        say "==> Creating $SERVER_VENV for the MongoDB wire-protocol server"
        "$(find_python)" -m venv "$SERVER_VENV" >&2
    fi
    wanted=$(sha256sum "$SERVER_REQUIREMENTS" | cut -d' ' -f1)
    if [[ ! -f $stamp || $(<"$stamp") != "$wanted" || ! -x $SERVER_VENV/bin/secantusd-py ]]; then
        say "==> Installing $SERVER_REQUIREMENTS into $SERVER_VENV"
        "$SERVER_VENV/bin/python" -m pip install -qq --disable-pip-version-check -r "$SERVER_REQUIREMENTS" >&2
        echo "$wanted" >"$stamp"
    fi
}

free_port() {
    "$SERVER_VENV/bin/python" -c 'import socket
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    print(probe.getsockname()[1])'
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

answers_ping() {
    "$SERVER_VENV/bin/python" - "$1" <<'PY' >/dev/null 2>&1
import sys
import pymongo

client = pymongo.MongoClient(sys.argv[1], serverSelectionTimeoutMS=500, connectTimeoutMS=500)
client.admin.command("ping")
PY
}

# is_our_server PID: the process is alive and is the server (not a recycled PID).
is_our_server() { [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q secantusd-py; }

start() {
    local port=${1:-} pid uri deadline
    install_server
    mkdir -p "$RUN_DIR"
    if [[ -z $port ]]; then
        port=$(free_port)
    elif [[ -f $RUN_DIR/$port.pid ]] && is_our_server "$(<"$RUN_DIR/$port.pid")"; then
        say "error: a server this checkout started is already running on port $port (scripts/mongo.sh stop $port)"
        return 1
    elif port_in_use "$port"; then
        say "error: something else is listening on $HOST:$port"
        return 1
    fi
    uri="mongodb://$HOST:$port"
    # No shell of ours stays around it: the server outlives this script until `stop`.
    nohup "$SERVER_VENV/bin/secantusd-py" --host "$HOST" --port "$port" --storage-path :memory: \
        --standalone --log-level WARNING >"$RUN_DIR/$port.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$RUN_DIR/$port.pid"
    deadline=$((SECONDS + START_TIMEOUT_SECONDS))
    until answers_ping "$uri"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            say "error: the server exited at start-up; its output ($RUN_DIR/$port.log):"
            cat "$RUN_DIR/$port.log" >&2
            rm -f "$RUN_DIR/$port.pid"
            return 1
        fi
        if ((SECONDS >= deadline)); then
            say "error: the server did not answer a ping within $START_TIMEOUT_SECONDS s (see $RUN_DIR/$port.log)"
            stop_port "$port"
            return 1
        fi
        sleep 0.2
    done
    say "MongoDB wire-protocol server (SecantusDB, in memory) up on $uri, PID $pid"
    echo "$uri"
}

stop_port() {
    local port=$1 pidfile="$RUN_DIR/$1.pid" pid deadline
    [[ -f $pidfile ]] || { say "no server of this checkout on port $port"; return 0; }
    pid=$(<"$pidfile")
    if is_our_server "$pid"; then
        kill -TERM "$pid"
        deadline=$((SECONDS + STOP_TIMEOUT_SECONDS))
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            say "the server on port $port ignored SIGTERM for $STOP_TIMEOUT_SECONDS s: killing PID $pid"
            kill -KILL "$pid"
        fi
        say "stopped the server on port $port (PID $pid)"
    fi
    rm -f "$pidfile"
}

stop() {
    local pidfile
    if [[ -n ${1:-} ]]; then
        stop_port "$1"
        return
    fi
    shopt -s nullglob
    for pidfile in "$RUN_DIR"/*.pid; do
        stop_port "$(basename "$pidfile" .pid)"
    done
}

case ${1:-} in
    start) start "${2:-}" ;;
    stop) stop "${2:-}" ;;
    install) install_server ;;
    *)
        say "usage: scripts/mongo.sh start [PORT] | stop [PORT] | install"
        exit 2
        ;;
esac
