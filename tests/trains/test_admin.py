"""The trains admin: stops and classes inline, checked and saved by the same services as the API."""

import pytest
from django.test import Client

from bookings.models import Booking, Passenger
from tests.factories import make_train, make_user
from tests.trains.helpers import RAJDHANI_CLASSES, RAJDHANI_STOPS, sell
from trains.models import Stop, Train, TrainClass, mask_from_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_site(db):
    client = Client()
    client.force_login(make_user("root", role="ADMIN", is_superuser=True))
    return client


def _inline(prefix: str, rows: list[dict], stored=()) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(stored)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(rows):
        for field, value in row.items():
            data[f"{prefix}-{number}-{field}"] = "" if value is None else str(value)
        if number < len(stored):
            data[f"{prefix}-{number}-id"] = str(stored[number].pk)
    return data


def form_data(*, stops=RAJDHANI_STOPS, classes=RAJDHANI_CLASSES, train=None, **changes) -> dict:
    """The admin's POST for a train, its stops and its classes, as a browser sends them."""
    data = {"train_number": "12951", "name": "Mumbai Rajdhani", "runs_on": ["MON", "FRI"], "total_seats": ""}
    data.update(changes)
    data.update(_inline("stops", stops, list(train.stops.all()) if train else ()))
    data.update(_inline("classes", classes, list(train.classes.all()) if train else ()))
    return data


def errors_of(response) -> str:
    context = response.context
    return " ".join(
        [str(context["adminform"].form.errors)]
        + [
            str(formset.formset.non_form_errors()) + str(formset.formset.errors)
            for formset in context["inline_admin_formsets"]
        ]
    )


def test_admin_adds_a_train_with_its_stops_and_classes(admin_site):
    response = admin_site.post("/admin/trains/train/add/", form_data())

    assert response.status_code == 302, errors_of(response)
    train = Train.objects.get(train_number="12951")
    assert train.runs_on_mask == mask_from_codes(["MON", "FRI"])
    assert (train.source, train.destination, train.arrival_day_offset) == ("Mumbai Central", "New Delhi", 1)
    assert list(train.stops.values_list("station", flat=True)) == [stop["station"] for stop in RAJDHANI_STOPS]
    assert train.total_seats == 968
    assert list(train.classes.values_list("code", "seats")) == [("1A", 24), ("2A", 240), ("3A", 704)]


def test_a_general_train_takes_its_seats_from_total_seats(admin_site):
    response = admin_site.post(
        "/admin/trains/train/add/", form_data(classes=[{"code": "GEN", "coaches": None}], total_seats="120")
    )

    assert response.status_code == 302, errors_of(response)
    assert TrainClass.objects.get().seats == Train.objects.get().total_seats == 120


@pytest.mark.parametrize(
    ("stops", "classes", "message"),
    [
        (
            [RAJDHANI_STOPS[0], {**RAJDHANI_STOPS[1], "arrival_time": "16:00"}, *RAJDHANI_STOPS[2:]],
            RAJDHANI_CLASSES,
            "stops[1].arrival_time",
        ),
        ([RAJDHANI_STOPS[0], {**RAJDHANI_STOPS[1], "station": "MUMBAI central"}], RAJDHANI_CLASSES, "stops[1].station"),
        # The form would take seconds; search and booking work from times rendered as HH:MM.
        (
            [{**RAJDHANI_STOPS[0], "departure_time": "16:55:30"}, *RAJDHANI_STOPS[1:]],
            RAJDHANI_CLASSES,
            "stops[0].departure_time",
        ),
        (RAJDHANI_STOPS, [{"code": "3A", "coaches": None}], "classes[0].coaches"),
        (RAJDHANI_STOPS, [{"code": "GEN", "coaches": None}], "total_seats"),
    ],
)
def test_the_admin_applies_the_services_rules_and_writes_nothing(admin_site, stops, classes, message):
    response = admin_site.post("/admin/trains/train/add/", form_data(stops=stops, classes=classes))

    assert response.status_code == 200
    assert message in errors_of(response)
    assert not Train.objects.exists() and not Stop.objects.exists()


def test_admin_form_checks_the_train_number(admin_site):
    response = admin_site.post("/admin/trains/train/add/", form_data(train_number="१२३४५"))

    assert response.status_code == 200
    assert "train_number" in response.context["adminform"].form.errors
    assert not Train.objects.exists()


def test_admin_edits_stop_times_in_place(admin_site):
    train = make_train(stops=RAJDHANI_STOPS, classes=RAJDHANI_CLASSES, train_number="12951")
    stop_ids = list(train.stops.values_list("pk", flat=True))
    stops = [*RAJDHANI_STOPS[:5], {**RAJDHANI_STOPS[5], "arrival_time": "08:45"}]

    response = admin_site.post(f"/admin/trains/train/{train.id}/change/", form_data(stops=stops, train=train))

    assert response.status_code == 302, errors_of(response)
    train.refresh_from_db()
    assert train.arrival_time.strftime("%H:%M") == "08:45"
    assert list(train.stops.values_list("pk", flat=True)) == stop_ids


def test_admin_cannot_take_coaches_below_a_sold_seat(admin_site):
    train = make_train(stops=RAJDHANI_STOPS, classes=RAJDHANI_CLASSES, train_number="12951")
    sell(train, user=make_user("rider"), class_code="3A", seat_numbers=[100])
    classes = [*RAJDHANI_CLASSES[:2], {**RAJDHANI_CLASSES[2], "coaches": 1}]

    response = admin_site.post(f"/admin/trains/train/{train.id}/change/", form_data(classes=classes, train=train))

    assert response.status_code == 200
    assert "Seat 100 of 3A is sold" in errors_of(response)
    assert train.classes.get(code="3A").coaches == 11


