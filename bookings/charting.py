"""Charting: which runs are due, and preparing one run's chart (the service beat's task calls).

A run's chart is prepared at its chart time (`trains.charting_time`) by the task queue, and may be
prepared earlier by an operator (`POST /api/runs/{train}/{date}/chart/`). Either way it happens
once: under the run's lock, a run already charted is refused (`ChartPrepared`), so two workers, two
beats or an operator racing a worker chart it once. A run nobody has booked yet has no row; the
chart makes it, so that a booking after the chart finds the run charted.
"""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings import tasks
from bookings.cancellation import promote_and_notify
from bookings.errors import ChartPrepared
from bookings.inventory import charting, locking
from bookings.models import TrainRun
from bookings.retry import retry_lock_conflicts
from irctc.exceptions import NotFound
from trains.charting_time import run_dates_to_chart
from trains.models import Train


def runs_due_for_charting(*, now: datetime) -> list[tuple[int, date]]:
    """(train id, run date) of every active train's run whose chart time has come by `now`, that
    has not left its first stop and is not charted yet."""
    candidates = [
        (train.pk, run_date)
        for train in Train.objects.filter(is_active=True).only("pk", "departure_time", "runs_on_mask")
        for run_date in run_dates_to_chart(departure_time=train.departure_time, now=now)
        if train.runs_on_date(run_date)
    ]
    if not candidates:
        return []
    charted = set(
        TrainRun.objects.filter(
            run_date__in={run_date for _, run_date in candidates}, charted_at__isnull=False
        ).values_list("train_id", "run_date")
    )
    return [candidate for candidate in candidates if candidate not in charted]


@retry_lock_conflicts
def prepare_chart(*, train_id: int, run_date: date) -> TrainRun:
    """Prepare the chart of `train_id`'s run of `run_date` now (`inventory.charting`), once.

    Tells the passengers who moved up and those cancelled, once the chart is committed.
    """
    train = Train.objects.filter(pk=train_id).first()
    if train is None or not train.runs_on_date(run_date):
        raise NotFound(f"Train {train_id} has no run on {run_date}.")
    with transaction.atomic():
        run = locking.lock_run(_run_id(train, run_date))
        if run.charted_at is not None:
            raise ChartPrepared(
                f"The chart of this run was prepared at {timezone.localtime(run.charted_at):%Y-%m-%d %H:%M}.",
                charted_at=run.charted_at.isoformat(),
            )
        outcome = charting.chart(run, timezone.now(), promote=promote_and_notify)
        for booking, refund in outcome.cancelled:
            tasks.notify_cancelled_by_charting(booking, refund.amount if booking.passenger_fare is not None else None)
    return run


def _run_id(train: Train, run_date: date) -> int:
    """The run's id, its row made now if nobody has booked it yet (the row is locked next)."""
    run = TrainRun.objects.filter(train=train, run_date=run_date).only("pk").first()
    if run is not None:
        return run.pk
    try:
        with transaction.atomic():
            return TrainRun.objects.create(train=train, run_date=run_date).pk
    except IntegrityError:
        # Another worker made it at the same moment.
        return TrainRun.objects.get(train=train, run_date=run_date).pk
