"""The benchmark's Django-side steps, run in a subprocess with the server's environment.

    python bench/fixtures.py setup                  -> trains the booking phases sell, routes to search
    python bench/fixtures.py verify TRAIN_ID DATE   -> what the database holds for one run
    python bench/fixtures.py tatkal COUNT           -> COUNT trains with a Tatkal pool, and a run date
                                                       whose Tatkal window is open now
    python bench/fixtures.py tatkal-verify TRAIN_ID DATE -> what the database holds of its Tatkal pool
    python bench/fixtures.py probe-setup ROUNDS [LABEL] -> a target of bench/peer_probe.py: 50-seat trains
                                                       to sell, each on a route of its own, tokens

Each prints one JSON object as its last line of output.
"""

import json
import os
import sys
from datetime import time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irctc.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from trains.models import EVERY_DAY_MASK, Train  # noqa: E402

HOT_SEATS = 1000
SPREAD_TRAINS = 50
SPREAD_SEATS = 100
# Stations no seeded train uses, so the benchmark's trains never show up in search results.
HOT_ROUTE = ("Benchpur Junction", "Loadnagar")
SPREAD_ROUTE = ("Benchpur Junction", "Spreadganj")
# Each run of the Tatkal phase adds its first train's number to the destination (`tatkal`).
TATKAL_ROUTE = ("Benchpur Junction", "Tatkalpur")
TATKAL_SEATS = 200
# Sleeper coaches of 72 berths: four of them hold the Tatkal pool and some general berths.
TATKAL_CLASS = {"code": "SL", "coaches": 4, "fare_per_km": "0.50", "quotas": {"TQ": TATKAL_SEATS}}


def _free_numbers(count: int) -> list[str]:
    taken = set(Train.objects.values_list("train_number", flat=True))
    numbers = [f"{n:05d}" for n in range(99999, 10000, -1) if f"{n:05d}" not in taken]
    return numbers[:count]


def _bench_train(number: str, name: str, route: tuple[str, str], seats: int, classes=None) -> Train:
    """A two-stop, one-class train (as version 1 had them), so that both builds of an A/B run sell it."""
    from trains import services

    fields = dict(
        name=name,
        source=route[0],
        destination=route[1],
        departure_time=time(23, 55),
        arrival_time=time(6, 0),
        arrival_day_offset=1,
        runs_on_mask=EVERY_DAY_MASK,
    )
    if classes:
        fields["classes"] = classes
    else:
        fields["total_seats"] = seats
    existing = Train.objects.filter(train_number=number, is_active=True).first()
    if existing is not None:
        return services.update_train(train_id=existing.pk, partial=False, train_number=number, **fields)
    return services.create_train(train_number=number, **fields)


def setup() -> dict:
    numbers = _free_numbers(1 + SPREAD_TRAINS)
    hot = _bench_train(numbers[0], "Bench Hot Express", HOT_ROUTE, HOT_SEATS)
    spread = [
        _bench_train(number, f"Bench Spread {index}", SPREAD_ROUTE, SPREAD_SEATS)
        for index, number in enumerate(numbers[1:], start=1)
    ]
    routes = (
        Train.objects.active()
        .exclude(source__startswith="Benchpur")
        .values("source", "destination")
        .annotate(trains=Count("id"))
        .order_by("-trains", "source", "destination")
    )
    return {
        "today": timezone.localdate().isoformat(),
        "hot_train": hot.pk,
        "hot_seats": HOT_SEATS,
        "spread_trains": [train.pk for train in spread],
        "spread_seats": SPREAD_SEATS,
        "routes": [[route["source"], route["destination"], route["trains"]] for route in routes],
        "trains_total": Train.objects.count(),
    }


def verify(train_id: int, travel_date: str) -> dict:
    """Seats the database says are sold on one run, counted three independent ways."""
    from bookings.models import Booking, SeatAllocation

    bookings = Booking.objects.filter(run__train_id=train_id, travel_date=travel_date)
    confirmed = bookings.filter(status=Booking.Status.CONFIRMED)
    # Two-stop trains: the travel date is the run's date and every seat has one segment.
    allocations = SeatAllocation.objects.filter(run__train_id=train_id, run__run_date=travel_date)
    confirmed_allocations = allocations.filter(booking__status=Booking.Status.CONFIRMED)
    total_seats = Train.objects.get(pk=train_id).total_seats
    return {
        "total_seats": total_seats,
        "bookings_by_status": dict(bookings.values_list("status").annotate(n=Count("id")).order_by()),
        "confirmed_bookings": confirmed.count(),
        "confirmed_seats": confirmed.aggregate(seats=Sum("seats"))["seats"] or 0,
        "allocated_seats": confirmed_allocations.count(),
        "distinct_seat_numbers": confirmed_allocations.values("seat_number").distinct().count(),
        "seats_out_of_range": allocations.exclude(seat_number__range=(1, total_seats)).count(),
    }


