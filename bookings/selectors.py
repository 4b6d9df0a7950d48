"""Reads over runs, bookings and holds.

The functions below are the contract the trains app relies on. Until the booking engine lands
they answer as if nothing had been sold; the booking issue replaces their bodies.
"""

from datetime import date

from trains.models import Train


def available_seats_for(runs: list[tuple[Train, date]]) -> dict[tuple[int, date], int]:
    """Free seats of each `(train, travel_date)` run, keyed by `(train.id, travel_date)`.

    Answers for a whole page of search results with a fixed number of queries.
    """
    return {(train.id, travel_date): train.total_seats for train, travel_date in runs}


def seat_map(*, train: Train, travel_date: date) -> dict:
    """`{total_seats, available_seats, free_seat_numbers}` for one run."""
    return {
        "total_seats": train.total_seats,
        "available_seats": train.total_seats,
        "free_seat_numbers": list(range(1, train.total_seats + 1)),
    }


def max_seats_sold_on_future_runs(train: Train) -> int:
    """The most seats confirmed or held on any run of `train` from today on (0 if none)."""
    return 0


def has_active_future_bookings(train: Train) -> bool:
    """Whether any run of `train` from today on has a CONFIRMED or WAITLISTED booking."""
    return False
