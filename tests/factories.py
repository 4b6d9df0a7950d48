import itertools
from datetime import time

from django.contrib.auth import get_user_model

from trains.models import Train

_numbers = itertools.count(10001)
PASSWORD = "Str0ng-pass-phrase"


def make_user(username: str, *, role: str = "USER", password: str = PASSWORD, **fields):
    User = get_user_model()
    return User.objects.create_user(
        username=username, email=fields.pop("email", f"{username}@example.com"), password=password, role=role, **fields
    )


def make_train(**fields) -> Train:
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
    return Train.objects.create(**defaults)
