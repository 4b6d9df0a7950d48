"""A passenger's fare with its charges (trains/fares.py): every class, both quotas, the rounding."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trains.fares import (
    AC_CLASSES,
    TATKAL_BOUNDS,
    FareBreakdown,
    booking_fare,
    breakdown_data,
    fare_breakdown,
)
from trains.layouts import LAYOUTS


def fare(code: str, base: int, *, superfast: bool = False, quota: str = "GN") -> FareBreakdown | None:
    """The breakdown for a base fare of `base` rupees (a rate of 1 rupee a km over `base` km)."""
    return fare_breakdown(class_code=code, fare_per_km=Decimal("1"), distance_km=base, superfast=superfast, quota=quota)


def amounts(*values) -> FareBreakdown:
    return FareBreakdown(*(Decimal(str(value)) for value in values))


# (class, base, superfast, quota): (base, reservation, superfast, tatkal, gst, total)
CASES = {
    # 1A: reservation 60, superfast 75, GST; no Tatkal.
    ("1A", 1000, False, "GN"): (1000, 60, 0, 0, "53.00", 1115),
    ("1A", 1000, True, "GN"): (1000, 60, 75, 0, "56.75", 1195),
    # 2A: Tatkal 30% of 1000 is below its least, 400.
    ("2A", 1000, False, "GN"): (1000, 50, 0, 0, "52.50", 1105),
    ("2A", 1000, True, "TQ"): (1000, 50, 45, 400, "74.75", 1570),
    ("2A", 2000, False, "TQ"): (2000, 50, 0, 500, "127.50", 2680),  # 600 is above its most
    ("2A", 1500, False, "TQ"): (1500, 50, 0, 450, "100.00", 2100),  # in between, exactly on a 5
    # 3A
    ("3A", 1000, False, "TQ"): (1000, 40, 0, 300, "67.00", 1410),
    ("3A", 1100, True, "TQ"): (1100, 40, 45, 330, "75.75", 1595),
    ("3A", 1500, False, "TQ"): (1500, 40, 0, 400, "97.00", 2040),
    # CC: GST to the paisa, half up (34.565 -> 34.57)
    ("CC", 501, False, "TQ"): (501, 40, 0, "150.30", "34.57", 730),
    ("CC", 1000, True, "TQ"): (1000, 40, 45, 225, "65.50", 1380),
    ("CC", 300, False, "TQ"): (300, 40, 0, 125, "23.25", 490),
    # SL: no GST
    ("SL", 333, False, "GN"): (333, 20, 0, 0, 0, 355),
    ("SL", 1000, True, "TQ"): (1000, 20, 30, 200, 0, 1250),
    ("SL", 333, False, "TQ"): (333, 20, 0, 100, 0, 455),
    ("SL", 500, False, "TQ"): (500, 20, 0, 150, 0, 670),
    # 2S: Tatkal 10%, 10 to 15 rupees
    ("2S", 120, True, "TQ"): (120, 15, 15, 12, 0, 165),
    ("2S", 50, False, "TQ"): (50, 15, 0, 10, 0, 75),
    ("2S", 200, False, "TQ"): (200, 15, 0, 15, 0, 230),
    ("2S", 123, False, "TQ"): (123, 15, 0, "12.30", 0, 155),
    # GEN: no charges at all
    ("GEN", 1000, True, "GN"): (1000, 0, 0, 0, 0, 1000),
    ("GEN", 1001, False, "GN"): (1001, 0, 0, 0, 0, 1005),
}


@pytest.mark.parametrize(("code", "base", "superfast", "quota"), list(CASES))
def test_every_class_charges_what_the_tables_say(code, base, superfast, quota):
    assert fare(code, base, superfast=superfast, quota=quota) == amounts(*CASES[code, base, superfast, quota])


def test_every_class_is_in_the_table():
    assert {code for code, *_rest in CASES} == set(LAYOUTS)


@pytest.mark.parametrize(
    ("rate", "distance_km", "base"),
    [("0.45", 101, 45), ("0.50", 1, 1), ("1.25", 2, 3), ("1.24", 2, 2), (1.2, 1377, 1652), ("0.00", 500, 0)],
)
def test_base_fare_is_the_rate_times_the_distance_half_up_to_the_rupee(rate, distance_km, base):
    breakdown = fare_breakdown(class_code="SL", fare_per_km=rate, distance_km=distance_km, superfast=False)
    assert breakdown.base == base


def test_a_class_without_a_rate_or_a_route_without_distances_has_no_fare():
    assert fare_breakdown(class_code="SL", fare_per_km=None, distance_km=100, superfast=True) is None
    assert fare_breakdown(class_code="SL", fare_per_km="1.00", distance_km=None, superfast=True) is None
    assert breakdown_data(None) is None
    assert booking_fare(None, 3) is None


@pytest.mark.parametrize("code", ["1A", "GEN"])
def test_classes_without_tatkal_have_no_tatkal_fare(code):
    assert fare(code, 1000, quota="TQ") is None


def test_the_quota_defaults_to_general():
    assert fare_breakdown(class_code="3A", fare_per_km="1", distance_km=1000, superfast=False) == fare("3A", 1000)
    assert fare("3A", 1000, quota="SS") == fare("3A", 1000, quota="LD") == fare("3A", 1000)


def test_the_api_shows_each_amount_as_rupees_with_paise():
    assert breakdown_data(fare("CC", 501, quota="TQ")) == {
        "base": "501.00",
        "reservation": "40.00",
        "superfast": "0.00",
        "tatkal": "150.30",
        "gst": "34.57",
        "total": "730.00",
    }


def test_a_booking_pays_each_passengers_total():
    assert booking_fare(fare("3A", 1000, quota="TQ"), 4) == Decimal("5640")
    assert booking_fare(fare("SL", 333), 1) == Decimal("355")


codes = st.sampled_from(sorted(LAYOUTS))
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2)


@given(
    code=codes,
    rate=rates,
    distance_km=st.integers(0, 20_000),
    superfast=st.booleans(),
    quota=st.sampled_from(["GN", "TQ"]),
)
def test_invariants_of_every_fare(code, rate, distance_km, superfast, quota):
    breakdown = fare_breakdown(
        class_code=code, fare_per_km=rate, distance_km=distance_km, superfast=superfast, quota=quota
    )
    if quota == "TQ" and code in ("1A", "GEN"):
        assert breakdown is None
        return
    parts = breakdown.base + breakdown.reservation + breakdown.superfast + breakdown.tatkal + breakdown.gst
    assert breakdown.total >= parts
    assert breakdown.total - parts < 5
    assert breakdown.total % 5 == 0
    assert all(amount >= 0 and amount == amount.quantize(Decimal("0.01")) for amount in breakdown)
    if quota == "TQ":
        low, high = TATKAL_BOUNDS[code]
        assert low <= breakdown.tatkal <= high
    else:
        assert breakdown.tatkal == 0
    charged = parts - breakdown.gst
    if code in AC_CLASSES:
        assert abs(breakdown.gst - charged * Decimal("0.05")) <= Decimal("0.005")
    else:
        assert breakdown.gst == 0
    if not superfast:
        assert breakdown.superfast == 0