def tatkal(count: int) -> dict:
    """`count` trains whose sleeper class sets TATKAL_SEATS berths aside for Tatkal (one a
    repetition: each sells its pool once), and the run date whose Tatkal window is open now: tomorrow
    once today's window has opened, else today (the trains leave at 23:55). They share a route of
    their own, so the searchers' answer lists this run's trains only, however many runs
    `--reuse-db` has kept."""
    from bookings.inventory.quotas import tatkal_opens_for

    # New trains every time: a train of an earlier run (`--reuse-db`) has its pool sold. On the
    # one route, each run's search grew by `count` sold-out trains, and so did its cost.
    numbers = _free_numbers(count)
    route = (TATKAL_ROUTE[0], f"{TATKAL_ROUTE[1]} {numbers[0]}")
    trains = [_bench_train(number, f"Bench Tatkal {number}", route, 0, classes=[TATKAL_CLASS]) for number in numbers]
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    run_date = tomorrow if timezone.now() >= tatkal_opens_for(tomorrow, TATKAL_CLASS["code"]) else today
    return {
        "trains": [train.pk for train in trains],
        "run_date": run_date.isoformat(),
        "class": TATKAL_CLASS["code"],
        "route": list(route),
        "pool": TATKAL_SEATS,
        "opened_at": tatkal_opens_for(run_date, TATKAL_CLASS["code"]).isoformat(),
    }


def tatkal_verify(train_id: int, travel_date: str) -> dict:
    """The Tatkal pool of one run: passengers confirmed, the berths they hold, and any outside the pool."""
    from bookings.models import Booking, SeatAllocation
    from trains.pools import pools_of_class

    train_class = Train.objects.get(pk=train_id).classes.get(code=TATKAL_CLASS["code"])
    pool = set(pools_of_class(train_class).seats["TQ"])
    bookings = Booking.objects.filter(run__train_id=train_id, run__run_date=travel_date, quota="TQ")
    confirmed = bookings.filter(status=Booking.Status.CONFIRMED)
    allocations = SeatAllocation.objects.filter(run__train_id=train_id, run__run_date=travel_date)
    seats = list(allocations.filter(booking__status=Booking.Status.CONFIRMED).values_list("seat_number", flat=True))
    return {
        "pool": len(pool),
        "bookings_by_status": dict(bookings.values_list("status").annotate(n=Count("id")).order_by()),
        "confirmed_bookings": confirmed.count(),
        "confirmed_passengers": confirmed.aggregate(seats=Sum("seats"))["seats"] or 0,
        "allocated_seats": len(seats),
        "distinct_seat_numbers": len(set(seats)),
        "seats_outside_pool": len(set(seats) - pool),
    }


PROBE_ROUTE = ("Probepur", "Peerganj")
PROBE_SEATS = 50


def probe_setup(rounds: int, label: str = "", users: int = 64) -> dict:
    """What bench/peer_probe.py needs of this server: a fresh 50-seat train per round, each on a
    route of its own (the round sells it, then searches its route), and access tokens of existing
    users (the peer's side is made the same way by hand, outside the repository). `label` sets
    the routes of targets that share a database apart."""
    from accounts.models import User
    from accounts.services import issue_tokens

    tomorrow = timezone.localdate() + timedelta(days=1)
    trains, searches = [], []
    for index, number in enumerate(_free_numbers(rounds)):
        route = (PROBE_ROUTE[0], " ".join(filter(None, [PROBE_ROUTE[1], label, str(index + 1)])))
        trains.append(_bench_train(number, f"Probe {number}", route, PROBE_SEATS).pk)
        searches.append({"source": route[0], "destination": route[1], "date": tomorrow.isoformat()})
    return {
        "kind": "ours",
        "booking_trains": trains,
        "searches": searches,
        "travel_date": tomorrow.isoformat(),
        "tokens": [issue_tokens(user)["access"] for user in User.objects.order_by("pk")[:users]],
    }


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "setup":
        output = setup()
    elif command == "verify":
        output = verify(int(arguments[0]), arguments[1])
    elif command == "tatkal":
        output = tatkal(int(arguments[0]))
    elif command == "probe-setup":
        output = probe_setup(int(arguments[0]), *arguments[1:2])
    elif command == "tatkal-verify":
        output = tatkal_verify(int(arguments[0]), arguments[1])
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(output, default=str))
