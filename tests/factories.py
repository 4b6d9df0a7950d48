import itertools
from datetime import time

from django.contrib.auth import get_user_model

from trains import services
from trains.models import Train

_numbers = itertools.count(10001)
PASSWORD = "Str0ng-pass-phrase"


def make_user(username: str, *, role: str = "USER", password: str = PASSWORD, **fields):
    User = get_user_model()
    return User.objects.create_user(
        username=username, email=fields.pop("email", f"{username}@example.com"), password=password, role=role, **fields
    )


def _clock(value):
    """Tests write times as "HH:MM", as the API does."""
    return time.fromisoformat(value) if isinstance(value, str) else value


def make_train(*, is_active: bool = True, **fields) -> Train:
    """A train through `trains.services.create_train`, so it has its stops and classes."""
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
    if "stops" in fields:
        for field in ("source", "destination", "departure_time", "arrival_time", "arrival_day_offset"):
            defaults.pop(field)
    if "classes" in fields:
        defaults.pop("total_seats")
    defaults.update(fields)
    for field in ("departure_time", "arrival_time"):
        if field in defaults:
            defaults[field] = _clock(defaults[field])
    if "stops" in defaults:
        defaults["stops"] = [
            {**stop, "arrival_time": _clock(stop["arrival_time"]), "departure_time": _clock(stop["departure_time"])}
            for stop in defaults["stops"]
        ]
    train = services.create_train(**defaults)
    if not is_active:
        Train.objects.filter(pk=train.pk).update(is_active=False)
        train.is_active = False
    return train
