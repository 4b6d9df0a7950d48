"""The inventory's work on the task queue: charting at each run's hour, and the passengers' e-mails.

Each task calls a service or sends one e-mail and holds no rule of its own. Every one of them may
run twice (a worker dies before it acknowledges; `CELERY_TASK_ACKS_LATE`): charting is idempotent
under the run's lock, and an e-mail sent twice is the lesser harm than one never sent.

A booking confirmed is e-mailed through its outbox flag (`bookings.outbox`): the request queues
nothing, and beat's `send_due_confirmations` queues the e-mails within seconds. The rarer changes
(moved up, cancelled at charting) are queued by a `notify_*` function, which sends the task only
once the transaction commits. Either way a passenger never hears of a change that was rolled back,
and a slow or absent mail server or broker never holds the run's lock.
"""

import logging
from datetime import date
from decimal import Decimal
from functools import partial
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bookings import notifications, outbox
from bookings.models import Booking

logger = logging.getLogger(__name__)

# A mail server that refuses or doesn't answer is tried again, later each time.
MAIL_RETRY = {"autoretry_for": (SMTPException, OSError), "retry_backoff": 30, "max_retries": 5}


# --- Charting -----------------------------------------------------------------------------------


@shared_task
def chart_due_runs() -> int:
    """Beat's every-minute look for runs whose chart time has come: one `chart_run` each."""
    from bookings import charting

    due = charting.runs_due_for_charting(now=timezone.now())
    for train_id, run_date in due:
        chart_run.delay(train_id, run_date.isoformat())
    return len(due)


@shared_task
def chart_run(train_id: int, run_date: str) -> bool:
    """Prepare one run's chart; False when it was already prepared (by another worker, say)."""
    from bookings import charting
    from bookings.errors import ChartPrepared

    try:
        charting.prepare_chart(train_id=train_id, run_date=date.fromisoformat(run_date))
    except ChartPrepared:
        return False
    return True


# --- E-mails ------------------------------------------------------------------------------------


@shared_task
def send_due_confirmations() -> int:
    """Beat's look for confirmed bookings whose e-mail is due: one `send_booking_confirmed` each."""
    booking_ids = outbox.claim_due_confirmations()
    for queued, booking_id in enumerate(booking_ids):
        try:
            send_booking_confirmed.delay(booking_id)
        except Exception:
            outbox.return_unqueued(booking_ids[queued:])
            raise
    return len(booking_ids)


@shared_task(**MAIL_RETRY)
def send_booking_confirmed(booking_id: int) -> None:
    booking = _booking(booking_id)
    if booking is not None:
        _send(notifications.booking_confirmed_email(booking))


@shared_task(**MAIL_RETRY)
def send_moved_up(booking_id: int, moves: list[dict]) -> None:
    booking = _booking(booking_id)
    if booking is not None:
        _send(notifications.moved_up_email(booking, moves))


@shared_task(**MAIL_RETRY)
def send_cancelled_by_charting(booking_id: int, refund: str | None) -> None:
    booking = _booking(booking_id)
    if booking is not None:
        _send(notifications.cancelled_by_charting_email(booking, None if refund is None else Decimal(refund)))


def _booking(booking_id: int) -> Booking | None:
    return Booking.objects.select_related("user", "run__train").filter(pk=booking_id).first()


def _send(message) -> None:
    if message is not None:
        message.send()


# --- Queued after the commit --------------------------------------------------------------------


def notify_moved_up(booking: Booking, moves: list[dict]) -> None:
    if moves:
        _after_commit(send_moved_up, booking.pk, moves)


def notify_cancelled_by_charting(booking: Booking, refund: Decimal | None) -> None:
    _after_commit(send_cancelled_by_charting, booking.pk, None if refund is None else str(refund))


def _after_commit(task, *args) -> None:
    if settings.PASSENGER_EMAILS:
        transaction.on_commit(partial(_queue, task, args))


def _queue(task, args: tuple) -> None:
    # The change is committed whatever happens here: a broker that is down costs the e-mail only.
    try:
        task.delay(*args)
    except Exception:
        logger.exception("could not queue %s%r", task.name, args)
