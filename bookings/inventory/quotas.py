"""The rules of booking from a quota: when Tatkal opens, who may book SS and LD, which seats.

A class's pools (`trains.pools`) say which seat numbers each quota sells; a booking or hold
names its quota (GN by default) and gets seats from that pool only, confirmed on its berths
(never on an RAC berth). The checks here are the same before the run lock (to refuse early)
and under it (the train may have changed in between): each depends only on the journey, the
request and the clock (`timezone.now()`, which tests freeze).
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from bookings.errors import QuotaNotAvailable, QuotaNotEligible, TatkalNotOpen
from bookings.inventory.seat_choice import PassengerRequest, blocks_within
from irctc.exceptions import InvalidInput
from trains.journeys import Journey
from trains.pools import ALL_QUOTAS, GENERAL_QUOTA, Pools, pools_of_class

TATKAL = "TQ"
SENIOR_CITIZENS = "SS"
LADIES = "LD"
# Tatkal opens the day before the run: AC classes at 10:00, the others at 11:00 (India time).
TATKAL_OPENS = {"2A": time(10, 0), "3A": time(10, 0), "CC": time(10, 0), "SL": time(11, 0), "2S": time(11, 0)}
TATKAL_MAX_PASSENGERS = 4
SENIOR_MAX_PASSENGERS = 2
# The age from which a passenger may book the senior citizens' quota, by gender.
SENIOR_AGE_BY_GENDER = {"M": 60, "F": 45, "T": 60}
# Quotas that sell confirmed seats only: no waitlist (and no RAC).
CONFIRMED_ONLY = frozenset({SENIOR_CITIZENS, LADIES})


def pools_of_journey(journey: Journey) -> Pools:
    return pools_of_class(journey.train_class)


def tatkal_opens_for(run_date: date, class_code: str) -> datetime:
    """The moment Tatkal booking opens for a run of a class (the day before it, India time)."""
    opening = TATKAL_OPENS.get(class_code, time(11, 0))
    return timezone.make_aware(datetime.combine(run_date - timedelta(days=1), opening))


def tatkal_not_open_until(run_date: date, class_code: str, quota: str) -> datetime | None:
    """When Tatkal opens for a run of a class, while `quota` is Tatkal and it has not opened yet;
    else None (what `check_quota` refuses a booking for)."""
    if quota != TATKAL:
        return None
    opens_at = tatkal_opens_for(run_date, class_code)
    return opens_at if timezone.now() < opens_at else None


def check_quota(journey: Journey, quota: str, count: int, passengers: list[PassengerRequest]) -> None:
    """Refuse a booking or hold of `count` travellers (`passengers`, if named) from `quota`."""
    if quota not in ALL_QUOTAS:
        raise InvalidInput({"quota": [f"Unknown quota {quota!r}; use one of {', '.join(ALL_QUOTAS)}."]})
    if quota == GENERAL_QUOTA:
        return
    if not pools_of_journey(journey).seats[quota]:
        raise QuotaNotAvailable(quota, journey.class_code)
    if quota == TATKAL:
        opens_at = tatkal_not_open_until(journey.run_date, journey.class_code, quota)
        if opens_at is not None:
            raise TatkalNotOpen(opens_at)
        if count > TATKAL_MAX_PASSENGERS:
            field = "passengers" if passengers else "seats"
            raise InvalidInput({field: [f"A Tatkal booking carries at most {TATKAL_MAX_PASSENGERS} passengers."]})
        return
    if not passengers:
        raise QuotaNotEligible(
            {"passengers": [f"The {quota} quota needs the passengers (name, age, gender) to check who travels."]}
        )
    if quota == SENIOR_CITIZENS and count > SENIOR_MAX_PASSENGERS:
        raise QuotaNotEligible(
            {"passengers": [f"A senior citizens' booking carries at most {SENIOR_MAX_PASSENGERS} passengers."]}
        )
    errors = {}
    for index, passenger in enumerate(passengers):
        reason = _ineligible(quota, passenger)
        if reason:
            errors[f"passengers[{index}]"] = [f"{passenger.name} {reason}"]
    if errors:
        raise QuotaNotEligible(errors)


def _ineligible(quota: str, passenger: PassengerRequest) -> str | None:
    if quota == LADIES and passenger.gender != "F":
        return "can't travel on the ladies' quota (LD): it is for women."
    if quota == SENIOR_CITIZENS:
        age = SENIOR_AGE_BY_GENDER.get(passenger.gender, 60)
        if passenger.age < age:
            return f"is {passenger.age}; the senior citizens' quota (SS) is from {age} ({passenger.gender})."
    return None


def pool_blocks(
    blocks: list[tuple[int, int]], journey: Journey, quota: str, *, charted: bool = False
) -> list[tuple[int, int]]:
    """The free seats `blocks` (of the whole class) that the quota's pool confirms on; on a
    `charted` run, whatever the quota, every seat but the RAC berths (`general_after_chart`).

    A class that sets nothing aside sells every seat as GN: its blocks are returned as they are,
    so such a booking costs what it did before quotas.
    """
    pools = pools_of_journey(journey)
    if charted:
        pool = general_after_chart(pools)
        return blocks if pool is None else blocks_within(blocks, pool)
    if pools.plain and quota == GENERAL_QUOTA:
        return blocks
    return blocks_within(blocks, pools.seats[quota])


def general_after_chart(pools: Pools) -> tuple[int, ...] | None:
    """The seats of a charted run's class a confirmed passenger may get, whatever their quota:
    the chart gave the quotas' unsold seats to GN. All but the RAC berths, which stay shared by
    their RAC passengers; None when that is every seat."""
    if not pools.rac_berths:
        return None
    rac = set(pools.rac_berths)
    return tuple(seat for seat in range(1, pools.total + 1) if seat not in rac)


def pool_size(journey: Journey, quota: str) -> int:
    return len(pools_of_journey(journey).seats[quota])
