"""Demo data: ~40 real Indian trains with their halts and classes (with their Tatkal, senior
citizens' and ladies' quotas and RAC berths), a demo ADMIN and a demo USER.

Running it again changes nothing. `--trains N` and `--users N` add generated load-test data in
bulk, for the benchmark: the generated trains call at 3 to 6 of the demo stations.
"""

import itertools
import random
from datetime import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from irctc.exceptions import ApplicationError
from trains import layouts, search_cache, services, stations
from trains.management.demo_trains import (
    DEMO_TRAINS,
    MAIL_EXPRESS,
    RAJDHANI,
    SHATABDI,
    STATION_CODES,
    STATIONS,
    is_superfast,
    set_aside,
)
from trains.models import (
    WEEKDAYS,
    Stop,
    Train,
    TrainClass,
    index_classes,
    index_stops,
    mask_from_codes,
    normalize_station,
)

DEMO_PASSWORD = "Rail-Demo-2026!"
LOAD_USER_PASSWORD = "Load-Test-2026!"
BATCH_SIZE = 1000
KINDS = {
    "Express": MAIL_EXPRESS,
    "Superfast Express": MAIL_EXPRESS,
    "Mail": MAIL_EXPRESS,
    "Intercity": SHATABDI,
    "Jan Shatabdi": SHATABDI,
    "Humsafar Express": RAJDHANI,
}
SUPERFAST_KINDS = {"Superfast Express", "Jan Shatabdi", "Humsafar Express"}
FIRST_GENERATED_NUMBER = 30000
MINUTES_PER_DAY = 24 * 60


def _clock(text: str | None) -> time | None:
    if text is None:
        return None
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _stops(rows) -> list[dict]:
    return [
        {
            "station": station,
            "arrival_time": _clock(arrives),
            "departure_time": _clock(departs),
            "day_offset": day,
            "distance_km": km,
        }
        for station, arrives, departs, day, km in rows
    ]


def _classes(composition, *, quotas: bool = True) -> list[dict]:
    """The classes of a composition; with `quotas`, each with the seats it sets aside (`set_aside`)."""
    return [
        {
            "code": code,
            "coaches": coaches,
            "fare_per_km": Decimal(fare),
            **(set_aside(code, coaches) if quotas else {}),
        }
        for code, coaches, fare in composition
    ]


def _stored(train: Train) -> tuple[list[dict], list[dict]]:
    stops = [{field: getattr(stop, field) for field in services.STOP_FIELDS} for stop in train.stops.all()]
    classes = [
        {
            "code": travel_class.code,
            "coaches": travel_class.coaches,
            "fare_per_km": travel_class.fare_per_km,
            "quotas": travel_class.quotas,
            "rac_berths": travel_class.rac_berths,
        }
        for travel_class in train.classes.all()
    ]
    return stops, classes


