"""A passenger's fare and its charges: base fare, reservation, superfast, Tatkal, GST, total.

Pure arithmetic (no database), shared by search, booking, the tickets and PNR status, so that
each shows the figure the booking was charged. Every passenger of a booking travels the same
journey in the same class and quota, so one breakdown is every passenger's, and a booking's fare
is that total times its passengers (`booking_fare`, the one place that sum is made).

Amounts are `Decimal` rupees. The base fare is whole rupees (the rate times the distance, half
up); the Tatkal charge and GST may carry paise, kept exact to the paisa so that the total, rounded
up to the next multiple of 5 rupees, is the same however a client adds the parts up.
"""

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple

from trains.pools import GENERAL_QUOTA, TATKAL_QUOTA

_RUPEE = Decimal("1")
_PAISA = Decimal("0.01")
_FIVE = Decimal("5")
_ZERO = Decimal("0")

# Per passenger, in rupees, by class.
RESERVATION_CHARGE = {"1A": 60, "2A": 50, "3A": 40, "CC": 40, "SL": 20, "2S": 15, "GEN": 0}
SUPERFAST_CHARGE = {"1A": 75, "2A": 45, "3A": 45, "CC": 45, "SL": 30, "2S": 15, "GEN": 0}
# Tatkal: a share of the base fare, at least and at most these; the classes without Tatkal
# (1A, GEN) are not here.
TATKAL_SHARE = {code: Decimal("0.10") if code == "2S" else Decimal("0.30") for code in ("2S", "SL", "CC", "3A", "2A")}
TATKAL_BOUNDS = {
    code: (Decimal(low), Decimal(high))
    for code, (low, high) in {
        "2S": (10, 15),
        "SL": (100, 200),
        "CC": (125, 225),
        "3A": (300, 400),
        "2A": (400, 500),
    }.items()
}
AC_CLASSES = frozenset({"1A", "2A", "3A", "CC"})
GST_RATE = Decimal("0.05")


class FareBreakdown(NamedTuple):
    """One passenger's fare: the base fare, each charge, and the total they add up to."""

    base: Decimal
    reservation: Decimal
    superfast: Decimal
    tatkal: Decimal
    gst: Decimal
    total: Decimal

    def as_data(self) -> dict[str, str]:
        """The API's `fare_breakdown`: decimal strings of rupees, two places."""
        return {name: f"{amount:.2f}" for name, amount in zip(self._fields, self, strict=True)}


def base_fare(rate: Decimal, distance_km: int) -> Decimal:
    """The rate times the distance, half up to the rupee."""
    return (rate * distance_km).quantize(_RUPEE, rounding=ROUND_HALF_UP)


def has_tatkal(class_code: str) -> bool:
    return class_code in TATKAL_SHARE


def tatkal_charge(class_code: str, base: Decimal) -> Decimal:
    """The class's share of the base fare, within its bounds."""
    low, high = TATKAL_BOUNDS[class_code]
    return min(max((base * TATKAL_SHARE[class_code]).quantize(_PAISA, rounding=ROUND_HALF_UP), low), high)


def fare_breakdown(
    *, class_code: str, fare_per_km, distance_km: int | None, superfast: bool, quota: str = GENERAL_QUOTA
) -> FareBreakdown | None:
    """A passenger's fare for the distance in `class_code` and `quota`.

    None when the fare can't be known: no rate (`fare_per_km` null) or no distance, or Tatkal in
    a class that has none (1A, GEN).
    """
    if fare_per_km is None or distance_km is None:
        return None
    # A raw query on SQLite returns the rate as a float: through `str`, 1.2 stays exactly 1.2.
    rate = fare_per_km if isinstance(fare_per_km, Decimal) else Decimal(str(fare_per_km))
    return _breakdown(class_code, rate, distance_km, bool(superfast), quota == TATKAL_QUOTA)


# Search works out the same few fares on every request (a route's trains and classes): each is kept
# per (class, rate, distance, superfast, Tatkal) rather than worked out again.
@lru_cache(maxsize=8192)
def _breakdown(class_code: str, rate: Decimal, distance_km: int, superfast: bool, tatkal: bool) -> FareBreakdown | None:
    if tatkal and not has_tatkal(class_code):
        return None
    base = base_fare(rate, distance_km)
    reservation = Decimal(RESERVATION_CHARGE[class_code])
    superfast_charge = Decimal(SUPERFAST_CHARGE[class_code]) if superfast else _ZERO
    tatkal_amount = tatkal_charge(class_code, base) if tatkal else _ZERO
    charged = base + reservation + superfast_charge + tatkal_amount
    gst = (charged * GST_RATE).quantize(_PAISA, rounding=ROUND_HALF_UP) if class_code in AC_CLASSES else _ZERO
    total = ((charged + gst) / _FIVE).to_integral_value(rounding=ROUND_CEILING) * _FIVE
    return FareBreakdown(base, reservation, superfast_charge, tatkal_amount, gst, total)


def breakdown_data(breakdown: FareBreakdown | None) -> dict[str, str] | None:
    """`FareBreakdown.as_data`, or None. Search renders the same few on every request: a rendering
    is kept with its breakdown, and is shared, so never to be changed."""
    return None if breakdown is None else _rendered(breakdown)


@lru_cache(maxsize=4096)
def _rendered(breakdown: FareBreakdown) -> dict[str, str]:
    return breakdown.as_data()


def booking_fare(breakdown: FareBreakdown | None, passengers: int) -> Decimal | None:
    """A booking's fare: the sum of its passengers' totals (all alike: see the module's docstring)."""
    return None if breakdown is None else breakdown.total * passengers
