"""What a passenger gets back on cancelling, by the railway's rules: pure arithmetic, no database.

Per passenger, by their current status, the class, the quota, the fare they paid, the time left
until the journey's departure and whether the run is charted:

- confirmed (`CNF`): a flat charge by class more than 48 hours out; from 48 down to 12 hours,
  25% of the fare; under 12 hours until the chart, 50%; both at least the flat charge; once the
  chart is prepared, nothing can be cancelled (`ChartPrepared`). A confirmed Tatkal ticket is
  charged its whole fare.
- `RAC` or waitlisted (`WL`): a clerkage charge per passenger until 30 minutes before departure,
  then `TooLate`.
- a passenger cancelled at charting (still waitlisted then) gets the whole fare back.

A charge never exceeds the fare, and a fare of null (a train without fares) refunds 0 with no
charge. Exactly 48 hours left is the 25% band, exactly 12 hours too: each band runs down to its
lower bound inclusive. Percentages are kept to the paisa, half up.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from bookings.errors import ChartPrepared, TooLate
from trains.pools import TATKAL_QUOTA

FLAT_CHARGE = {
    code: Decimal(amount)
    for code, amount in {"1A": 240, "2A": 200, "3A": 180, "CC": 180, "SL": 120, "2S": 60, "GEN": 60}.items()
}
QUEUE_CHARGE = Decimal(60)  # per RAC or waitlisted passenger
FAR_OUT = timedelta(hours=48)
NEAR = timedelta(hours=12)
LAST_CALL = timedelta(minutes=30)
QUARTER = Decimal("0.25")
HALF = Decimal("0.50")
_PAISA = Decimal("0.01")
_ZERO = Decimal("0.00")

CONFIRMED, RAC, WAITLISTED = "CNF", "RAC", "WL"


@dataclass(frozen=True)
class PassengerRefund:
    """One passenger's cancellation: what the railway keeps and what goes back."""

    charge: Decimal
    amount: Decimal


def passenger_refund(
    *,
    status: str,
    class_code: str,
    quota: str,
    fare: Decimal | None,
    time_left: timedelta,
    charted: bool,
) -> PassengerRefund:
    """The charge and the refund of cancelling one passenger now, or `ChartPrepared` / `TooLate`.

    `time_left` is the time until the journey's departure from the passenger's boarding station.
    """
    if status == CONFIRMED:
        if charted:
            raise ChartPrepared()
        if time_left <= timedelta(0):
            raise TooLate(message="The train has left; this ticket can no longer be cancelled.")
        if fare is None:
            return PassengerRefund(charge=_ZERO, amount=_ZERO)
        if quota == TATKAL_QUOTA:
            return _kept(fare, fare)
        flat = FLAT_CHARGE[class_code]
        if time_left > FAR_OUT:
            return _kept(fare, flat)
        share = QUARTER if time_left >= NEAR else HALF
        return _kept(fare, max(flat, (fare * share).quantize(_PAISA, ROUND_HALF_UP)))
    if status in (RAC, WAITLISTED):
        if time_left < LAST_CALL:
            raise TooLate()
        if fare is None:
            return PassengerRefund(charge=_ZERO, amount=_ZERO)
        return _kept(fare, QUEUE_CHARGE)
    raise ValueError(f"a passenger {status!r} can't be cancelled")


def charting_refund(*, fare: Decimal | None) -> PassengerRefund:
    """A passenger cancelled by the chart (still waitlisted when it was prepared): all of it back."""
    if fare is None:
        return PassengerRefund(charge=_ZERO, amount=_ZERO)
    return PassengerRefund(charge=_ZERO, amount=Decimal(fare).quantize(_PAISA))


def _kept(fare: Decimal, charge: Decimal) -> PassengerRefund:
    fare = Decimal(fare).quantize(_PAISA)
    charge = min(Decimal(charge).quantize(_PAISA), fare)
    return PassengerRefund(charge=charge, amount=fare - charge)
