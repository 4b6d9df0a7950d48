"""A run lock outside a transaction would end with its own statement and protect nothing: the one
place that takes run locks (`bookings.inventory.locking`) refuses to."""

import pytest
from django.db.transaction import TransactionManagementError

from bookings.inventory import locking
from tests.bookings.helpers import book, tomorrow
from tests.factories import make_train
from trains.journeys import plan_journey


@pytest.mark.django_db(transaction=True)  # no test transaction around the calls
def test_every_run_lock_outside_a_transaction_is_refused(user):
    train = make_train()
    run = book(user, train).run
    journey = plan_journey(train=train, travel_date=tomorrow())

    for take_lock in (
        lambda: locking.lock_run_of(journey),
        lambda: locking.lock_run(run.pk),
        lambda: locking.lock_future_runs(train),
    ):
        with pytest.raises(TransactionManagementError):
            take_lock()