def _generated_route(rng: random.Random) -> list[dict]:
    """3 to 6 distinct demo stations, legs of 45 minutes to 6 hours at 45 to 75 km/h."""
    stations = rng.sample(STATIONS, rng.randint(3, 6))
    minute = rng.randrange(0, MINUTES_PER_DAY, 5)
    distance = 0
    stops = []
    for index, station in enumerate(stations):
        arrival = None if index == 0 else minute
        if index:
            halt = rng.randrange(2, 16)
            departure = None if index == len(stations) - 1 else minute + halt
        else:
            departure = minute
        leaving = departure if departure is not None else arrival
        stops.append(
            {
                "station": station,
                "arrival_time": None if arrival is None else time((arrival // 60) % 24, arrival % 60),
                "departure_time": None if departure is None else time((departure // 60) % 24, departure % 60),
                "day_offset": leaving // MINUTES_PER_DAY,
                "distance_km": distance,
            }
        )
        leg = rng.randrange(45, 361, 5)
        minute = leaving + leg
        distance += max(1, leg * rng.randrange(45, 76) // 60)
    return stops


class Command(BaseCommand):
    help = "Seed demo trains and users (idempotent); --trains/--users add bulk load-test data."

    def add_arguments(self, parser):
        parser.add_argument("--trains", type=int, default=0, help="Add this many generated trains.")
        parser.add_argument("--users", type=int, default=0, help="Ensure users loaduser1..N exist.")

    def handle(self, *args, trains: int, users: int, **options):
        if trains < 0 or users < 0:
            raise CommandError("--trains and --users take a number of at least 0.")
        with transaction.atomic():
            changed = self._seed_demo_trains()
            self._seed_station_codes()
            self._seed_demo_users()
        self.stdout.write(f"Demo trains: {len(DEMO_TRAINS)} ({changed} created or updated).")
        if trains:
            self.stdout.write(f"Generated trains added: {self._generate_trains(trains)}.")
        if users:
            self.stdout.write(f"Load users created: {self._generate_users(users)} (password {LOAD_USER_PASSWORD}).")
        self.stdout.write(
            self.style.SUCCESS(
                f"Sign in as ADMIN: admin / admin@example.com, password {DEMO_PASSWORD}\n"
                f"Sign in as USER:  demo / demo@example.com, password {DEMO_PASSWORD}"
            )
        )

    def _seed_demo_trains(self) -> int:
        """Create or bring up to date each demo train, through the services and their checks."""
        existing = Train.objects.prefetch_related("stops", "classes").in_bulk(
            [row[0] for row in DEMO_TRAINS], field_name="train_number"
        )
        changed = 0
        for number, name, days, composition, rows in DEMO_TRAINS:
            stops, classes = _stops(rows), _classes(composition)
            runs_on_mask, superfast = mask_from_codes(days), is_superfast(number)
            train = existing.get(number)
            if train is None:
                services.create_train(
                    train_number=number,
                    name=name,
                    superfast=superfast,
                    runs_on_mask=runs_on_mask,
                    stops=stops,
                    classes=classes,
                )
                changed += 1
                continue
            # Compared first, so a second run doesn't even touch `updated_at`; a train an operator
            # retired stays retired.
            if not train.is_active or (
                (train.name, train.superfast, train.runs_on_mask) == (name, superfast, runs_on_mask)
                and _stored(train) == (stops, classes)
            ):
                continue
            try:
                services.update_train(
                    train_id=train.pk,
                    partial=False,
                    train_number=number,
                    name=name,
                    superfast=superfast,
                    runs_on_mask=runs_on_mask,
                    stops=stops,
                    classes=classes,
                )
            except ApplicationError as exc:
                self.stderr.write(f"Train {number} left as it is: {exc.message}")
                continue
            changed += 1
        return changed

    def _seed_station_codes(self) -> None:
        """The demo stations' real codes, through the same rules as a stop's (a second run finds them)."""
        with transaction.atomic():
            if stations.claim_codes(dict(enumerate(STATION_CODES.items()))):
                search_cache.timetable_changed()

    def _seed_demo_users(self) -> None:
        User = get_user_model()
        for username, role, is_superuser in [("admin", User.Role.ADMIN, True), ("demo", User.Role.USER, False)]:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults=dict(email=f"{username}@example.com", role=role, is_superuser=is_superuser),
            )
            if user.role != role or user.is_superuser != is_superuser or not user.check_password(DEMO_PASSWORD):
                user.role, user.is_superuser = role, is_superuser
                user.set_password(DEMO_PASSWORD)
                user.save()

    def _generate_trains(self, count: int) -> int:
        taken = set(Train.objects.values_list("train_number", flat=True))
        free_numbers = (f"{n:05d}" for n in range(FIRST_GENERATED_NUMBER, 100000) if f"{n:05d}" not in taken)
        numbers = list(itertools.islice(free_numbers, count))
        if len(numbers) < count:
            raise CommandError(
                f"Only {len(numbers)} unused 5-digit train numbers are left above {FIRST_GENERATED_NUMBER}."
            )
        rng = random.Random(count)
        for start in range(0, len(numbers), BATCH_SIZE):
            self._generate_batch(numbers[start : start + BATCH_SIZE], rng)
        return len(numbers)

    def _generate_batch(self, numbers: list[str], rng: random.Random) -> None:
        """One bulk insert each for the trains, their stops and their classes.

        bulk_create skips the models' save(), so the search keys and summary columns are filled in
        here; the ids are read back by number, since not every backend returns them from a bulk insert.
        """
        plans = {}
        for number in numbers:
            stops = _generated_route(rng)
            kind = rng.choice(list(KINDS))
            classes = [
                {**travel_class, "seats": layouts.seats_of(travel_class["code"], travel_class["coaches"])}
                # Generated trains stay plain (no quotas): the benchmark's load is the same as
                # before quotas existed, so its figures compare across versions.
                for travel_class in _classes(KINDS[kind], quotas=False)
            ]
            days = [code for code in WEEKDAYS if rng.random() < 0.6] or [rng.choice(WEEKDAYS)]
            plans[number] = (stops, classes, kind, days)
        with transaction.atomic():
            Train.objects.bulk_create(
                Train(
                    train_number=number,
                    name=f"{stops[0]['station'].split()[0]} {stops[-1]['station'].split()[0]} {kind}",
                    source=stops[0]["station"],
                    destination=stops[-1]["station"],
                    source_key=normalize_station(stops[0]["station"]),
                    destination_key=normalize_station(stops[-1]["station"]),
                    departure_time=stops[0]["departure_time"],
                    arrival_time=stops[-1]["arrival_time"],
                    arrival_day_offset=stops[-1]["day_offset"],
                    total_seats=sum(travel_class["seats"] for travel_class in classes),
                    runs_on_mask=mask_from_codes(days),
                    superfast=kind in SUPERFAST_KINDS,
                )
                for number, (stops, classes, kind, days) in plans.items()
            )
            ids = dict(Train.objects.filter(train_number__in=numbers).values_list("train_number", "id"))
            Stop.objects.bulk_create(
                Stop(train_id=ids[number], index=index, station_key=normalize_station(stop["station"]), **stop)
                for number, (stops, *_) in plans.items()
                for index, stop in enumerate(stops)
            )
            index_stops(ids.values())
            TrainClass.objects.bulk_create(
                TrainClass(train_id=ids[number], rank=layouts.CLASS_ORDER[travel_class["code"]], **travel_class)
                for number, (_, classes, *_) in plans.items()
                for travel_class in classes
            )
            index_classes(ids.values())

    def _generate_users(self, count: int) -> int:
        User = get_user_model()
        # One PBKDF2 hash for everyone: hashing per user would take minutes for a few thousand.
        password = make_password(LOAD_USER_PASSWORD)
        usernames = [f"loaduser{n}" for n in range(1, count + 1)]
        # A prefix filter, not `__in`: SQLite caps the number of parameters in one query.
        existing = set(User.objects.filter(username__startswith="loaduser").values_list("username", flat=True))
        new_users = [
            User(username=username, email=f"{username}@example.com", password=password, role=User.Role.USER)
            for username in usernames
            if username not in existing
        ]
        User.objects.bulk_create(new_users, batch_size=BATCH_SIZE)
        return len(new_users)
