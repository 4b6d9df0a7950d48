"""Preparing a run's chart under its lock: the contract's four steps, in order.

1. The unsold seats of the `TQ`, `SS` and `LD` pools go back to `GN` for the whole route: from
   the moment `run.charted_at` is set, every queue of the run is served from the whole class
   (`queues.promote_queues` reads it), and so is every booking after the chart.
2. The queues are promoted with every place free: `GN` RAC, then the `GN` waitlist, then the
   `TQ` waitlist.
3. Every booking whose passengers (those not cancelled) are all still waitlisted is cancelled,
   each passenger refunded the whole fare (`refund_rules.charting_refund`).
4. The run is marked charted: the chart is final.

The caller holds the run's lock and has checked that the run is not charted yet.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from bookings.inventory import allocation
from bookings.models import Booking, Passenger, Refund, TrainRun
from bookings.refund_rules import charting_refund


@dataclass
class ChartOutcome:
    moved: list[Passenger] = field(default_factory=list)
    cancelled: list[tuple[Booking, Refund]] = field(default_factory=list)


def chart(run: TrainRun, now: datetime, promote) -> ChartOutcome:
    """The four steps; `promote(run)` promotes the queues (and tells who moved)."""
    outcome = ChartOutcome()
    allocation.sweep_expired_holds(run)
    run.charted_at = now  # steps 1 and 2: the queues now draw on the whole class
    outcome.moved = promote(run)
    outcome.cancelled = _cancel_waitlisted(run, now)
    run.save(update_fields=["charted_at"])
    return outcome


def _cancel_waitlisted(run: TrainRun, now: datetime) -> list[tuple[Booking, Refund]]:
    waiting = (
        Booking.objects.filter(run=run, status=Booking.Status.WAITLISTED)
        .select_related("user", "run__train")
        .prefetch_related("passengers")
        .order_by("created_at", "pk")
    )
    cancelled = []
    for booking in waiting:
        travelling = [p for p in booking.passengers.all() if p.status != Passenger.Status.CANCELLED]
        if any(passenger.status != Passenger.Status.WL for passenger in travelling):
            continue
        allocation.cancel_passengers(travelling)
        booking.status, booking.cancelled_at = Booking.Status.CANCELLED, now
        booking.save(update_fields=["status", "cancelled_at"])
        refunds = [charting_refund(fare=booking.passenger_fare) for _ in travelling]
        refund = Refund.objects.create(
            booking=booking,
            amount=sum((refund.amount for refund in refunds), Decimal("0.00")),
            charge=Decimal("0.00"),
            passengers=[passenger.position for passenger in travelling],
            at_charting=True,
            created_at=now,
        )
        cancelled.append((booking, refund))
    return cancelled
