import copy
from datetime import date, timedelta

from django.utils import timezone

from trains.models import WEEKDAYS

# What a class that sets no seats aside for quotas or RAC shows of them.
NOTHING_SET_ASIDE = {"quotas": {"TQ": 0, "SS": 0, "LD": 0}, "rac_berths": 0}

TRAIN_BODY = {
    "train_number": "12951",
    "name": "Mumbai Rajdhani Express",
    "source": "Mumbai Central",
    "destination": "New Delhi",
    "departure_time": "17:00",
    "arrival_time": "08:32",
    "arrival_day_offset": 1,
    "total_seats": 1100,
    "runs_on": ["MON", "WED", "FRI"],
}


def train_body(**changes) -> dict:
    return {**TRAIN_BODY, **changes}


def next_weekday(code: str, *, weeks_ahead: int = 1) -> date:
    """A date falling on weekday `code`, at least a day after today and inside the booking window."""
    today = timezone.localdate()
    days = (WEEKDAYS.index(code) - today.weekday()) % 7 or 7
    return today + timedelta(days=days + 7 * (weeks_ahead - 1))


def version_1_answer(train_id: int, body: dict = TRAIN_BODY) -> dict:
    """What version 1 answered for a version-1 `body`, with the `stops` and `classes` of version 2
    and the `superfast` of version 3."""
    answer = {"id": train_id, "arrival_day_offset": 0, "runs_on": WEEKDAYS, "superfast": False, **body}
    return {
        **answer,
        "stops": [
            {
                "station": answer["source"],
                "arrival_time": None,
                "departure_time": answer["departure_time"],
                "day_offset": 0,
                "distance_km": None,
            },
            {
                "station": answer["destination"],
                "arrival_time": answer["arrival_time"],
                "departure_time": None,
                "day_offset": answer["arrival_day_offset"],
                "distance_km": None,
            },
        ],
        "classes": [
            {"code": "GEN", "coaches": None, "seats": answer["total_seats"], "fare_per_km": None, **NOTHING_SET_ASIDE}
        ],
    }


def sell(
    train,
    *,
    user,
    seat_numbers=(1,),
    class_code: str | None = None,
    from_index: int = 0,
    to_index: int | None = None,
    run_date: date | None = None,
    status: str = "CONFIRMED",
):
    """A booking written straight into the inventory tables: its row and, when confirmed, one
    allocation per seat and segment, as the booking engine stores them."""
    from bookings.models import Booking, SeatAllocation, TrainRun

    stops = list(train.stops.order_by("index"))
    to_index = len(stops) - 1 if to_index is None else to_index
    class_code = class_code or train.classes.first().code
    run, _ = TrainRun.objects.get_or_create(train=train, run_date=run_date or timezone.localdate() + timedelta(days=1))
    booking = Booking.objects.create(
        user=user,
        run=run,
        pnr=f"{Booking.objects.count() + 1:010d}",
        status=status,
        seats=len(seat_numbers),
        class_code=class_code,
        from_index=from_index,
        to_index=to_index,
        from_station=stops[from_index].station,
        to_station=stops[to_index].station,
        travel_date=run.run_date + timedelta(days=stops[from_index].day_offset),
    )
    if status == "CONFIRMED":
        SeatAllocation.objects.bulk_create(
            SeatAllocation(run=run, class_code=class_code, segment=segment, seat_number=seat, booking=booking)
            for seat in seat_numbers
            for segment in range(from_index, to_index)
        )
    return booking


def stop(station, arrival=None, departure=None, day=0, km=None) -> dict:
    return {
        "station": station,
        "arrival_time": arrival,
        "departure_time": departure,
        "day_offset": day,
        "distance_km": km,
    }


# 12951 as it runs: over midnight between Vadodara and Ratlam, arriving the next morning.
RAJDHANI_STOPS = [
    stop("Mumbai Central", departure="17:00", km=0),
    stop("Surat", "19:43", "19:48", km=263),
    stop("Vadodara", "21:06", "21:16", km=392),
    stop("Ratlam", "23:58", "00:01", day=1, km=652),
    stop("Kota", "03:15", "03:25", day=1, km=919),
    stop("New Delhi", arrival="08:32", day=1, km=1386),
]
RAJDHANI_CLASSES = [
    {"code": "1A", "coaches": 1, "fare_per_km": "2.90"},
    {"code": "2A", "coaches": 5, "fare_per_km": "1.75"},
    {"code": "3A", "coaches": 11, "fare_per_km": "1.20"},
]
RAJDHANI_SEATS = 24 + 5 * 48 + 11 * 64
RAJDHANI_BODY = {
    "train_number": "12951",
    "name": "Mumbai Rajdhani Express",
    "runs_on": ["MON", "WED", "FRI"],
    "stops": RAJDHANI_STOPS,
    "classes": RAJDHANI_CLASSES,
}


def rajdhani_body(**changes) -> dict:
    return copy.deepcopy({**RAJDHANI_BODY, **changes})
