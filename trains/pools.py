"""Which seats of a class belong to which quota, and which berths are sold as RAC.

A class sets aside seats for the Tatkal (`TQ`), senior citizens' (`SS`) and ladies' (`LD`)
quotas and names how many of its side-lower berths are sold as RAC (`rac_berths`); every other
seat is general (`GN`). Which seat numbers those are is a pure function of the class's layout
and these numbers (`pools_of`), never stored: as long as the numbers can't change under a sold
seat of a future run (`bookings.schedule_guards` refuses that), a run's pools are fixed.

The seats set aside are taken from the back of the class, so that `GN`, which most passengers
book, keeps the low, contiguous seat numbers the seat choice prefers:
- `SS`: the last lower berths (`LB`), the only berths a senior citizen's quota may hold;
- RAC: the last side lowers (`SL`) left, each shared by two passengers;
- `LD`, then `TQ`: the last seats left that are not side lowers, then side lowers if need be.
Every count is checked before (`config_errors`), so the pools can always be built.
"""

import functools
from dataclasses import dataclass

from trains.layouts import GENERAL, LAYOUTS, berth_type_of

GENERAL_QUOTA = "GN"
TATKAL_QUOTA = "TQ"
QUOTAS = ("TQ", "SS", "LD")  # the quotas a class may set seats aside for, as `quotas` names them
ALL_QUOTAS = (GENERAL_QUOTA, *QUOTAS)
QUOTA_NAMES = {"GN": "General", "TQ": "Tatkal", "SS": "Senior citizen", "LD": "Ladies"}
LOWER_BERTH, SIDE_LOWER = "LB", "SL"
NO_TATKAL_CLASSES = frozenset({"1A", GENERAL})


@dataclass(frozen=True)
class Pools:
    """The seat numbers of each quota of a class (ascending) and its RAC berths (ascending).

    `seats[GN]` holds only the berths `GN` confirms on: the RAC berths are general berths too,
    but sold as two RAC places each, not as confirmed seats.
    """

    seats: dict[str, tuple[int, ...]]
    rac_berths: tuple[int, ...]
    total: int
    labels: tuple[str, ...]  # the quota of seat n at index n - 1

    @property
    def plain(self) -> bool:
        """Nothing set aside and no RAC: every seat is GN, as for a class of version 2."""
        return len(self.seats[GENERAL_QUOTA]) == self.total

    def quota_of(self, seat_number: int) -> str:
        return self.labels[seat_number - 1]

    def is_rac(self, seat_number: int) -> bool:
        return seat_number in self.rac_berths


@functools.lru_cache(maxsize=4096)
def pools_of(code: str, seats: int, tq: int = 0, ss: int = 0, ld: int = 0, rac_berths: int = 0) -> Pools:
    """The pools of a class of `seats` seats of layout `code` with these counts (already checked)."""
    numbers = range(1, seats + 1)
    types = {seat: berth_type_of(code, seat) for seat in numbers}
    left = list(numbers)

    def take_last(count: int, wanted) -> list[int]:
        chosen = [seat for seat in reversed(left) if wanted(seat)][:count]
        for seat in chosen:
            left.remove(seat)
        return sorted(chosen)

    senior = take_last(ss, lambda seat: types[seat] == LOWER_BERTH)
    rac = take_last(rac_berths, lambda seat: types[seat] == SIDE_LOWER)
    pools = {"SS": senior}
    for quota, count in (("LD", ld), ("TQ", tq)):
        chosen = take_last(count, lambda seat: types[seat] != SIDE_LOWER)
        chosen += take_last(count - len(chosen), lambda seat: True)
        pools[quota] = sorted(chosen)
    labels = [GENERAL_QUOTA] * seats
    for quota in QUOTAS:
        for seat in pools[quota]:
            labels[seat - 1] = quota
    return Pools(
        seats={GENERAL_QUOTA: tuple(left), **{quota: tuple(pools[quota]) for quota in QUOTAS}},
        rac_berths=tuple(rac),
        total=seats,
        labels=tuple(labels),
    )


def pools_of_class(travel_class) -> Pools:
    """`pools_of` for a `TrainClass` (or anything with its fields)."""
    return pools_of(
        travel_class.code,
        travel_class.seats,
        travel_class.quota_tq,
        travel_class.quota_ss,
        travel_class.quota_ld,
        travel_class.rac_berths,
    )


def berth_counts(code: str, seats: int) -> dict[str, int]:
    """How many berths of each type a class of `seats` seats of layout `code` has."""
    counts: dict[str, int] = {}
    if LAYOUTS[code].has_coaches:
        for seat in range(1, seats + 1):
            berth_type = berth_type_of(code, seat)
            counts[berth_type] = counts.get(berth_type, 0) + 1
    return counts


def config_errors(code: str, seats: int, quotas: dict[str, int], rac_berths: int, field: str) -> dict[str, list[str]]:
    """What is wrong with these quotas and RAC berths for the class, by field (`field` names the class)."""
    errors: dict[str, list[str]] = {}
    counts = berth_counts(code, seats)
    if code == GENERAL and any(quotas.values()):
        errors[f"{field}.quotas"] = ["GEN has no quotas: its seats are all general."]
    elif code in NO_TATKAL_CLASSES and quotas.get("TQ"):
        errors[f"{field}.quotas.TQ"] = [f"{code} has no Tatkal quota."]
    if quotas.get("SS") and quotas["SS"] > counts.get(LOWER_BERTH, 0):
        lower = counts.get(LOWER_BERTH, 0)
        errors[f"{field}.quotas.SS"] = [
            f"SS seats are lower berths (LB); {code} with these coaches has {lower}."
            if lower
            else f"SS seats are lower berths (LB), and {code} has none."
        ]
    side_lowers = counts.get(SIDE_LOWER, 0)
    if rac_berths and rac_berths > side_lowers:
        errors[f"{field}.rac_berths"] = [
            f"RAC berths are side lowers (SL); {code} with these coaches has {side_lowers}."
            if side_lowers
            else f"RAC berths are side lowers (SL), and {code} has none."
        ]
    set_aside = sum(quotas.values()) + rac_berths
    if not errors and set_aside > seats:
        errors[f"{field}.quotas"] = [f"The quotas and RAC berths add up to {set_aside} seats; {code} has {seats}."]
    return errors
