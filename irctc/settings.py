"""Settings for the IRCTC mini backend.

Every value that varies between machines is read here from the environment (with `.env` loaded by
python-dotenv) and nowhere else: the rest of the code reads `django.conf.settings`. The keys and
their defaults are the ones of docs/operations.md, Configuration; `.env.example` lists them all.
"""

import hashlib
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")


def env(key: str, default: str = "") -> str:
    return os.environ.get(key, default).strip()


def env_bool(key: str, default: bool = False) -> bool:
    value = env(key)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_int(key: str, default: int) -> int:
    value = env(key)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{key} must be a whole number, not {value!r}") from exc


def env_rate(key: str, default: str) -> str | None:
    """A DRF throttle rate such as `30/min`; `off` switches that throttle off."""
    value = env(key, default)
    return None if value.lower() in {"off", "none", ""} else value


# --- Core --------------------------------------------------------------------------------------

DEV_SECRET_KEY = "django-insecure-irctc-dev-key-change-me-in-production-0123456789"
# Empty counts as unset, as for every other key: `SECRET_KEY=` must not mean an empty key.
SECRET_KEY = env("SECRET_KEY") or DEV_SECRET_KEY
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h.strip()
]

# pytest imports itself before it imports these settings.
TESTING = "pytest" in sys.modules

if not DEBUG and SECRET_KEY == DEV_SECRET_KEY and not TESTING:
    # The development key is public in this repository: with it, anyone could sign tokens for any
    # user. No flag lets it through; the demo and test scripts generate a throwaway key instead.
    raise ImproperlyConfigured(
        "SECRET_KEY is the public development key while DEBUG is off. "
        "Set SECRET_KEY in the environment (or DEBUG=true for local development)."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "trains",
    "bookings",
    "analytics",
    "django_htmx",
    "web",
]

MIDDLEWARE = [
    "irctc.middleware.BodySizeLimitMiddleware",
    "irctc.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves the admin's and Swagger UI's static files under gunicorn, which serves none itself.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "irctc.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.htmx: the pages answer an htmx request with just the part it swaps in.
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "analytics.middleware.SearchTimingMiddleware",
]
# Django's cookie-then-session storage, built only when a page reads or adds a message.
MESSAGE_STORAGE = "irctc.messages.FallbackStorageWhenUsed"

ROOT_URLCONF = "irctc.urls"
WSGI_APPLICATION = "irctc.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# The pages (web/) sign people in with a session; the JSON API keeps JWTs.
LOGIN_URL = "web:sign_in"
LOGIN_REDIRECT_URL = "web:home"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve the apps' static files straight from where they live, so the admin and Swagger UI are
# styled without a collectstatic step (the demo and the tests never run one).
WHITENOISE_USE_FINDERS = True

# --- HTTPS -------------------------------------------------------------------------------------
# Off by default so the embedded demo works over plain HTTP; switch on where TLS terminates in
# front of the app (then `manage.py check --deploy` is clean).
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 30 * 86400 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", False)
# A load balancer probes health over plain HTTP; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)

# --- Databases ---------------------------------------------------------------------------------

DB_ENGINE = env("DB_ENGINE", "sqlite").lower()
if DB_ENGINE == "sqlite":
    _sqlite_name = env("DB_NAME", "db.sqlite3")
    # NORMAL: a commit appends to the log without waiting for the disk (the log is synced at each
    # checkpoint instead), so a booking holds the write lock that every other waits for a shorter
    # while. What it gives up: the last commits before a power loss or an operating-system crash
    # (never one of this process crashing), and never the database's consistency. FULL syncs
    # every commit (docs/operations.md, The embedded default's durability).
    SQLITE_SYNCHRONOUS = env("SQLITE_SYNCHRONOUS", "NORMAL").upper()
    if SQLITE_SYNCHRONOUS not in {"NORMAL", "FULL"}:
        raise ImproperlyConfigured("SQLITE_SYNCHRONOUS must be NORMAL or FULL")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _sqlite_name if os.path.isabs(_sqlite_name) else BASE_DIR / _sqlite_name,
            # IMMEDIATE takes SQLite's write lock at BEGIN, so concurrent bookings queue up
            # instead of failing with "database is locked" when they upgrade a read lock. WAL:
            # a commit is one write to the log instead of the rollback journal's several, and
            # searches read while a booking writes.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS}",
            },
        }
    }
