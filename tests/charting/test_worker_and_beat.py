"""End to end: a real Celery worker with beat, in processes of their own, charts a run whose
chart time has passed, with nobody touching the run.

Two set-ups: the embedded default (kombu's file-system broker, a SQLite file: what
`scripts/demo.sh` runs, nothing to install), and production's (Redis as the broker, two workers
and one beat on the suite's database engine, MariaDB in CI's second pass), where the run must be
charted once though both workers may take a `chart_run` of it. Without REDIS_URL the Redis one
skips (CI's MariaDB pass sets it).

No clock is frozen: the run is made due already (its chart time has passed, its departure is
ahead), and the test polls the database for the chart with a deadline.
"""

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CELERY = Path(sys.executable).parent / "celery"
DEADLINE_SECONDS = 90

# Runs in a process of its own on the test's database: a train leaving in about two hours (so its
# chart time has passed and it has not left), five seats, and two bookings on its run: one of every
# seat, one waitlisted, which charting must cancel and refund in full.
SEED = """
import json
from datetime import datetime, time, timedelta
from django.utils import timezone
from bookings import services
from tests.factories import make_train, make_user, route

now = timezone.localtime()
leaves = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
if leaves.date() != now.date() or leaves.hour >= 22:
    leaves = datetime.combine(now.date() + timedelta(days=1), time(0, 30), tzinfo=now.tzinfo)
train = make_train(
    stops=route("Agra Cantt", "Gwalior", start=leaves.time()),
    classes=[{"code": "GEN", "seats": 5, "fare_per_km": "1.00"}],
)
asha, ravi = make_user("asha"), make_user("ravi")
confirmed = services.book_seats(user=asha, train=train, travel_date=leaves.date(), seats=5)
waiting = services.book_seats(user=ravi, train=train, travel_date=leaves.date(), seats=1, allow_waitlist=True)
print(json.dumps({
    "train": train.pk, "run_date": leaves.date().isoformat(), "confirmed": confirmed.pk, "waiting": waiting.pk,
    "pnrs": {"confirmed": confirmed.pnr, "waiting": waiting.pnr},
}))
"""

STATE = """
import json, sys
from bookings.models import Booking, Refund, TrainRun
run = TrainRun.objects.filter(train_id=sys.argv[1], run_date=sys.argv[2]).first()
print(json.dumps({
    "charted_at": run and run.charted_at and run.charted_at.isoformat(),
    "statuses": dict(Booking.objects.filter(run=run).values_list("pk", "status")),
    "refunds": list(Refund.objects.filter(booking__run=run).values("booking_id", "amount", "charge")),
}, default=str))
"""


def python(env: dict, code: str, *argv: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def migrate(env: dict) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]


