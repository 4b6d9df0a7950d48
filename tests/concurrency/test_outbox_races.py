"""The confirmation e-mails' outbox against real threads on MariaDB: sweeps running at once (two
beats by mistake, or a slow sweep overtaken by the next) claim each due booking once, so each
confirmation is queued once, and together they leave none behind."""

from collections import Counter

import pytest

from bookings import outbox, services
from bookings.models import Booking
from tests.bookings.helpers import tomorrow
from tests.concurrency.test_booking_races import ON_MARIADB, make_users, race
from tests.factories import make_train

pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.skipif(not ON_MARIADB, reason="needs DB_ENGINE=mysql: real row locks"),
    pytest.mark.django_db(transaction=True),
]


def test_sweeps_at_once_claim_every_due_confirmation_exactly_once(settings):
    settings.PASSENGER_EMAILS = True
    train = make_train(total_seats=120)
    users = make_users(60)
    booked = [services.book_seats(user=user, train=train, travel_date=tomorrow(), seats=2).pk for user in users]

    def sweep_until_empty():
        claimed = []
        for _ in range(len(booked)):  # bounded: a claim that never empties the outbox must fail, not hang
            batch = outbox.claim_due_confirmations(limit=7)
            if not batch:
                break
            claimed += batch
        return claimed

    outcomes = race([sweep_until_empty for _ in range(6)], threads=6)

    assert not [outcome for outcome in outcomes if isinstance(outcome, tuple)], outcomes
    claims = Counter(pk for claimed in outcomes for pk in claimed)
    assert sorted(claims) == sorted(booked)
    assert set(claims.values()) == {1}
    assert not Booking.objects.filter(confirmation_email_due=True).exists()