elif DB_ENGINE == "mysql":
    # A database that stops answering (paused, unplugged) must cost a request seconds, not the
    # worker: connects and every read give up after these, and the request answers 503. A lock
    # wait has to end first, or a busy run would look like a dead server.
    DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 3)
    DB_READ_TIMEOUT = env_int("DB_READ_TIMEOUT", 10)
    DB_LOCK_WAIT_SECONDS = env_int("DB_LOCK_WAIT_SECONDS", 5)
    if DB_CONNECT_TIMEOUT <= 0 or DB_LOCK_WAIT_SECONDS <= 0 or 0 < DB_READ_TIMEOUT <= DB_LOCK_WAIT_SECONDS:
        raise ImproperlyConfigured(
            "DB_CONNECT_TIMEOUT and DB_LOCK_WAIT_SECONDS must be positive and DB_READ_TIMEOUT (0: none) must exceed "
            f"DB_LOCK_WAIT_SECONDS (got {DB_CONNECT_TIMEOUT}, {DB_LOCK_WAIT_SECONDS}, {DB_READ_TIMEOUT})"
        )
    # One server takes every write: on a Galera cluster, HAProxy's writer (docs/galera.md). A
    # `SELECT ... FOR UPDATE` locks rows on the node that runs it and nowhere else, so two app
    # servers writing through two nodes could each be granted the same run's lock and sell one
    # seat twice; a list of hosts here would be that, so it is refused.
    DB_HOST = env("DB_HOST", "127.0.0.1")
    if any(separator in DB_HOST for separator in ", ;"):
        raise ImproperlyConfigured(
            f"DB_HOST names one database server, not {DB_HOST!r}: every write goes to a single writer "
            "(on a Galera cluster, point it at HAProxy; see docs/galera.md). Reads may use DB_REPLICA_HOSTS."
        )
    # MariaDB can't index `Lower(username)`; its utf8mb4_unicode_ci collation already makes the
    # plain unique index on username case-insensitive, which is what that constraint is for.
    SILENCED_SYSTEM_CHECKS = ["models.W044"]
    DATABASES = {
        "default": {
            # mysql-connector-python's backend, with MariaDB detected properly (see irctc/mariadb).
            "ENGINE": "irctc.mariadb",
            "NAME": env("DB_NAME", "irctc"),
            "USER": env("DB_USER", "root"),
            "PASSWORD": env("DB_PASSWORD", ""),
            "HOST": DB_HOST,
            "PORT": env("DB_PORT", "3306"),
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "charset": "utf8mb4",
                "collation": "utf8mb4_unicode_ci",
                # The backend would otherwise turn every server note into an exception under DEBUG.
                "raise_on_warnings": False,
                # Every statement sees what is committed, so reads made after taking the run's
                # lock see the writes of whoever held it before (REPEATABLE READ would show the
                # transaction's older snapshot), as on PostgreSQL and as Django recommends.
                "isolation_level": "read committed",
                "use_pure": True,
                "init_command": (
                    f"SET sql_mode='STRICT_TRANS_TABLES', SESSION innodb_lock_wait_timeout={DB_LOCK_WAIT_SECONDS},"
                    # Search returns its page as one JSON_ARRAYAGG, which MariaDB cuts at this
                    # length (1 MB by default; a full page of 100 journeys is a few hundred KB).
                    " SESSION group_concat_max_len=16777216"
                ),
                "connection_timeout": DB_CONNECT_TIMEOUT,
                "read_timeout": DB_READ_TIMEOUT or None,
                "write_timeout": DB_READ_TIMEOUT or None,
            },
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    }
else:
    raise ImproperlyConfigured(f"DB_ENGINE must be 'sqlite' or 'mysql', not {DB_ENGINE!r}")