def base_env(tmp_path: Path, **keys: str) -> dict:
    keep = {key: value for key, value in os.environ.items() if not key.startswith(("DB_", "CELERY_", "EMAIL_"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "irctc.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "MONGO_URI": "mongomock://",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CHART_CHECK_SECONDS": "1",
        "CHART_HOURS": "8",
        "LOG_LEVEL": "WARNING",
        **keys,
    }


class Workers:
    """Celery processes started for a test, stopped (their process groups) when it ends."""

    def __init__(self, env: dict, log_dir: Path):
        self.env, self.log_dir, self.processes = env, log_dir, []

    def start(self, name: str, *argv: str) -> None:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        command = [str(CELERY), "-A", "irctc", *argv, "--loglevel", "INFO"]
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append((name, process, log))

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n{(self.log_dir / f'{name}.log').read_text()[-3000:]}" for name, _, _ in self.processes
        )

    def stop(self) -> None:
        for _, process, _ in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _, process, log in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
            log.close()


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(env):
        group = Workers(env, tmp_path)
        started.append(group)
        return group

    yield start
    for group in started:
        group.stop()


def wait_for_chart(env: dict, seeded: dict, workers: Workers) -> dict:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        state = python(env, STATE, str(seeded["train"]), seeded["run_date"])
        if state["charted_at"] and state["refunds"]:
            return state
        for name, process, _ in workers.processes:
            assert process.poll() is None, f"{name} exited:\n{workers.logs()}"
        assert time.monotonic() < deadline, f"not charted within {DEADLINE_SECONDS} s: {state}\n{workers.logs()}"
        time.sleep(0.5)


def assert_charted_once(state: dict, seeded: dict) -> None:
    statuses = {int(pk): status for pk, status in state["statuses"].items()}
    assert statuses == {seeded["confirmed"]: "CONFIRMED", seeded["waiting"]: "CANCELLED"}
    # The whole fare back, no charge, once: a second charting would have found the run charted.
    assert [(refund["booking_id"], refund["charge"]) for refund in state["refunds"]] == [(seeded["waiting"], "0.00")]
    assert float(state["refunds"][0]["amount"]) > 0


def wait_for_mail(mail_folder: Path, pnrs: list[str], workers: Workers) -> dict[str, str]:
    """The subject of the e-mail naming each PNR, once the worker has written one for each."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        subjects = {}
        for path in mail_folder.glob("*.log"):
            for subject in re.findall(r"^Subject: (.*)$", path.read_text(errors="replace"), flags=re.MULTILINE):
                subjects.update({pnr: subject for pnr in pnrs if pnr in subject})
        if len(subjects) == len(pnrs):
            return subjects
        assert time.monotonic() < deadline, f"e-mails within {DEADLINE_SECONDS} s: {subjects}\n{workers.logs()}"
        time.sleep(0.5)


def test_the_embedded_default_charts_a_due_run_and_mails_with_nothing_installed(tmp_path, workers):
    mail_folder = tmp_path / "mail"
    env = base_env(
        tmp_path,
        DB_ENGINE="sqlite",
        DB_NAME=str(tmp_path / "demo.sqlite3"),
        REDIS_URL="",
        CELERY_BROKER_FOLDER=str(tmp_path / "broker"),
        PASSENGER_EMAILS="true",
        CONFIRMATION_EMAIL_SECONDS="1",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_folder),
    )
    migrate(env)
    seeded = python(env, SEED)
    group = workers(env)
    group.start(
        "worker",
        "worker",
        "-B",
        "--pool",
        "solo",
        "--without-mingle",
        "--without-gossip",
        "--schedule",
        str(tmp_path / "beat-schedule"),
    )

    assert_charted_once(wait_for_chart(env, seeded, group), seeded)
    # The booking made before the worker started is confirmed by beat's sweep of the outbox; the
    # waitlisted one hears of its cancellation from the chart.
    subjects = wait_for_mail(mail_folder, list(seeded["pnrs"].values()), group)
    assert "cancelled at charting" in subjects[seeded["pnrs"]["waiting"]]
    assert "booking confirmed" in subjects[seeded["pnrs"]["confirmed"]]


REDIS_URL = os.environ.get("REDIS_URL", "").strip()


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (CI's MariaDB pass sets it)")
def test_two_workers_and_a_beat_on_redis_chart_a_due_run_once(tmp_path, workers, own_database):
    # A queue of this test's own, so that tasks left in the broker by an earlier run can't reach
    # these workers, nor theirs others.
    queue = f"charting-test-{uuid.uuid4().hex[:8]}"
    env = base_env(tmp_path, **own_database, REDIS_URL=REDIS_URL, CELERY_TASK_DEFAULT_QUEUE=queue)
    migrate(env)
    seeded = python(env, SEED)
    group = workers(env)
    for number in (1, 2):
        group.start(
            f"worker{number}",
            "worker",
            "--pool",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "--hostname",
            f"charting{number}@%h",
            "--queues",
            queue,
        )
    group.start("beat", "beat", "--schedule", str(tmp_path / "beat-schedule"))

    assert_charted_once(wait_for_chart(env, seeded, group), seeded)
