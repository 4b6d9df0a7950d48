"""Coach layouts of the travel classes, and the berth arithmetic of docs/api.md (Classes and berths).

A class's seats are numbered 1..N; which coach a seat is in, its number inside the coach and its
berth type all follow from the seat number and the layout, so none of them is stored: a seat
number is the only thing the inventory records.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    code: str
    name: str
    coach_prefix: str | None
    seats_per_coach: int | None
    berth_types: tuple[str, ...]  # by position in the coach, repeating

    @property
    def has_coaches(self) -> bool:
        return self.seats_per_coach is not None


GENERAL = "GEN"

LAYOUTS: dict[str, Layout] = {
    layout.code: layout
    for layout in (
        Layout("1A", "First AC", "H", 24, ("LB", "UB")),
        Layout("2A", "AC 2 Tier", "A", 48, ("LB", "UB", "LB", "UB", "SL", "SU")),
        Layout("3A", "AC 3 Tier", "B", 64, ("LB", "MB", "UB", "LB", "MB", "UB", "SL", "SU")),
        Layout("SL", "Sleeper", "S", 72, ("LB", "MB", "UB", "LB", "MB", "UB", "SL", "SU")),
        Layout("CC", "AC Chair Car", "C", 75, ("W", "M", "A", "A", "W")),
        Layout("2S", "Second Sitting", "D", 108, ("W", "M", "A", "A", "M", "W")),
        Layout(GENERAL, "General", None, None, ()),
    )
}
# The order classes are listed in: dearest first, as on a ticket counter's board.
CLASS_ORDER = {code: rank for rank, code in enumerate(LAYOUTS)}
BERTH_TYPE_NAMES = {
    "LB": "Lower",
    "MB": "Middle",
    "UB": "Upper",
    "SL": "Side lower",
    "SU": "Side upper",
    "W": "Window",
    "M": "Middle",
    "A": "Aisle",
}
# A passenger this old who asks for nothing in particular is given a lower berth where one is free.
SENIOR_AGE = 60
SENIOR_BERTH = "LB"


@dataclass(frozen=True)
class Berth:
    seat_number: int
    coach: str | None
    berth: int
    berth_type: str | None

    def as_dict(self) -> dict:
        return {
            "seat_number": self.seat_number,
            "coach": self.coach,
            "berth": self.berth,
            "berth_type": self.berth_type,
        }


def berth_of(code: str, seat_number: int) -> Berth:
    """Coach, berth in the coach and berth type of seat `seat_number` (1-based) of class `code`."""
    layout = LAYOUTS[code]
    if not layout.has_coaches:
        return Berth(seat_number, None, seat_number, None)
    coach_index = (seat_number - 1) // layout.seats_per_coach  # 0-based
    berth = seat_number - coach_index * layout.seats_per_coach
    berth_type = layout.berth_types[(berth - 1) % len(layout.berth_types)]
    return Berth(seat_number, f"{layout.coach_prefix}{coach_index + 1}", berth, berth_type)


def berth_type_of(code: str, seat_number: int) -> str | None:
    """`berth_of(code, seat_number).berth_type`, without building the rest (seat choice asks often)."""
    layout = LAYOUTS[code]
    if not layout.has_coaches:
        return None
    return layout.berth_types[((seat_number - 1) % layout.seats_per_coach) % len(layout.berth_types)]


def coach_index_of(code: str, seat_number: int) -> int:
    """0-based coach of a seat; every seat of a class without coaches is in "coach" 0."""
    layout = LAYOUTS[code]
    return 0 if not layout.has_coaches else (seat_number - 1) // layout.seats_per_coach


def seats_of(code: str, coaches: int | None, general_seats: int | None = None) -> int:
    """Seats in a class of `coaches` coaches (`general_seats` for GEN, which has no coaches)."""
    layout = LAYOUTS[code]
    return general_seats if not layout.has_coaches else coaches * layout.seats_per_coach
