"""Station codes: a stop may bring its station's code (2 to 5 capital letters), one code names one
station on every train, and search, the seat map, bookings and holds take a code wherever they
take a station's name."""

import pytest

from irctc import process_memory
from tests.trains.helpers import next_weekday, train_body
from trains.models import Station

pytestmark = pytest.mark.django_db


def coded_route(*calls):
    """Stops every two hours from 06:00 for `(station, code)` pairs (code None: none given)."""
    stops = []
    last = len(calls) - 1
    for index, (station, code) in enumerate(calls):
        stop = {
            "station": station,
            "arrival_time": None if index == 0 else f"{6 + 2 * index:02d}:00",
            "departure_time": None if index == last else f"{6 + 2 * index:02d}:05",
            "distance_km": 100 * index,
        }
        if code:
            stop["station_code"] = code
        stops.append(stop)
    return stops


def create(admin_client, number, *calls):
    body = train_body(train_number=number, runs_on=list(("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")))
    for field in ("source", "destination", "departure_time", "arrival_time", "arrival_day_offset", "total_seats"):
        body.pop(field)
    body["stops"] = coded_route(*calls)
    body["classes"] = [{"code": "SL", "coaches": 1, "fare_per_km": "0.50"}]
    return admin_client.post("/api/trains/", body, format="json")


@pytest.fixture
def coded_network(admin_client):
    assert (
        create(admin_client, "12951", ("New Delhi", "NDLS"), ("Kota", "KOTA"), ("Mumbai Central", "BCT")).status_code
        == 201
    )
    assert create(admin_client, "12953", ("New Delhi", None), ("Vadodara", "BRC"), ("Surat", "ST")).status_code == 201


def test_stops_record_their_codes_once_for_every_train(coded_network):
    assert dict(Station.objects.values_list("code", "name")) == {
        "NDLS": "New Delhi",
        "KOTA": "Kota",
        "BCT": "Mumbai Central",
        "BRC": "Vadodara",
        "ST": "Surat",
    }


def test_a_code_given_with_another_station_is_a_400_and_changes_nothing(admin_client, coded_network):
    response = create(admin_client, "12955", ("Ahmedabad", "NDLS"), ("Surat", None))

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert response.json()["fields"] == {"stops[0].station_code": ["NDLS is the code of New Delhi."]}
    assert Station.objects.count() == 5
    assert admin_client.get("/api/trains/").json()["count"] == 2


def test_a_station_keeps_its_one_code(admin_client, coded_network):
    response = create(admin_client, "12955", ("new  delhi", "DLI"), ("Surat", None))

    assert response.status_code == 400
    assert response.json()["fields"] == {"stops[0].station_code": ["new delhi's code is NDLS."]}


def test_the_same_code_again_is_fine(admin_client, coded_network):
    assert create(admin_client, "12955", ("New Delhi", "NDLS"), ("Surat", "ST")).status_code == 201


@pytest.mark.parametrize("code", ["ndls", "N", "NDLSXY", "ND1", ""])
def test_a_code_is_two_to_five_capital_letters(admin_client, code):
    response = create(admin_client, "12955", ("New Delhi", code or None), ("Surat", None))
    if not code:
        assert response.status_code == 201
        return
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["stops[0].station_code"]


def test_a_new_code_may_not_spell_another_stations_name(admin_client, coded_network):
    response = create(admin_client, "12955", ("Ahmedabad", "KOTB"), ("Agra", "SURAT"), ("Surat", None))

    assert response.status_code == 400
    assert response.json()["fields"] == {"stops[1].station_code": ["SURAT is another station's name."]}


def test_stations_match_a_codes_start_or_any_part_of_a_name(user_client, coded_network):
    by_code = user_client.get("/api/stations/", {"q": "nd"}).json()
    assert by_code[0] == {"code": "NDLS", "name": "New Delhi", "trains": 2}

    by_name = user_client.get("/api/stations/", {"q": "central"}).json()
    assert by_name == [{"code": "BCT", "name": "Mumbai Central", "trains": 1}]