def replica_address(address: str) -> tuple[str, str]:
    """'db2:3306' -> ('db2', '3306'); '[::1]:3306' -> ('::1', '3306')."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ImproperlyConfigured(f"DB_REPLICA_HOSTS takes comma-separated host:port pairs, not {address!r}")
    return host.removeprefix("[").removesuffix("]"), port


# Read replicas (irctc/db_router.py): reads that tolerate a second of lag go to one of these.
DB_REPLICA_HOSTS = [address.strip() for address in env("DB_REPLICA_HOSTS").split(",") if address.strip()]
DB_REPLICA_MAX_LAG = env_int("DB_REPLICA_MAX_LAG", 5)
# alias -> "host:port", as health reports them.
DB_REPLICAS = {}
if DB_REPLICA_HOSTS and DB_ENGINE != "mysql":
    raise ImproperlyConfigured("DB_REPLICA_HOSTS needs DB_ENGINE=mysql: SQLite has no replicas.")
for _index, _address in enumerate(DB_REPLICA_HOSTS, start=1):
    _host, _port = replica_address(_address)
    _primary = DATABASES["default"]
    DATABASES[f"replica{_index}"] = {
        **_primary,
        "NAME": env("DB_REPLICA_NAME") or _primary["NAME"],
        "USER": env("DB_REPLICA_USER") or _primary["USER"],
        "PASSWORD": env("DB_REPLICA_PASSWORD") or _primary["PASSWORD"],
        "HOST": _host,
        "PORT": _port,
        # A replica that does not answer is skipped; it must not hold a request for long first.
        "OPTIONS": {**_primary["OPTIONS"], "connection_timeout": 2},
        # Under the test runner a replica shows the primary's test database, as replication would.
        "TEST": {**_primary["TEST"], "MIRROR": "default"},
    }
    DB_REPLICAS[f"replica{_index}"] = _address
if DB_REPLICAS:
    DATABASE_ROUTERS = ["irctc.db_router.ReplicaRouter"]
    MIDDLEWARE.append("irctc.db_router.MarkWritersMiddleware")

# --- Cache (throttle counters, idempotency locks) ----------------------------------------------

REDIS_URL = env("REDIS_URL")
# Sets apart the keys of several deployments (or benchmark databases) that share one Redis.
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX")
# How long a cache command may wait for Redis, which answers in well under a millisecond: one that
# does not answer (paused, cut off) then costs a request this once, and no request of this process
# asks it again for a second (irctc/cache.py). redis-py's own default is 5 s per command.
REDIS_TIMEOUT_MS = env_int("REDIS_TIMEOUT_MS", 250)
if REDIS_TIMEOUT_MS <= 0:
    raise ImproperlyConfigured("REDIS_TIMEOUT_MS must be positive")
# Django's, reusing its redis-py clients (irctc/cache.py); LOCATION is REDIS_URL.
REDIS_CACHE = {
    "BACKEND": "irctc.cache.RedisCache",
    "KEY_PREFIX": CACHE_KEY_PREFIX,
    "OPTIONS": {"socket_timeout": REDIS_TIMEOUT_MS / 1000, "socket_connect_timeout": REDIS_TIMEOUT_MS / 1000},
}
# Without Redis, the worker processes of this machine share a SQLite file in memory
# (irctc/local_cache.py) named after the database, so that two deployments of one machine don't
# share it; LOCAL_CACHE=process keeps a cache per process instead (nothing shared).
LOCAL_CACHE = env("LOCAL_CACHE", "shared").lower()
if LOCAL_CACHE not in {"shared", "process"}:
    raise ImproperlyConfigured("LOCAL_CACHE must be 'shared' or 'process'")
_cache_directory = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
_cache_of = hashlib.blake2b(f"{BASE_DIR}|{DB_ENGINE}|{DATABASES['default']['NAME']}".encode(), digest_size=8)
LOCAL_CACHE_PATH = env("LOCAL_CACHE_PATH") or os.path.join(
    _cache_directory, f"irctc-cache-{_cache_of.hexdigest()}.sqlite3"
)
if REDIS_URL:
    CACHES = {"default": {**REDIS_CACHE, "LOCATION": REDIS_URL}}
elif LOCAL_CACHE == "shared":
    CACHES = {
        "default": {
            "BACKEND": "irctc.local_cache.SharedMemoryCache",
            "LOCATION": LOCAL_CACHE_PATH,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "irctc"}}
_CACHE_SHARED = bool(REDIS_URL) or LOCAL_CACHE == "shared"
# Seconds a signed-in user is kept in the cache so that a request's JWT needs no user query
# (accounts/authentication.py); every change to the user invalidates it at once. On by default
# only with a cache the workers share: one per process could not be invalidated in the others.
AUTH_USER_CACHE_SECONDS = env_int("AUTH_USER_CACHE_SECONDS", 300 if _CACHE_SHARED else 0)
# Seconds a search answer may be shared (bookings/search_cache.py); every booking, hold, cancel
# or train change invalidates the answers it touches at once. On by default only with a cache the
# workers share, for the same reason.
SEARCH_CACHE_SECONDS = env_int("SEARCH_CACHE_SECONDS", 60 if _CACHE_SHARED else 0)

# --- Passwords ---------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- API ---------------------------------------------------------------------------------------

MAX_BODY_BYTES = env_int("MAX_BODY_BYTES", 64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

THROTTLE_RATES = {
    "auth": env_rate("THROTTLE_AUTH", "10/min"),
    "booking": env_rate("THROTTLE_BOOKING", "30/min"),
    "user": env_rate("THROTTLE_USER", "2000/hour"),
    "anon": env_rate("THROTTLE_ANON", "200/hour"),
}
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if HTTPS and NUM_PROXIES > 0:
    # TLS ends at the trusted proxy, which says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.CachedUserJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["irctc.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "irctc.pagination.LimitOffsetPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "irctc.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "irctc.throttling.AuthThrottle",
        "irctc.throttling.BookingThrottle",
        "irctc.throttling.UserThrottle",
        "irctc.throttling.AnonThrottle",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("ACCESS_TOKEN_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("REFRESH_TOKEN_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "IRCTC mini backend",
    "DESCRIPTION": (
        "Train search, seat booking with waitlist and holds, and search analytics.\n\n"
        "**Trying it out here.** Every endpoint but sign-in and registration wants a signed-in user, "
        "so *Try it out* answers 401 until you authorise: open `POST /api/auth/login/`, press *Try it "
        "out*, send your username and password (the demo's passenger is `demo` with the password "
        "`seed_demo` prints), copy `access` from the answer, press **Authorize** at the top of this "
        "page and paste it. The page keeps it across reloads; an access token lasts a few minutes, "
        "then sign in again (or use `POST /api/auth/token/refresh/`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "irctc.schema.document_error_responses",
        "irctc.schema.describe_query_parameters",
    ],
    "ENUM_NAME_OVERRIDES": {
        # The travel classes: `class` of bookings, search and seat maps, and `code` of a train's classes.
        "ClassEnum": "trains.layouts.LAYOUTS",
        "DependencyStateEnum": "irctc.health.DEPENDENCY_STATES",
        "ReplicaStateEnum": "irctc.db_router.REPLICA_STATES",
        # A booking's status, in a booking and in a cancellation's answer (a booking with its refund).
        "BookingStatusEnum": "bookings.models.Booking.Status",
    },
    # Keeps the token pasted into Swagger UI's "Authorize" across page reloads.
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
}

# --- Domain ------------------------------------------------------------------------------------

HOLD_SECONDS = env_int("HOLD_SECONDS", 180)
BOOKING_WINDOW_DAYS = env_int("BOOKING_WINDOW_DAYS", 60)
WAITLIST_PERCENT = env_int("WAITLIST_PERCENT", 20)
IDEMPOTENCY_KEY_HOURS = 24
# A run leaving its first stop outside 05:00-13:59 is charted this many hours before it leaves
# (`trains.charting_time`); the others at 21:00 the day before.
CHART_HOURS = env_int("CHART_HOURS", 8)
if not 0 < CHART_HOURS <= 24:
    raise ImproperlyConfigured(f"CHART_HOURS must be between 1 and 24, not {CHART_HOURS}")

# --- Task queue (Celery: charting at its hour, the passengers' e-mails) ----------------------------
# The broker: CELERY_BROKER_URL, else REDIS_URL, else kombu's file-system transport in
# CELERY_BROKER_FOLDER, which needs no server: the embedded demo's worker (`celery -A irctc worker
# -B`) and the site hand each other tasks as files there.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_BROKER_FOLDER = BASE_DIR / env("CELERY_BROKER_FOLDER", ".celery")  # relative: to the project root
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # One folder both ways: every process both sends and takes tasks from it.
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
    }
else:
    # A task is sent after the commit, inside the request: a broker that can't be reached must
    # cost it a second, not a long connect.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1}
# Sending a task must not hold a request for long when the broker is down: the e-mail is lost
# (and logged), the booking is not.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 1)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# Under pytest a task runs in the process that sends it (tests/ start a real worker where they
# mean one).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
# The passengers' e-mails; off under pytest unless a test turns them on (each costs its PDF).
PASSENGER_EMAILS = env_bool("PASSENGER_EMAILS", not TESTING)
CELERY_TASK_IGNORE_RESULT = True
# Sets apart the tasks of deployments (or test runs) that share one broker.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "celery")
# A task whose worker dies half-way is run again by the next: every task here is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME", str(CELERY_BROKER_FOLDER / "beat-schedule"))
# How often beat looks for runs whose chart time has come (seconds).
CHART_CHECK_SECONDS = env_int("CHART_CHECK_SECONDS", 60)
# How often beat queues the confirmation e-mails of new bookings (`bookings.outbox`; seconds).
CONFIRMATION_EMAIL_SECONDS = env_int("CONFIRMATION_EMAIL_SECONDS", 5)
CELERY_BEAT_SCHEDULE = {
    "chart-due-runs": {"task": "bookings.tasks.chart_due_runs", "schedule": float(CHART_CHECK_SECONDS)},
    "send-due-confirmations": {
        "task": "bookings.tasks.send_due_confirmations",
        "schedule": float(CONFIRMATION_EMAIL_SECONDS),
    },
}

# --- E-mail (the passengers' notifications) ------------------------------------------------------
# SMTP when EMAIL_HOST is set (production), else printed on the worker's console (the demo).
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST_USER))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "irctc.console_mail.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "IRCTC mini <tickets@irctc-mini.example>")
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: one file per e-mail here.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / ".mail"))

# --- Search logs (MongoDB) ---------------------------------------------------------------------

MONGO_URI = env("MONGO_URI")
MONGO_DB = env("MONGO_DB", "irctc_logs")
LOG_RETENTION_DAYS = env_int("LOG_RETENTION_DAYS", 90)
SEARCH_LOG_ENABLED = env_bool("SEARCH_LOG_ENABLED", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "mysql.connector": {"level": "WARNING"},
        # fpdf2 subsets the e-ticket's font with fontTools, which says every step at INFO.
        "fontTools": {"level": "WARNING"},
    },
}
