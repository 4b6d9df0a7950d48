"""gunicorn settings for serving the API in production (`scripts/serve.sh`).

Workers and threads come from the environment so one image fits any machine:
WEB_CONCURRENCY (worker processes, default 2 per core), WEB_THREADS (threads per worker,
default 1), WEB_WORKER_CLASS (default sync with one thread, else gthread), WEB_REUSE_PORT
(default false for sync, true for gthread), WEB_KEEPALIVE (gthread), BIND (default
127.0.0.1:8000), WEB_TIMEOUT (seconds, default 30).
"""

import gc
import logging
import multiprocessing
import os

from dotenv import load_dotenv

load_dotenv(os.path.join(os.path.dirname(__file__), ".env"))

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Two single-threaded sync workers per core on one shared listening socket: the fastest of the
# configurations measured for the tail of search (docs/performance.md, serving sweeps). A search is
# now mostly Python, so threads of one process mostly wait for its GIL; a second process per core
# fills the waits for the database and the cache instead. A sync worker accepts a connection only
# when it is idle, so every request waits in one queue for the first free worker; a kept-alive
# connection stays with the worker that took it, and the requests behind a busy one wait however
# idle the others are. The sync worker closes each connection after its answer and reads a
# request without a timeout of its own, so it belongs behind a buffering proxy (as BIND's default
# assumes); WEB_THREADS above 1 (or WEB_WORKER_CLASS=gthread) serves clients directly.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", "1"))
worker_class = os.environ.get("WEB_WORKER_CLASS") or ("sync" if threads == 1 else "gthread")
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# On SIGTERM a worker finishes the requests it has (and flushes its pending search logs) first.
graceful_timeout = 30
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
# With reuse_port, gunicorn gives each worker its own listening socket (SO_REUSEPORT) and the
# kernel spreads new connections over them by a hash, busy or not: right for gthread, which
# would otherwise take every connection into the first worker awake; wrong for sync workers,
# which balance themselves on a shared socket.
reuse_port = os.environ.get("WEB_REUSE_PORT", str(worker_class != "sync")).lower() in {"1", "true", "yes", "on"}
# gunicorn 27's runtime control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): two
# instances on one machine would share it. Nothing here uses it.
control_socket_disable = True
# Recycle workers now and then so a slow leak can't grow without bound, but rarely: a new worker
# starts without the timetables, verified tokens and connections the old one kept, and at the
# benchmark's search rate a low limit restarted workers every minute or two.
max_requests = 200000
max_requests_jitter = 20000
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# gunicorn's logger, building only the fields the format names (the same line).
logger_class = "irctc.access_log.AccessLogger"
wsgi_app = "irctc.wsgi:application"


def on_starting(server):
    mongo_uri = os.environ.get("MONGO_URI", "").strip()
    if workers > 1 and (not mongo_uri or mongo_uri.startswith("mongomock")):
        logging.getLogger("gunicorn.error").warning(
            "Serving with %d workers on the in-process MongoDB stand-in: each worker keeps its own "
            "search logs, so analytics will see only the searches of the worker that answers. "
            "Set MONGO_URI to a real MongoDB (or WEB_CONCURRENCY=1).",
            workers,
        )


def post_worker_init(worker):
    # A connection whose request was read whole is closed without waiting for the client to close
    # first: a sync worker would otherwise idle through that wait on every request.
    from irctc import connection_close

    connection_close.install()
    # What the worker has loaded by now (Django, the URLconf, every module: objects the garbage
    # collector tracks by the hundred thousand) lives as long as the worker: freezing it takes it
    # out of every full collection, which otherwise walks it all with the GIL held.
    gc.freeze()