def test_the_station_whose_code_is_asked_comes_first(user_client, coded_network):
    # "st" is in no name but Surat's code is ST; New Delhi is served by more trains.
    assert user_client.get("/api/stations/", {"q": "ST"}).json()[0]["code"] == "ST"


def test_search_takes_codes_in_any_case(user_client, coded_network):
    by_name = user_client.get("/api/trains/search/", {"source": "New Delhi", "destination": "Kota"}).json()
    by_code = user_client.get("/api/trains/search/", {"source": "NDLS", "destination": "kota"}).json()

    assert by_code["count"] == by_name["count"] == 1
    assert by_code["results"][0]["from_station"] == "New Delhi"
    assert by_code["results"][0]["to_station"] == "Kota"


def test_a_code_and_its_stations_name_are_the_same_station(user_client, coded_network):
    response = user_client.get("/api/trains/search/", {"source": "Kota", "destination": "KOTA"})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["destination"]


def test_a_code_nobody_has_is_searched_as_a_name(user_client, coded_network):
    response = user_client.get("/api/trains/search/", {"source": "NDLS", "destination": "XYZ"})

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_the_seat_map_bookings_and_holds_take_codes(user_client, coded_network):
    train_id = user_client.get("/api/trains/search/", {"source": "NDLS", "destination": "BCT"}).json()["results"][0][
        "id"
    ]
    travel_date = next_weekday("WED").isoformat()

    seat_map = user_client.get(
        f"/api/trains/{train_id}/seats/", {"date": travel_date, "from": "NDLS", "to": "KOTA", "class": "SL"}
    )
    assert seat_map.status_code == 200
    assert (seat_map.json()["from_station"], seat_map.json()["to_station"]) == ("New Delhi", "Kota")

    journey = {
        "train": train_id,
        "travel_date": travel_date,
        "class": "SL",
        "from_station": "KOTA",
        "to_station": "BCT",
    }
    booking = user_client.post("/api/bookings/", {**journey, "seats": 1}, format="json")
    assert booking.status_code == 201
    assert (booking.json()["from_station"], booking.json()["to_station"]) == ("Kota", "Mumbai Central")

    passengers = [{"name": "Asha", "age": 30, "gender": "F"}]
    hold = user_client.post("/api/holds/", {**journey, "from_station": "ndls", "passengers": passengers}, format="json")
    assert hold.status_code == 201
    assert hold.json()["from_station"] == "New Delhi"


def test_a_code_written_by_this_process_is_known_to_its_next_search(admin_client, user_client, coded_network):
    user_client.get("/api/trains/search/", {"source": "NDLS", "destination": "BCT"})  # codes now kept
    assert create(admin_client, "12955", ("Vadodara", None), ("Ahmedabad", "ADI")).status_code == 201

    response = user_client.get("/api/trains/search/", {"source": "BRC", "destination": "ADI"})

    assert response.json()["count"] == 1


def test_a_code_written_by_another_process_is_known_once_a_search_sees_the_timetable_move(
    admin_client, user_client, coded_network, monkeypatch
):
    user_client.get("/api/trains/search/", {"source": "NDLS", "destination": "BCT"})
    # Another process's write: this one's kept codes are not told.
    monkeypatch.setattr(process_memory.station_codes, "clear", lambda: None)
    assert create(admin_client, "12955", ("Vadodara", None), ("Ahmedabad", "ADI")).status_code == 201

    user_client.get("/api/trains/search/", {"source": "NDLS", "destination": "BCT"})  # sees the counter move
    response = user_client.get("/api/trains/search/", {"source": "BRC", "destination": "ADI"})

    assert response.json()["count"] == 1


def test_a_search_by_code_costs_no_more_queries_than_by_name(user_client, coded_network):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user_client.get("/api/trains/search/", {"source": "NDLS", "destination": "KOTA"})  # codes now kept
    day = next_weekday("WED")

    with CaptureQueriesContext(connection) as by_name:
        user_client.get("/api/trains/search/", {"source": "New Delhi", "destination": "Mumbai Central", "date": day})
    with CaptureQueriesContext(connection) as by_code:
        user_client.get("/api/trains/search/", {"source": "KOTA", "destination": "BCT", "date": day})

    assert len(by_code) == len(by_name)
