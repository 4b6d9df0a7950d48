import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from trains import services
from trains.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TRAINS, LOAD_USER_PASSWORD
from trains.management.demo_trains import STATION_CODES, STATIONS
from trains.models import Station, Stop, Train, TrainClass

pytestmark = pytest.mark.django_db


def snapshot():
    User = get_user_model()
    return (
        list(Train.objects.order_by("pk").values()),
        list(Stop.objects.order_by("pk").values()),
        list(TrainClass.objects.order_by("pk").values()),
        list(Station.objects.order_by("pk").values()),
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
    assert Stop.objects.filter(station_key="kota").count() >= 5
    assert all(train.runs_on for train in Train.objects.all())


def test_demo_stations_carry_their_real_codes(user_client):
    call_command("seed_demo")

    assert set(STATION_CODES) <= set(STATIONS)
    assert len(set(STATION_CODES.values())) == len(STATION_CODES)
    assert Station.objects.get(code="NDLS").name == "New Delhi"
    assert user_client.get("/api/stations/", {"q": "BCT"}).json()[0]["name"] == "Mumbai Central"
    by_code = user_client.get("/api/trains/search/", {"source": "NDLS", "destination": "KOTA"}).json()
    by_name = user_client.get("/api/trains/search/", {"source": "New Delhi", "destination": "Kota"}).json()
    assert by_code["count"] == by_name["count"] >= 2


def route_of(train) -> list[dict]:
    return [{field: getattr(stop, field) for field in services.STOP_FIELDS} for stop in train.stops.all()]


def assert_consistent(train) -> None:
    """The stops pass the API's rules and the summary columns say what the stops and classes say."""
    stops = route_of(train)
    assert services.route_errors(stops) == {}, (train.train_number, services.route_errors(stops))
    assert (train.source, train.destination) == (stops[0]["station"], stops[-1]["station"])
    assert (train.departure_time, train.arrival_time) == (stops[0]["departure_time"], stops[-1]["arrival_time"])
    assert train.arrival_day_offset == stops[-1]["day_offset"]
    assert train.total_seats == sum(travel_class.seats for travel_class in train.classes.all())
    assert all(stop.station_key for stop in train.stops.all())


def test_demo_trains_call_at_their_real_intermediate_stations_with_real_classes():
    call_command("seed_demo")

    rajdhani = Train.objects.get(train_number="12951")
    assert [stop.station for stop in rajdhani.stops.all()] == [
        "Mumbai Central",
        "Surat",
        "Vadodara",
        "Ratlam",
        "Kota",
        "New Delhi",
    ]
    kota = rajdhani.stops.get(station="Kota")
    assert (kota.day_offset, kota.distance_km) == (1, 919)
    assert [(c.code, c.seats, str(c.fare_per_km)) for c in rajdhani.classes.all()] == [
        ("1A", 24, "2.90"),
        ("2A", 240, "1.75"),
        ("3A", 704, "1.20"),
    ]
    reverse = Train.objects.get(train_number="12952")
    assert [stop.station for stop in reverse.stops.all()][:2] == ["New Delhi", "Kota"]
    assert list(Train.objects.get(train_number="12002").classes.values_list("code", flat=True)) == ["CC"]
    assert list(Train.objects.get(train_number="12809").classes.values_list("code", flat=True)) == ["2A", "3A", "SL"]
    for train in Train.objects.prefetch_related("stops", "classes"):
        assert 3 <= train.stops.count() <= 8
        assert_consistent(train)


def test_generated_trains_have_unique_numbers_and_valid_routes_of_demo_stations():
    call_command("seed_demo", trains=250)

    generated = Train.objects.exclude(train_number__in=[row[0] for row in DEMO_TRAINS])
    assert generated.count() == 250
    assert len(set(Train.objects.values_list("train_number", flat=True))) == Train.objects.count()
    for train in generated.prefetch_related("stops", "classes"):
        assert 3 <= train.stops.count() <= 6
        assert {stop.station for stop in train.stops.all()} <= set(STATIONS)
        assert train.classes.exists()
        assert_consistent(train)


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


def test_the_premium_trains_are_superfast_as_on_indian_railways():
    call_command("seed_demo")

    premium = ("Rajdhani", "Shatabdi", "Duronto", "Vande Bharat")
    trains = list(Train.objects.all())
    assert all(train.superfast for train in trains if any(kind in train.name for kind in premium))
    assert Train.objects.get(train_number="11301").superfast is False  # the Udyan Express is not


def test_seeding_again_brings_superfast_up_to_date():
    call_command("seed_demo")
    Train.objects.filter(train_number="12951").update(superfast=False)

    call_command("seed_demo")

    assert Train.objects.get(train_number="12951").superfast is True


def test_demo_classes_set_seats_aside_as_indian_railways_do():
    call_command("seed_demo")

    rajdhani = {c.code: c for c in Train.objects.get(train_number="12951").classes.all()}
    assert rajdhani["1A"].quotas == {"TQ": 0, "SS": 0, "LD": 0} and rajdhani["1A"].rac_berths == 0
    assert rajdhani["2A"].quotas["TQ"] > 0 and rajdhani["2A"].quotas["SS"] > 0 and rajdhani["2A"].rac_berths == 0
    assert rajdhani["3A"].quotas["TQ"] > 0 and rajdhani["3A"].quotas["LD"] > 0 and rajdhani["3A"].rac_berths > 0
    sleeper = Train.objects.get(train_number="12903").classes.get(code="SL")
    assert all(sleeper.quotas.values()) and sleeper.rac_berths > 0
    assert Train.objects.get(train_number="12002").classes.get(code="CC").quotas["TQ"] > 0
    # Every Rajdhani is superfast: Tatkal on it pays both charges.
    assert all(t.superfast for t in Train.objects.filter(name__contains="Rajdhani"))


def test_seeding_again_brings_quotas_up_to_date():
    call_command("seed_demo")
    TrainClass.objects.filter(train__train_number="12951", code="3A").update(quota_tq=0, rac_berths=0)

    call_command("seed_demo")

    rajdhani_3a = TrainClass.objects.get(train__train_number="12951", code="3A")
    assert rajdhani_3a.quota_tq > 0 and rajdhani_3a.rac_berths > 0


def test_generated_trains_set_nothing_aside():
    call_command("seed_demo", trains=20)

    generated = TrainClass.objects.exclude(train__train_number__in=[row[0] for row in DEMO_TRAINS])
    assert generated.exists()
    assert not generated.exclude(quota_tq=0, quota_ss=0, quota_ld=0, rac_berths=0).exists()
