"""Cancelling some or all of a booking's passengers, with what each gets back.

`refund_quote` says what a cancellation would refund, without cancelling; `cancel_passengers`
does it under the run's lock: it prices the cancellation first (`refund_rules`, which may refuse:
`ChartPrepared`, `TooLate`), so a refusal changes nothing; then frees each passenger's seat or RAC
place, records the refund, and promotes the run's queues with what was freed.
"""

from datetime import datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bookings import selectors, tasks
from bookings.errors import AlreadyCancelled, JourneyPast
from bookings.inventory import allocation, locking, queues
from bookings.models import Booking, Passenger, Refund, SeatAllocation
from bookings.refund_rules import passenger_refund
from bookings.retry import retry_lock_conflicts
from irctc.exceptions import InvalidInput, NotFound
from trains.journeys import moment
from trains.layouts import berth_of

_ZERO = Decimal("0.00")


def refund_quote(*, booking_id: int, by: User, passengers: list[int] | None = None) -> dict:
    """`{amount, charge, passengers}` of cancelling these passenger numbers (default: every one
    still travelling) now; the rules' refusal if they would refuse."""
    booking = _visible(booking_id, by)
    chosen = _chosen(booking, list(booking.passengers.all()), passengers)
    return _priced(booking, chosen, timezone.now())


@retry_lock_conflicts
def cancel_passengers(*, booking_id: int, by: User, passengers: list[int] | None = None) -> tuple[Booking, dict]:
    """Cancel these passenger numbers of the booking (default: every one still travelling).

    Returns the booking as it is now and the refund of this cancellation.
    """
    run_id = _visible(booking_id, by).run_id
    with transaction.atomic():
        run = locking.lock_run(run_id)
        booking = Booking.objects.select_for_update().select_related("run__train", "user").get(pk=booking_id)
        if booking.status == Booking.Status.CANCELLED:
            raise AlreadyCancelled(pnr=booking.pnr)
        if booking.travel_date < timezone.localdate():
            raise JourneyPast(pnr=booking.pnr)
        everyone = list(booking.passengers.all())
        chosen = _chosen(booking, everyone, passengers)
        now = timezone.now()
        refund = _priced(booking, chosen, now)
        seats = [passenger.allocated_seat for passenger in chosen if passenger.allocated_seat is not None]
        if seats:
            allocation.free_seats(SeatAllocation.objects.filter(booking=booking, seat_number__in=seats))
        allocation.cancel_passengers(chosen)
        booking.status = Booking.status_of(passenger.status for passenger in everyone)
        fields = ["status"]
        if booking.status == Booking.Status.CANCELLED:
            booking.cancelled_at = now
            fields.append("cancelled_at")
        booking.save(update_fields=fields)
        Refund.objects.create(booking=booking, created_at=now, **refund)
        allocation.sweep_expired_holds(run)
        promote_and_notify(run)
    return booking, refund


def _visible(booking_id: int, by: User) -> Booking:
    booking = Booking.objects.visible_to(by).select_related("run__train").filter(pk=booking_id).first()
    if booking is None:
        raise NotFound("No such booking.")
    return booking


def _chosen(booking: Booking, everyone: list[Passenger], numbers: list[int] | None) -> list[Passenger]:
    """The passengers numbered `numbers` (None: all still travelling); 400 for a number the booking
    doesn't have, 409 for one already cancelled."""
    travelling = [passenger for passenger in everyone if passenger.status != Passenger.Status.CANCELLED]
    if numbers is None:
        if not travelling:
            raise AlreadyCancelled(pnr=booking.pnr)
        return travelling
    by_number = {passenger.position: passenger for passenger in everyone}
    unknown = sorted(set(numbers) - set(by_number))
    if unknown:
        raise InvalidInput(
            {"passengers": [f"This booking has passengers 1 to {len(everyone)}; not {', '.join(map(str, unknown))}."]}
        )
    gone = sorted(number for number in set(numbers) if by_number[number].status == Passenger.Status.CANCELLED)
    if gone:
        raise AlreadyCancelled(
            f"Passenger(s) {', '.join(map(str, gone))} of this booking are already cancelled.",
            pnr=booking.pnr,
            passengers=gone,
        )
    return [by_number[number] for number in sorted(set(numbers))]


def _priced(booking: Booking, chosen: list[Passenger], now: datetime) -> dict:
    time_left = _departure(booking) - now
    charted = booking.run.charted_at is not None
    charge = amount = _ZERO
    for passenger in chosen:
        priced = passenger_refund(
            status=passenger.status,
            class_code=booking.class_code,
            quota=booking.quota,
            fare=booking.passenger_fare,
            time_left=time_left,
            charted=charted,
        )
        charge += priced.charge
        amount += priced.amount
    return {"amount": amount, "charge": charge, "passengers": [passenger.position for passenger in chosen]}


def _departure(booking: Booking) -> datetime:
    """When the booked journey leaves its boarding station; the start of its day where a changed
    route no longer says (`selectors.journey_times`)."""
    departure, _arrival = selectors.journey_times(booking)
    return departure or moment(booking.travel_date, time.min)


def promote_and_notify(run) -> list[Passenger]:
    """Promote the run's queues (`queues.promote_queues`) and, once committed, tell each booking
    whose travellers moved up (`notify_moves`); the passengers moved."""
    moved = queues.promote_queues(run)
    notify_moves(moved)
    return moved


def notify_moves(moved: list[Passenger]) -> None:
    """Tell each booking whose travellers the promotion chain moved, once committed, from what to
    what (`moved_from`, set by the chain)."""
    by_booking: dict[int, list[Passenger]] = {}
    for passenger in moved:
        by_booking.setdefault(passenger.booking_id, []).append(passenger)
    for passengers in by_booking.values():
        booking = passengers[0].booking
        moves = [{"number": p.position, "was": p.moved_from, "now": status_label(booking, p)} for p in passengers]
        tasks.notify_moved_up(booking, moves)


def status_label(booking: Booking, passenger: Passenger) -> str:
    """A passenger's status as a ticket shows it: "CNF B1-23", "RAC" or "WL"."""
    if passenger.status == Passenger.Status.CNF and passenger.seat_number is not None:
        berth = berth_of(booking.class_code, passenger.seat_number)
        return f"CNF {berth.coach}-{berth.berth}" if berth.coach else f"CNF {berth.berth}"
    return passenger.status
