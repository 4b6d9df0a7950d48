"""Which seats a booking gets: pure rules over the free seats, no database.

The free seats of a journey come as ascending `(first, last)` blocks (`free_blocks`, and
`availability.OpenSeats.blocks`, which the database computes the same way). A group gets the
lowest block that seats it together, else the lowest free seats; named passengers with a berth
wish pick first (a berth preference, then a senior's lower berth), and a group stays in one
coach where one coach has room for everyone. Seats the passengers picked themselves (on the seat
map) are shared out among them by the same wishes (`assign_chosen_seats`), so that who sits
where does not depend on the order the names were typed in.
"""

import bisect
import itertools
from dataclasses import dataclass

from trains.layouts import LAYOUTS, SENIOR_AGE, SENIOR_BERTH, berth_type_of, coach_index_of


@dataclass(frozen=True)
class PassengerRequest:
    """A traveller as a booking or hold asks for them; `berth_preference` is a type of the class.
    A booking of `seats` alone has unnamed travellers (everything None), who wish for nothing."""

    name: str | None
    age: int | None
    gender: str | None
    berth_preference: str | None = None

    def as_dict(self, seat_number: int | None = None) -> dict:
        return {
            "name": self.name,
            "age": self.age,
            "gender": self.gender,
            "berth_preference": self.berth_preference,
            "seat_number": seat_number,
        }


def free_blocks(*, taken: set[int], total_seats: int) -> list[tuple[int, int]]:
    """The seats 1..total_seats not in `taken`, as ascending `(first, last)` ranges."""
    blocks, first = [], 1
    for seat in [*sorted(seat for seat in taken if 1 <= seat <= total_seats), total_seats + 1]:
        if seat > first:
            blocks.append((first, seat - 1))
        first = seat + 1
    return blocks


def choose_seats(*, taken: set[int], total_seats: int, count: int) -> list[int] | None:
    """The seats a group of `count` gets: the lowest contiguous free block, else the lowest free.

    None when fewer than `count` seats are free.
    """
    return choose_from_blocks(free_blocks(taken=taken, total_seats=total_seats), count)


def choose_from_blocks(blocks: list[tuple[int, int]], count: int) -> list[int] | None:
    """`choose_seats`, given the free seats as `free_blocks` describes them."""
    for first, last in blocks:
        if last - first + 1 >= count:
            return list(range(first, first + count))
    lowest = list(itertools.islice((seat for first, last in blocks for seat in range(first, last + 1)), count))
    return lowest if len(lowest) == count else None


def _wish(passenger: PassengerRequest) -> set[str] | None:
    """The berth types that would satisfy the passenger, or None if any seat will do."""
    if passenger.berth_preference:
        return {passenger.berth_preference}
    if passenger.age is not None and passenger.age >= SENIOR_AGE:
        return {SENIOR_BERTH}
    return None


def _wish_order(passengers: list[PassengerRequest]) -> list[int]:
    """Positions of the passengers with a wish, in the order they pick: a stated preference
    before a senior's lower berth (a passenger who asked for a berth asked for that one, where a
    senior is given any lower berth that is left), each in the order the passengers are listed."""
    preferring = [position for position, passenger in enumerate(passengers) if passenger.berth_preference]
    seniors = [
        position
        for position, passenger in enumerate(passengers)
        if not passenger.berth_preference and passenger.age is not None and passenger.age >= SENIOR_AGE
    ]
    return preferring + seniors


def _assign_in(pool: list[int], code: str, passengers: list[PassengerRequest]) -> tuple[int, list[int]] | None:
    """Seats from `pool` (ascending) for the passengers in order, and how many wishes they meet.

    Passengers with a wish pick first (`_wish_order`), the lowest free seat of a type they want;
    everyone else then gets the lowest block of consecutive seats left, else the lowest seats left.
    """
    if len(pool) < len(passengers):
        return None
    free = list(pool)
    seats: list[int | None] = [None] * len(passengers)
    met = 0
    for position in _wish_order(passengers):
        wish = _wish(passengers[position])
        seat = next((seat for seat in free if berth_type_of(code, seat) in wish), None)
        if seat is not None:
            seats[position] = seat
            free.remove(seat)
            met += 1
    rest = [position for position, seat in enumerate(seats) if seat is None]
    chosen = choose_from_blocks(_blocks_of(free), len(rest))
    for position, seat in zip(rest, chosen or [], strict=False):
        seats[position] = seat
    return met, seats


def assign_chosen_seats(*, seat_numbers: list[int], code: str, passengers: list[PassengerRequest]) -> list[int]:
    """The seats the passengers chose together (one each), given out by the rules of seat choice:
    in the passengers' order, the seat each one gets.

    A berth preference is met first where a chosen seat is of that type, then a passenger aged 60
    or more without a preference gets a chosen lower berth, then the others get the seats left,
    lowest first, in the order they are listed. In a class without berth types, passenger i gets
    the i-th lowest seat.
    """
    if len(seat_numbers) != len(passengers):
        raise ValueError("one chosen seat per passenger")
    return _assign_in(sorted(seat_numbers), code, passengers)[1]


def _blocks_of(seats: list[int]) -> list[tuple[int, int]]:
    """Ascending seat numbers as `(first, last)` runs of consecutive numbers."""
    blocks = []
    for seat in seats:
        if blocks and blocks[-1][1] == seat - 1:
            blocks[-1] = (blocks[-1][0], seat)
        else:
            blocks.append((seat, seat))
    return blocks


def choose_for_passengers(
    *, blocks: list[tuple[int, int]], code: str, passengers: list[PassengerRequest]
) -> list[int] | None:
    """Seats for named passengers, in their order; None when too few are free.

    Without a wish among them (no berth preference, nobody aged 60 or more) this is the group
    rule of `choose_from_blocks`. With wishes, the group stays in one coach where one coach has
    room for everyone, choosing the coach that meets most wishes (the lowest on a tie); the
    whole class is used instead only where it meets more wishes than any one coach can.
    """
    wishes = [_wish(passenger) for passenger in passengers]
    if not LAYOUTS[code].berth_types or not any(wishes):
        return choose_from_blocks(blocks, len(passengers))
    free = [seat for first, last in blocks for seat in range(first, last + 1)]
    if len(free) < len(passengers):
        return None
    wanted = sum(1 for wish in wishes if wish)
    by_coach: dict[int, list[int]] = {}
    for seat in free:
        by_coach.setdefault(coach_index_of(code, seat), []).append(seat)
    best = None
    for pool in by_coach.values():
        assigned = _assign_in(pool, code, passengers)
        if assigned is not None and (best is None or assigned[0] > best[0]):
            best = assigned
            if best[0] == wanted:
                return best[1]  # no coach can do better than every wish met
    whole_class = _assign_in(free, code, passengers)
    if best is None or whole_class[0] > best[0]:
        best = whole_class
    return best[1]


def blocks_within(blocks: list[tuple[int, int]], pool: tuple[int, ...]) -> list[tuple[int, int]]:
    """The seats of `blocks` that are in `pool` (ascending seat numbers), as `(first, last)` runs."""
    if not blocks:
        return []
    free = [seat for seat in pool if _in_blocks(blocks, seat)]
    return _blocks_of(free)


def _in_blocks(blocks: list[tuple[int, int]], seat: int) -> bool:
    index = bisect.bisect_right(blocks, (seat, float("inf"))) - 1
    return index >= 0 and blocks[index][0] <= seat <= blocks[index][1]
