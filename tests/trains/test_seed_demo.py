import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from trains.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TRAINS, LOAD_USER_PASSWORD
from trains.models import Train

pytestmark = pytest.mark.django_db


def snapshot():
    User = get_user_model()
    return (
        list(Train.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values("pk", "username", "email", "role", "password", "is_superuser")),
    )


def test_seed_creates_demo_trains_and_both_demo_accounts(capsys):
    call_command("seed_demo")

    assert Train.objects.count() == len(DEMO_TRAINS) >= 35
    User = get_user_model()
    admin, demo = User.objects.get(username="admin"), User.objects.get(username="demo")
    assert (admin.email, admin.role, admin.is_staff) == ("admin@example.com", "ADMIN", True)
    assert (demo.email, demo.role) == ("demo@example.com", "USER")
    assert admin.check_password(DEMO_PASSWORD) and demo.check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in capsys.readouterr().out


def test_demo_password_passes_the_password_validators():
    User = get_user_model()
    for username in ("admin", "demo"):
        validate_password(DEMO_PASSWORD, user=User(username=username, email=f"{username}@example.com"))


def test_seeding_twice_changes_nothing():
    call_command("seed_demo")
    first = snapshot()

    call_command("seed_demo")

    assert snapshot() == first


def test_demo_trains_are_findable_by_search():
    call_command("seed_demo")

    assert Train.objects.filter(source_key="new delhi", destination_key="mumbai central").count() >= 2
    assert all(train.runs_on for train in Train.objects.all())


def test_generated_trains_have_unique_numbers_and_valid_routes():
    call_command("seed_demo", trains=250)

    generated = Train.objects.exclude(train_number__in=[row[0] for row in DEMO_TRAINS])
    assert generated.count() == 250
    assert len(set(Train.objects.values_list("train_number", flat=True))) == Train.objects.count()
    for train in generated:
        assert train.source_key and train.source_key != train.destination_key
        assert train.arrival_day_offset > 0 or train.arrival_time > train.departure_time


def test_generated_trains_are_added_on_top_of_earlier_ones():
    call_command("seed_demo", trains=10)
    call_command("seed_demo", trains=10)

    assert Train.objects.count() == len(DEMO_TRAINS) + 20


def test_load_users_share_one_known_password_and_are_not_duplicated():
    call_command("seed_demo", users=3)
    call_command("seed_demo", users=5)

    User = get_user_model()
    load_users = User.objects.filter(username__startswith="loaduser")
    assert sorted(load_users.values_list("username", flat=True)) == [f"loaduser{n}" for n in range(1, 6)]
    assert all(user.check_password(LOAD_USER_PASSWORD) and user.role == "USER" for user in load_users)


def test_negative_counts_are_refused():
    with pytest.raises(CommandError):
        call_command("seed_demo", trains=-1)
