"""Demo data: ~40 real-looking trains between major Indian cities, a demo ADMIN and a demo USER.

Running it again changes nothing. `--trains N` and `--users N` add generated load-test data in
bulk, for the benchmark.
"""

import itertools
import random
from datetime import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from trains.models import WEEKDAYS, Train, mask_from_codes, normalize_station

DEMO_PASSWORD = "Rail-Demo-2026!"
LOAD_USER_PASSWORD = "Load-Test-2026!"
BATCH_SIZE = 1000
DAILY = WEEKDAYS

# (number, name, source, destination, departs, arrives, day offset, seats, runs on)
DEMO_TRAINS = [
    ("12951", "Mumbai Rajdhani Express", "Mumbai Central", "New Delhi", "17:00", "08:32", 1, 1100, DAILY),
    ("12952", "Mumbai Rajdhani Express", "New Delhi", "Mumbai Central", "16:55", "08:35", 1, 1100, DAILY),
    ("22209", "Mumbai Duronto Express", "Mumbai Central", "New Delhi", "23:00", "15:55", 1, 900, ["TUE", "SAT"]),
    ("22210", "New Delhi Duronto Express", "New Delhi", "Mumbai Central", "23:25", "15:45", 1, 900, ["MON", "FRI"]),
    ("12903", "Golden Temple Mail", "Mumbai Central", "New Delhi", "18:45", "18:05", 1, 1300, DAILY),
    ("12953", "August Kranti Rajdhani", "Mumbai Central", "New Delhi", "17:10", "10:55", 1, 950, DAILY),
    ("12301", "Howrah Rajdhani Express", "Howrah", "New Delhi", "16:50", "10:00", 1, 1000, DAILY),
    ("12302", "New Delhi Rajdhani Express", "New Delhi", "Howrah", "16:55", "09:55", 1, 1000, DAILY),
    ("12273", "Howrah Duronto Express", "Howrah", "New Delhi", "08:35", "05:15", 1, 850, ["MON", "WED", "FRI", "SAT"]),
    ("12313", "Sealdah Rajdhani Express", "Sealdah", "New Delhi", "16:50", "10:30", 1, 950, DAILY),
    ("12433", "Chennai Rajdhani Express", "Chennai Central", "New Delhi", "06:10", "10:30", 1, 900, ["WED", "FRI"]),
    ("12434", "Chennai Rajdhani Express", "New Delhi", "Chennai Central", "15:55", "20:15", 1, 900, ["WED", "FRI"]),
    ("12621", "Tamil Nadu Express", "Chennai Central", "New Delhi", "22:00", "06:30", 2, 1500, DAILY),
    ("12622", "Tamil Nadu Express", "New Delhi", "Chennai Central", "21:05", "07:10", 2, 1500, DAILY),
    ("22691", "Bengaluru Rajdhani Express", "KSR Bengaluru", "New Delhi", "20:00", "05:30", 2, 1000, DAILY),
    ("22692", "Bengaluru Rajdhani Express", "New Delhi", "KSR Bengaluru", "19:50", "05:20", 2, 1000, DAILY),
    ("12627", "Karnataka Express", "KSR Bengaluru", "New Delhi", "19:20", "09:00", 2, 1600, DAILY),
    ("12723", "Telangana Express", "Hyderabad", "New Delhi", "06:00", "08:05", 1, 1400, DAILY),
    ("12724", "Telangana Express", "New Delhi", "Hyderabad", "16:00", "17:45", 1, 1400, DAILY),
    ("12002", "Bhopal Shatabdi Express", "New Delhi", "Bhopal", "06:00", "14:25", 0, 1050, DAILY),
    ("12001", "Bhopal Shatabdi Express", "Bhopal", "New Delhi", "15:15", "23:40", 0, 1050, DAILY),
    ("12004", "Lucknow Swarna Shatabdi", "New Delhi", "Lucknow", "06:10", "12:40", 0, 1000, DAILY),
    ("12015", "Ajmer Shatabdi Express", "New Delhi", "Jaipur", "06:10", "10:35", 0, 900, DAILY),
    ("12009", "Ahmedabad Shatabdi Express", "Mumbai Central", "Ahmedabad", "06:20", "12:45", 0, 800, WEEKDAYS[:6]),
    ("12010", "Ahmedabad Shatabdi Express", "Ahmedabad", "Mumbai Central", "15:10", "21:35", 0, 800, WEEKDAYS[:6]),
    ("12027", "Bengaluru Shatabdi Express", "Chennai Central", "KSR Bengaluru", "17:30", "22:25", 0, 750, DAILY),
    ("12028", "Chennai Shatabdi Express", "KSR Bengaluru", "Chennai Central", "06:00", "11:00", 0, 750, DAILY),
    ("12025", "Pune Secunderabad Shatabdi", "Pune", "Hyderabad", "14:15", "22:45", 0, 700, WEEKDAYS[:6]),
    (
        "22439",
        "Vande Bharat Express",
        "New Delhi",
        "Katra",
        "06:00",
        "14:00",
        0,
        1128,
        ["MON", "WED", "THU", "FRI", "SAT", "SUN"],
    ),
    (
        "22440",
        "Vande Bharat Express",
        "Katra",
        "New Delhi",
        "15:00",
        "23:00",
        0,
        1128,
        ["MON", "WED", "THU", "FRI", "SAT", "SUN"],
    ),
    (
        "22436",
        "Vande Bharat Express",
        "New Delhi",
        "Varanasi",
        "06:00",
        "14:00",
        0,
        1128,
        ["TUE", "WED", "FRI", "SAT", "SUN"],
    ),
    (
        "22435",
        "Vande Bharat Express",
        "Varanasi",
        "New Delhi",
        "15:00",
        "23:05",
        0,
        1128,
        ["TUE", "WED", "FRI", "SAT", "SUN"],
    ),
    ("20901", "Gandhinagar Vande Bharat", "Mumbai Central", "Ahmedabad", "06:10", "11:35", 0, 1128, WEEKDAYS[:6]),
    (
        "20607",
        "Mysuru Vande Bharat",
        "Chennai Central",
        "KSR Bengaluru",
        "05:50",
        "10:25",
        0,
        530,
        ["MON", "TUE", "THU", "FRI", "SAT", "SUN"],
    ),
    (
        "22301",
        "Howrah Vande Bharat",
        "Howrah",
        "New Jalpaiguri",
        "05:55",
        "13:25",
        0,
        530,
        ["MON", "TUE", "THU", "FRI", "SAT", "SUN"],
    ),
    ("12263", "Pune Duronto Express", "Pune", "New Delhi", "11:10", "04:55", 1, 800, ["TUE", "FRI"]),
    ("12859", "Gitanjali Express", "Mumbai CSMT", "Howrah", "06:00", "12:30", 1, 1500, DAILY),
    ("12809", "Howrah Mail", "Mumbai CSMT", "Howrah", "21:10", "05:55", 2, 1500, DAILY),
    ("12163", "Chennai Express", "Mumbai CSMT", "Chennai Central", "20:30", "21:40", 1, 1300, DAILY),
    ("11301", "Udyan Express", "Mumbai CSMT", "KSR Bengaluru", "08:10", "06:05", 1, 1400, DAILY),
    ("12309", "Patna Rajdhani Express", "Patna", "New Delhi", "19:10", "07:40", 1, 950, DAILY),
    ("12423", "Dibrugarh Rajdhani Express", "Guwahati", "New Delhi", "06:20", "10:15", 1, 1000, DAILY),
]

