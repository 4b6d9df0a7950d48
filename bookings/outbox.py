"""The confirmation e-mail's outbox: a flag on the booking, written by the booking's own INSERT.

A booking confirmed for a user with an address is inserted with `confirmation_email_due` set, in
the statement (one round trip on MariaDB) that inserts it anyway: the request sends nothing to the
broker, so a Tatkal storm's sales pay nothing for their e-mails, and a booking rolled back leaves
nothing to send. Beat's `tasks.send_due_confirmations`, every `CONFIRMATION_EMAIL_SECONDS`, claims
the due bookings here and queues one e-mail task each.

Claiming clears the flags in a short transaction of its own, before anything is queued, so that no
row lock is held across a broker call; concurrent sweeps claim disjoint bookings (rows another has
locked are skipped, where the database can skip them; SQLite has one writer at a time). A broker
that refuses the tasks gets the unqueued ones marked due again (`return_unqueued`): the e-mail
waits for the broker instead of being lost. A worker dying between the claim and the queueing
costs those e-mails, the one window left.

Only the last `CONFIRMATION_EMAIL_WINDOW` of bookings is looked at (the (status, created_at) index
serves the look-up, with no index of its own to keep up on every booking): a confirmation that
could not go out for that long, all workers down, is no longer news.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking

CONFIRMATION_EMAIL_WINDOW = timedelta(days=1)
CLAIM_BATCH = 200


def confirmation_email_due(user: User) -> bool:
    """Whether a booking `user` makes now is to be confirmed by e-mail."""
    return bool(settings.PASSENGER_EMAILS and user.email)


def claim_due_confirmations(*, now=None, limit: int = CLAIM_BATCH) -> list[int]:
    """The ids of up to `limit` confirmed bookings whose e-mail is due, oldest first, no longer due."""
    since = (now or timezone.now()) - CONFIRMATION_EMAIL_WINDOW
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        due = (
            Booking.objects.filter(status=Booking.Status.CONFIRMED, created_at__gte=since, confirmation_email_due=True)
            .order_by("created_at", "pk")
            .select_for_update(skip_locked=skip_locked)
            .values_list("pk", flat=True)[:limit]
        )
        booking_ids = list(due)
        if booking_ids:
            Booking.objects.filter(pk__in=booking_ids).update(confirmation_email_due=False)
    return booking_ids


def return_unqueued(booking_ids: list[int]) -> None:
    """Mark these claimed bookings' e-mails due again: their tasks never reached the broker."""
    Booking.objects.filter(pk__in=booking_ids).update(confirmation_email_due=True)
