import itertools
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model

from trains.layouts import CLASS_ORDER, GENERAL, seats_of
from trains.models import Stop, Train, TrainClass, index_classes, index_stops, normalize_station, quota_fields

_numbers = itertools.count(10001)
PASSWORD = "Str0ng-pass-phrase"


def make_user(username: str, *, role: str = "USER", password: str = PASSWORD, **fields):
    User = get_user_model()
    return User.objects.create_user(
        username=username, email=fields.pop("email", f"{username}@example.com"), password=password, role=role, **fields
    )


def make_train(*, stops: list[dict] | None = None, classes: list[dict] | None = None, **fields) -> Train:
    """A train straight into the database, as the train services would store it.

    Without `stops`, a two-stop route from the first/last-stop fields; without `classes`, one
    `GEN` class of `total_seats`. `stops` are `{station, arrival_time, departure_time, day_offset,
    distance_km}` (times as `time`), `classes` `{code, coaches, fare_per_km}` (`seats` for GEN).
    """
    defaults = dict(
        train_number=f"{next(_numbers):05d}",
        name="Test Express",
        source="New Delhi",
        destination="Mumbai Central",
        departure_time=time(16, 30),
        arrival_time=time(8, 30),
        arrival_day_offset=1,
        total_seats=50,
    )
    defaults.update(fields)
    if stops is not None:
        first, last = stops[0], stops[-1]
        defaults.update(
            source=first["station"],
            destination=last["station"],
            departure_time=first["departure_time"],
            arrival_time=last["arrival_time"],
            arrival_day_offset=last.get("day_offset", 0),
        )
    else:
        stops = [
            {"station": defaults["source"], "departure_time": defaults["departure_time"]},
            {
                "station": defaults["destination"],
                "arrival_time": defaults["arrival_time"],
                "day_offset": defaults["arrival_day_offset"],
            },
        ]
    if classes is not None:
        classes = [
            {
                **train_class,
                "seats": train_class.get("seats") or seats_of(train_class["code"], train_class.get("coaches")),
            }
            for train_class in classes
        ]
        defaults["total_seats"] = sum(train_class["seats"] for train_class in classes)
    else:
        classes = [{"code": GENERAL, "seats": defaults["total_seats"]}]
    train = Train.objects.create(**defaults)
    Stop.objects.bulk_create(
        Stop(
            train=train,
            index=index,
            station=stop["station"],
            station_key=normalize_station(stop["station"]),
            arrival_time=stop.get("arrival_time"),
            departure_time=stop.get("departure_time"),
            day_offset=stop.get("day_offset", 0),
            distance_km=stop.get("distance_km"),
        )
        for index, stop in enumerate(stops)
    )
    index_stops([train.pk])
    TrainClass.objects.bulk_create(
        TrainClass(
            train=train,
            code=train_class["code"],
            rank=CLASS_ORDER[train_class["code"]],
            coaches=train_class.get("coaches"),
            seats=train_class["seats"],
            fare_per_km=train_class.get("fare_per_km"),
            **quota_fields(train_class.get("quotas"), train_class.get("rac_berths")),
        )
        for train_class in classes
    )
    index_classes([train.pk])
    return train


def route(*stations: str, start: time = time(6, 0), minutes_apart: int = 60, km_apart: int | None = 100) -> list[dict]:
    """Stops for a same-day route through `stations`, an hour (and 100 km) apart, with 5-minute halts."""
    stops = []
    for index, station in enumerate(stations):
        arrival = datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=minutes_apart * index)
        last = index == len(stations) - 1
        departure = None if last else arrival + timedelta(minutes=5 if index else 0)
        stops.append(
            {
                "station": station,
                "arrival_time": None if index == 0 else arrival.time(),
                "departure_time": None if departure is None else departure.time(),
                "day_offset": ((departure or arrival) - datetime(2000, 1, 1)).days,
                "distance_km": None if km_apart is None else km_apart * index,
            }
        )
    return stops
