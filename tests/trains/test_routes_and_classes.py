"""Trains with stops and classes: what is derived from them, and every rule, with the field named."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_train
from tests.trains.helpers import (
    NOTHING_SET_ASIDE,
    RAJDHANI_CLASSES,
    RAJDHANI_SEATS,
    RAJDHANI_STOPS,
    TRAIN_BODY,
    rajdhani_body,
    stop,
    train_body,
    version_1_answer,
)
from trains.models import Stop, Train, TrainClass

pytestmark = pytest.mark.django_db


def test_a_train_given_by_its_stops_and_classes_derives_its_ends_and_seats(admin_client):
    response = admin_client.post("/api/trains/", rajdhani_body(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert {field: body[field] for field in ("source", "destination", "departure_time", "arrival_time")} == {
        "source": "Mumbai Central",
        "destination": "New Delhi",
        "departure_time": "17:00",
        "arrival_time": "08:32",
    }
    assert body["arrival_day_offset"] == 1
    assert body["total_seats"] == RAJDHANI_SEATS
    assert body["stops"] == RAJDHANI_STOPS
    assert body["classes"] == [
        {"code": "1A", "coaches": 1, "seats": 24, "fare_per_km": "2.90", **NOTHING_SET_ASIDE},
        {"code": "2A", "coaches": 5, "seats": 240, "fare_per_km": "1.75", **NOTHING_SET_ASIDE},
        {"code": "3A", "coaches": 11, "seats": 704, "fare_per_km": "1.20", **NOTHING_SET_ASIDE},
    ]
    train = Train.objects.get(pk=body["id"])
    assert (train.source_key, train.destination_key, train.total_seats) == ("mumbai central", "new delhi", 968)
    assert list(train.stops.values_list("index", "station_key")) == [
        (0, "mumbai central"),
        (1, "surat"),
        (2, "vadodara"),
        (3, "ratlam"),
        (4, "kota"),
        (5, "new delhi"),
    ]
    assert admin_client.get(f"/api/trains/{train.id}/").json() == body


def test_classes_come_back_dearest_first_whatever_order_they_were_sent_in(admin_client):
    response = admin_client.post("/api/trains/", rajdhani_body(classes=list(reversed(RAJDHANI_CLASSES))), format="json")

    assert [travel_class["code"] for travel_class in response.json()["classes"]] == ["1A", "2A", "3A"]


def test_a_version_1_body_gets_a_two_stop_route_and_one_general_class(admin_client):
    response = admin_client.post("/api/trains/", TRAIN_BODY, format="json")

    assert response.json() == version_1_answer(response.json()["id"])


def test_a_route_without_distances_is_fine(admin_client):
    stops = [{**entry, "distance_km": None} for entry in RAJDHANI_STOPS]

    response = admin_client.post("/api/trains/", rajdhani_body(stops=stops), format="json")

    assert response.status_code == 201, response.json()
    assert all(entry["distance_km"] is None for entry in response.json()["stops"])


def test_omitted_stop_fields_default_to_null_times_day_zero_and_no_distance(admin_client):
    stops = [{"station": "Agra Cantt", "departure_time": "06:00"}, {"station": "Gwalior", "arrival_time": "07:30"}]

    response = admin_client.post("/api/trains/", train_body(stops=stops) | {"source": "Agra Cantt"}, format="json")

    assert response.status_code == 400  # the body's other version-1 fields disagree with these stops
    body = {"train_number": "12001", "name": "Shuttle", "total_seats": 100, "stops": stops}
    response = admin_client.post("/api/trains/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["stops"][1] == stop("Gwalior", "07:30")


def test_version_1_fields_sent_with_stops_that_agree_are_accepted(admin_client):
    body = rajdhani_body(
        source=" mumbai central ",
        destination="New Delhi",
        departure_time="17:00",
        arrival_time="08:32",
        arrival_day_offset=1,
        total_seats=RAJDHANI_SEATS,
    )

    response = admin_client.post("/api/trains/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["source"] == "Mumbai Central"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("source", "Surat"),
        ("destination", "Kota"),
        ("departure_time", "17:05"),
        ("arrival_time", "08:30"),
        ("arrival_day_offset", 0),
        ("total_seats", RAJDHANI_SEATS - 1),
    ],
)
def test_version_1_fields_that_disagree_with_stops_or_classes_are_a_400_naming_them(admin_client, field, value):
    response = admin_client.post("/api/trains/", rajdhani_body(**{field: value}), format="json")

    assert response.status_code == 400, response.json()
    assert list(response.json()["fields"]) == [field]
    assert not Train.objects.exists()


def _with_stop(index, **changes):
    def change(body):
        body["stops"][index].update(changes)

    return change


def _set(key, value):
    def change(body):
        body[key] = value

    return change


def _with_class(index, **changes):
    def change(body):
        body["classes"][index].update(changes)

    return change


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_set("stops", RAJDHANI_STOPS[:1]), "stops"),
        (_set("stops", []), "stops"),
        (_set("stops", [stop(f"Halt {n}", "10:00", "10:01") for n in range(31)]), "stops"),
        (_set("stops", "Mumbai Central, New Delhi"), "stops"),
        (_set("stops", [RAJDHANI_STOPS[0], "Surat", RAJDHANI_STOPS[-1]]), "stops[1]"),
        (_with_stop(2, station="  SURAT "), "stops[2].station"),
        (_with_stop(2, station=""), "stops[2].station"),
        (_with_stop(2, station=None), "stops[2].station"),
        (_with_stop(0, arrival_time="16:50"), "stops[0].arrival_time"),
        (_with_stop(1, arrival_time=None), "stops[1].arrival_time"),
        (_with_stop(2, departure_time=None), "stops[2].departure_time"),
        (_with_stop(5, departure_time="08:40"), "stops[5].departure_time"),
        (_with_stop(0, departure_time=None), "stops[0].departure_time"),
        (_with_stop(1, departure_time="7:48"), "stops[1].departure_time"),
        (_with_stop(1, arrival_time="19:43:00"), "stops[1].arrival_time"),
        (_with_stop(5, day_offset=4), "stops[5].day_offset"),
        (_with_stop(3, day_offset=-1), "stops[3].day_offset"),
        (_with_stop(3, day_offset="one"), "stops[3].day_offset"),
        # Moments along the route must strictly increase.
        (_with_stop(1, arrival_time="16:00"), "stops[1].arrival_time"),
        (_with_stop(1, arrival_time="17:00"), "stops[1].arrival_time"),
        (_with_stop(4, day_offset=0), "stops[4].arrival_time"),
        (_with_stop(5, day_offset=0), "stops[5].arrival_time"),
        (_with_stop(3, day_offset=0), "stops[3].day_offset"),  # a halt over midnight on day 0
        (_with_stop(2, arrival_time="21:16"), "stops[2].departure_time"),  # no halt at all
        # Distances: from 0, strictly increasing, on every stop or none.
        (_with_stop(0, distance_km=5), "stops[0].distance_km"),
        (_with_stop(2, distance_km=263), "stops[2].distance_km"),
        (_with_stop(2, distance_km=100), "stops[2].distance_km"),
        (_with_stop(3, distance_km=None), "stops[3].distance_km"),
        (_with_stop(3, distance_km=-1), "stops[3].distance_km"),
        (_with_stop(3, distance_km=1.5), "stops[3].distance_km"),
        # Classes.
        (_set("classes", []), "classes"),
        (_set("classes", {"code": "3A"}), "classes"),
        (_with_class(0, code="EC"), "classes[0].code"),
        (_with_class(1, code="1A"), "classes[1].code"),
        (_with_class(0, coaches=0), "classes[0].coaches"),
        (_with_class(0, coaches=31), "classes[0].coaches"),
        (_with_class(2, coaches=None), "classes[2].coaches"),
        (_with_class(0, fare_per_km="-1.00"), "classes[0].fare_per_km"),
        (_with_class(0, fare_per_km="cheap"), "classes[0].fare_per_km"),
        (_with_class(0, fare_per_km="1.234"), "classes[0].fare_per_km"),
        (_set("classes", [*RAJDHANI_CLASSES, {"code": "GEN"}]), "classes[3].code"),
        (_set("classes", [{"code": "GEN", "coaches": 2}]), "classes[0].coaches"),
        (_set("classes", [{"code": "GEN"}]), "total_seats"),
        (
            _set(
                "classes", [{"code": "SL", "coaches": 30}, {"code": "3A", "coaches": 30}, {"code": "2A", "coaches": 20}]
            ),
            "classes",
        ),
    ],
)
def test_a_bad_route_or_class_is_a_400_naming_the_field_and_writes_nothing(admin_client, change, field):
    body = rajdhani_body()
    change(body)

    response = admin_client.post("/api/trains/", body, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"], response.json()
    assert response.json()["detail"]
    assert not Train.objects.exists() and not Stop.objects.exists() and not TrainClass.objects.exists()


def test_the_largest_train_is_accepted(admin_client):
    classes = [{"code": "SL", "coaches": 30}, {"code": "3A", "coaches": 30}, {"code": "1A", "coaches": 30}]
    stops = [stop("Origin", departure="00:00", km=0)]
    stops += [
        stop(f"Halt {n}", f"{n // 2:02d}:{(n % 2) * 30 + 10:02d}", f"{n // 2:02d}:{(n % 2) * 30 + 20:02d}", km=n)
        for n in range(1, 29)
    ]
    stops.append(stop("Terminus", "23:59", day=3, km=5000))

    response = admin_client.post("/api/trains/", rajdhani_body(stops=stops, classes=classes), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["total_seats"] == 30 * 72 + 30 * 64 + 30 * 24 == 4800
    assert len(response.json()["stops"]) == 30


def test_a_general_class_round_trips_through_put(admin_client, train):
    shown = admin_client.get(f"/api/trains/{train.id}/").json()

    response = admin_client.put(f"/api/trains/{train.id}/", shown, format="json")

    assert response.status_code == 200, response.json()
    assert response.json() == shown


# --- changes -------------------------------------------------------------------------------------


@pytest.fixture
def rajdhani(db):
    return make_train(**{key: value for key, value in rajdhani_body(runs_on_mask=127).items() if key != "runs_on"})


def test_patching_the_name_keeps_stops_and_classes(admin_client, rajdhani):
    before = admin_client.get(f"/api/trains/{rajdhani.id}/").json()

    response = admin_client.patch(f"/api/trains/{rajdhani.id}/", {"name": "Rajdhani"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json() == {**before, "name": "Rajdhani"}


def test_patching_the_departure_time_moves_the_first_stop(admin_client, rajdhani):
    response = admin_client.patch(f"/api/trains/{rajdhani.id}/", {"departure_time": "16:35"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["stops"][0]["departure_time"] == "16:35"
    assert response.json()["stops"][1:] == RAJDHANI_STOPS[1:]


def test_patching_a_v1_field_into_an_impossible_route_names_that_field(admin_client, rajdhani):
    response = admin_client.patch(f"/api/trains/{rajdhani.id}/", {"arrival_day_offset": 0}, format="json")

    assert response.status_code == 400
    # The last stop would arrive on day 0, before the train left Kota: named as version 1 named it.
    assert list(response.json()["fields"]) == ["arrival_time"]


def test_total_seats_of_a_train_with_classes_follows_its_classes(admin_client, rajdhani):
    refused = admin_client.patch(f"/api/trains/{rajdhani.id}/", {"total_seats": 1000}, format="json")
    same = admin_client.patch(f"/api/trains/{rajdhani.id}/", {"total_seats": RAJDHANI_SEATS}, format="json")
    more_coaches = admin_client.patch(
        f"/api/trains/{rajdhani.id}/",
        {"classes": [{**RAJDHANI_CLASSES[0], "coaches": 2}, *RAJDHANI_CLASSES[1:]]},
        format="json",
    )

    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["total_seats"]
    assert same.status_code == 200
    assert more_coaches.status_code == 200, more_coaches.json()
    assert more_coaches.json()["total_seats"] == RAJDHANI_SEATS + 24
    assert rajdhani.classes.get(code="1A").seats == 48


def test_changing_times_and_distances_updates_the_stops_in_place(admin_client, rajdhani):
    stop_ids = list(rajdhani.stops.values_list("pk", flat=True))
    class_ids = list(rajdhani.classes.values_list("pk", flat=True))
    stops = [{**entry, "distance_km": None} for entry in RAJDHANI_STOPS]
    stops[5]["arrival_time"] = "08:40"

    response = admin_client.patch(f"/api/trains/{rajdhani.id}/", {"stops": stops}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["arrival_time"] == "08:40"
    assert list(rajdhani.stops.values_list("pk", flat=True)) == stop_ids
    assert list(rajdhani.classes.values_list("pk", flat=True)) == class_ids
    rajdhani.refresh_from_db()
    assert rajdhani.arrival_time.strftime("%H:%M") == "08:40"


def test_stops_can_be_reordered_added_and_removed_while_nothing_is_booked(admin_client, rajdhani):
    reverse = [
        stop("New Delhi", departure="16:55", km=0),
        stop("Kota", "21:40", "21:50", km=465),
        stop("Vadodara", "03:40", "03:50", day=1, km=992),
        stop("Bharuch", "04:40", "04:42", day=1, km=1062),
        stop("Mumbai Central", "08:35", day=1, km=1386),
    ]

    response = admin_client.put(
        f"/api/trains/{rajdhani.id}/", rajdhani_body(stops=reverse, train_number=rajdhani.train_number), format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["stops"] == reverse
    assert (response.json()["source"], response.json()["destination"]) == ("New Delhi", "Mumbai Central")
    assert list(rajdhani.stops.values_list("station", flat=True)) == [entry["station"] for entry in reverse]


def test_a_version_1_put_makes_any_train_a_two_stop_general_train(admin_client, rajdhani):
    response = admin_client.put(f"/api/trains/{rajdhani.id}/", train_body(train_number=rajdhani.train_number))

    assert response.status_code == 200, response.json()
    assert response.json() == version_1_answer(rajdhani.id, train_body(train_number=rajdhani.train_number))
    assert rajdhani.stops.count() == 2 and list(rajdhani.classes.values_list("code", flat=True)) == ["GEN"]


def test_every_change_bumps_updated_at(admin_client, rajdhani):
    before = Train.objects.get(pk=rajdhani.pk).updated_at
    classes = [{**entry, "fare_per_km": "3.10"} if entry["code"] == "1A" else entry for entry in RAJDHANI_CLASSES]

    admin_client.patch(f"/api/trains/{rajdhani.id}/", {"classes": classes}, format="json")

    assert Train.objects.get(pk=rajdhani.pk).updated_at > before
    assert str(rajdhani.classes.get(code="1A").fare_per_km) == "3.10"


def test_a_page_of_trains_costs_the_same_queries_as_one(user_client):
    make_train(**{key: value for key, value in rajdhani_body().items() if key != "runs_on"})
    user_client.get("/api/auth/me/")  # the token's first request also reads (and caches) its user
    with CaptureQueriesContext(connection) as one:
        user_client.get("/api/trains/")
    for number in range(5):
        make_train(stops=RAJDHANI_STOPS, classes=RAJDHANI_CLASSES, train_number=f"2000{number}")
    with CaptureQueriesContext(connection) as six:
        response = user_client.get("/api/trains/")

    assert response.json()["count"] == 6
    assert all(len(train["stops"]) == 6 and len(train["classes"]) == 3 for train in response.json()["results"])
    assert len(six.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stops": [{"departure_time": "06:00"}, {"station": "Kota", "arrival_time": "11:00"}]}, "stops[0].station"),
        ({"classes": [{"coaches": 2}]}, "classes[0].code"),
    ],
)
def test_a_patch_still_needs_the_station_of_each_stop_and_the_code_of_each_class(admin_client, rajdhani, body, field):
    response = patch_train(admin_client, rajdhani, body)

    assert response.status_code == 400, response.json()
    assert list(response.json()["fields"]) == [field]


def test_a_patch_of_stops_alone_fills_in_what_an_entry_leaves_out(admin_client, rajdhani):
    stops = [
        {"station": "Mumbai Central", "departure_time": "17:00"},
        {"station": "New Delhi", "arrival_time": "08:32", "day_offset": 1},
    ]

    response = patch_train(admin_client, rajdhani, {"stops": stops})

    assert response.status_code == 200, response.json()
    assert response.json()["stops"][1] == stop("New Delhi", "08:32", day=1)


def patch_train(client, train, body):
    return client.patch(f"/api/trains/{train.id}/", body, format="json")