CITIES = sorted({station for row in DEMO_TRAINS for station in (row[2], row[3])})
KINDS = ["Express", "Superfast Express", "Mail", "Intercity", "Jan Shatabdi", "Humsafar Express", "Garib Rath"]
FIRST_GENERATED_NUMBER = 30000


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


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
        existing = Train.objects.in_bulk([row[0] for row in DEMO_TRAINS], field_name="train_number")
        changed = 0
        for number, name, source, destination, departs, arrives, offset, seats, days in DEMO_TRAINS:
            wanted = dict(
                name=name,
                source=source,
                destination=destination,
                departure_time=_clock(departs),
                arrival_time=_clock(arrives),
                arrival_day_offset=offset,
                total_seats=seats,
                runs_on_mask=mask_from_codes(days),
            )
            train = existing.get(number)
            # Compared first, so a second run doesn't even touch `updated_at`; a train an operator
            # retired stays retired.
            if train is not None and all(getattr(train, field) == value for field, value in wanted.items()):
                continue
            Train.objects.update_or_create(train_number=number, defaults=wanted)
            changed += 1
        return changed

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
        batch = []
        for number in numbers:
            source, destination = rng.sample(CITIES, 2)
            departs = time(rng.randrange(24), rng.randrange(0, 60, 5))
            minutes = departs.hour * 60 + departs.minute + rng.randrange(180, 36 * 60, 5)
            days = [code for code in WEEKDAYS if rng.random() < 0.6] or [rng.choice(WEEKDAYS)]
            # bulk_create skips Train.save(), so the search keys are filled in here.
            batch.append(
                Train(
                    train_number=number,
                    name=f"{source.split()[0]} {destination.split()[0]} {rng.choice(KINDS)}",
                    source=source,
                    destination=destination,
                    source_key=normalize_station(source),
                    destination_key=normalize_station(destination),
                    departure_time=departs,
                    arrival_time=time((minutes // 60) % 24, minutes % 60),
                    arrival_day_offset=minutes // (24 * 60),
                    total_seats=rng.randrange(200, 1601, 8),
                    runs_on_mask=mask_from_codes(days),
                )
            )
            if len(batch) == BATCH_SIZE:
                Train.objects.bulk_create(batch)
                batch = []
        Train.objects.bulk_create(batch)
        return len(numbers)

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
