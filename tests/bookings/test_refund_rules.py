"""Cancellation charges by the railway's rules, per passenger: every boundary of the table."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.errors import ChartPrepared, TooLate
from bookings.refund_rules import charting_refund, passenger_refund

H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def refund(status="CNF", class_code="3A", quota="GN", fare="1500", time_left=72 * H, charted=False):
    fare = None if fare is None else Decimal(fare)
    result = passenger_refund(
        status=status, class_code=class_code, quota=quota, fare=fare, time_left=time_left, charted=charted
    )
    return str(result.charge), str(result.amount)


@pytest.mark.parametrize(
    ("class_code", "charge"),
    [
        ("1A", "240.00"),
        ("2A", "200.00"),
        ("3A", "180.00"),
        ("CC", "180.00"),
        ("SL", "120.00"),
        ("2S", "60.00"),
        ("GEN", "60.00"),
    ],
)
def test_confirmed_more_than_48_hours_out_pays_the_flat_charge_of_its_class(class_code, charge):
    charged, back = refund(class_code=class_code, fare="2000", time_left=48 * H + MINUTE)
    assert charged == charge
    assert Decimal(back) == Decimal("2000") - Decimal(charge)


@pytest.mark.parametrize(
    ("time_left", "charge"),
    [
        (48 * H + MINUTE, "180.00"),  # flat
        (48 * H, "375.00"),  # 25% from 48 hours down
        (12 * H, "375.00"),  # ... to 12 hours inclusive
        (12 * H - MINUTE, "750.00"),  # 50% under 12 hours
        (MINUTE, "750.00"),
    ],
)
def test_confirmed_charge_by_time_left(time_left, charge):
    assert refund(fare="1500", time_left=time_left) == (charge, str(Decimal("1500.00") - Decimal(charge)))


def test_a_share_is_at_least_the_flat_charge():
    # 25% of 400 is 100, under SL's flat 120; 50% of 200 is 100, under it too.
    assert refund(class_code="SL", fare="400", time_left=24 * H) == ("120.00", "280.00")
    assert refund(class_code="SL", fare="200", time_left=6 * H) == ("120.00", "80.00")


def test_a_share_is_kept_to_the_paisa():
    assert refund(class_code="SL", fare="1235", time_left=24 * H) == ("308.75", "926.25")


def test_a_charge_never_exceeds_the_fare():
    assert refund(class_code="1A", fare="200", time_left=72 * H) == ("200.00", "0.00")
    assert refund(status="WL", class_code="2S", fare="45", time_left=72 * H) == ("45.00", "0.00")


def test_confirmed_after_the_chart_cannot_be_cancelled():
    with pytest.raises(ChartPrepared) as refused:
        refund(time_left=5 * H, charted=True)
    assert refused.value.code == "chart_prepared"


def test_confirmed_before_the_chart_is_charged_half_even_late():
    assert refund(fare="1000", time_left=10 * MINUTE, charted=False) == ("500.00", "500.00")


def test_confirmed_tatkal_gets_nothing_back():
    assert refund(quota="TQ", fare="2105", time_left=72 * H) == ("2105.00", "0.00")
    assert refund(quota="TQ", fare="2105", time_left=6 * H) == ("2105.00", "0.00")


@pytest.mark.parametrize("status", ["RAC", "WL"])
def test_rac_and_waitlisted_pay_60_until_30_minutes_before_departure(status):
    assert refund(status=status, class_code="1A", fare="3000", time_left=72 * H) == ("60.00", "2940.00")
    assert refund(status=status, fare="1500", time_left=30 * MINUTE) == ("60.00", "1440.00")
    # The chart doesn't stop them (a mixed booking's waitlisted passengers stay after it).
    assert refund(status=status, fare="1500", time_left=2 * H, charted=True) == ("60.00", "1440.00")
    with pytest.raises(TooLate) as refused:
        refund(status=status, fare="1500", time_left=30 * MINUTE - timedelta(seconds=1))
    assert refused.value.code == "too_late"


def test_a_waitlisted_tatkal_passenger_pays_only_the_60():
    assert refund(status="WL", quota="TQ", fare="2105", time_left=6 * H) == ("60.00", "2045.00")


@pytest.mark.parametrize("status", ["CNF", "RAC", "WL"])
def test_a_null_fare_refunds_nothing_and_charges_nothing(status):
    assert refund(status=status, fare=None, time_left=24 * H) == ("0.00", "0.00")


def test_cancelled_at_charting_gets_the_whole_fare():
    result = charting_refund(fare=Decimal("1505"))
    assert (result.charge, result.amount) == (Decimal("0.00"), Decimal("1505.00"))
    assert charting_refund(fare=None).amount == Decimal("0.00")