def test_admin_edits_classes_of_a_train_whatever_its_total_seats_field_says(admin_site):
    train = make_train(stops=RAJDHANI_STOPS, classes=RAJDHANI_CLASSES, train_number="12951")
    classes = [*RAJDHANI_CLASSES[:2], {**RAJDHANI_CLASSES[2], "coaches": 12}]

    response = admin_site.post(
        f"/admin/trains/train/{train.id}/change/", form_data(classes=classes, train=train, total_seats="968")
    )

    assert response.status_code == 302, errors_of(response)
    train.refresh_from_db()
    assert train.total_seats == 968 + 64


def test_admin_cannot_drop_a_booked_weekday(admin_site):
    train = make_train(stops=RAJDHANI_STOPS, classes=RAJDHANI_CLASSES, train_number="12951")
    booking = sell(train, user=make_user("rider"), class_code="2A")
    booked_day = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"][booking.run.run_date.weekday()]
    other_days = [day for day in ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] if day != booked_day]

    response = admin_site.post(f"/admin/trains/train/{train.id}/change/", form_data(train=train, runs_on=other_days))

    assert response.status_code == 200
    assert "active bookings on future" in errors_of(response)
    train.refresh_from_db()
    assert train.runs_on_mask == 127


def test_changelist_searches_by_number_name_and_any_station(admin_site):
    rajdhani = make_train(stops=RAJDHANI_STOPS, classes=RAJDHANI_CLASSES, train_number="12951", name="Mumbai Rajdhani")
    make_train(train_number="12002", name="Bhopal Shatabdi", source="New Delhi", destination="Bhopal")

    for term in ("12951", "rajdhani", "mumbai central", "kota"):
        response = admin_site.get("/admin/trains/train/", {"q": term})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [rajdhani]


def test_changelist_filters_on_active(admin_site):
    make_train()
    retired = make_train(is_active=False)

    response = admin_site.get("/admin/trains/train/", {"is_active__exact": "0"})

    assert list(response.context["cl"].result_list) == [retired]


def test_change_page_shows_the_stops_and_classes(admin_site):
    train = make_train(stops=RAJDHANI_STOPS, classes=RAJDHANI_CLASSES)

    response = admin_site.get(f"/admin/trains/train/{train.id}/change/")

    assert response.status_code == 200
    assert "Vadodara" in response.content.decode() and "704" in response.content.decode()


def test_retire_action_goes_through_the_service(admin_site):
    free, booked = make_train(), make_train()
    sell(booked, user=make_user("rider"))

    response = admin_site.post(
        "/admin/trains/train/", {"action": "retire_trains", "_selected_action": [free.pk, booked.pk]}, follow=True
    )

    free.refresh_from_db()
    booked.refresh_from_db()
    assert (free.is_active, booked.is_active) == (False, True)
    notes = [str(message) for message in response.context["messages"]]
    assert any("active bookings on future runs" in note for note in notes)
    assert any("Retired 1 train" in note for note in notes)


# --- bookings admin ------------------------------------------------------------------------------


def test_booking_admin_shows_passengers_with_their_berths_and_filters_by_class(admin_site):
    train = make_train(stops=RAJDHANI_STOPS, classes=RAJDHANI_CLASSES)
    rider = make_user("rider")
    booking = sell(train, user=rider, class_code="3A", seat_numbers=[65, 66], from_index=1, to_index=4)
    Passenger.objects.create(booking=booking, position=1, name="Asha Rao", age=64, gender="F", seat_number=65)
    Passenger.objects.create(booking=booking, position=2, name="Ravi Rao", age=66, gender="M", seat_number=66)
    sell(train, user=rider, class_code="1A")

    page = admin_site.get(f"/admin/bookings/booking/{booking.pk}/change/")
    in_3a = admin_site.get("/admin/bookings/booking/", {"class_code": "3A"})
    by_name = admin_site.get("/admin/bookings/booking/", {"q": "Asha"})

    assert page.status_code == 200
    assert "Asha Rao" in page.content.decode() and "B2 1 LB" in page.content.decode()
    assert list(in_3a.context["cl"].result_list) == [booking]
    assert list(by_name.context["cl"].result_list) == [booking]
    assert Booking.objects.count() == 2


def test_run_admin_lists_runs_by_origin_date(admin_site):
    train = make_train()
    booking = sell(train, user=make_user("rider"))

    response = admin_site.get("/admin/bookings/trainrun/", {"run_date": str(booking.run.run_date)})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [booking.run]


def test_the_admin_shows_each_class_s_pools_and_rac_berths(admin_site):
    train = make_train(
        stops=RAJDHANI_STOPS,
        classes=[
            {
                "code": "SL",
                "coaches": 1,
                "fare_per_km": "0.45",
                "quotas": {"TQ": 12, "SS": 6, "LD": 6},
                "rac_berths": 7,
            },
            {"code": "1A", "coaches": 1, "fare_per_km": "2.90"},
        ],
    )

    listing = admin_site.get("/admin/trains/train/").content.decode()
    change = admin_site.get(f"/admin/trains/train/{train.id}/change/").content.decode()

    # 72 berths: 12 Tatkal, 6 senior citizens', 6 ladies', 7 side lowers sold as RAC, 41 general.
    assert "1A: GN 24; SL: GN 41, TQ 12, SS 6, LD 6, RAC 7" in listing
    assert "GN 41, TQ 12, SS 6, LD 6, RAC 7" in change
    assert "RAC: 23, 31, 39, 47, 55, 63, 71" in change  # the last seven side lowers of the coach
