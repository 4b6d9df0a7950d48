"""GET /api/stations/?q= for autocomplete: names as trains spell them, most served first, with their codes."""

import pytest

from tests.factories import make_train
from tests.trains.helpers import stop

pytestmark = pytest.mark.django_db


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def route(*stations):
    """A same-day route calling every half hour from 06:00."""
    stops = [stop(stations[0], departure="06:00")]
    stops += [stop(name, clock(390 + 30 * n), clock(395 + 30 * n)) for n, name in enumerate(stations[1:-1])]
    return stops + [stop(stations[-1], "23:00")]


@pytest.fixture
def network(db):
    make_train(stops=route("New Delhi", "Kota", "Vadodara", "Mumbai Central"))
    make_train(stops=route("New Delhi", "Agra Cantt", "Gwalior"))
    make_train(stops=route("Hazrat Nizamuddin", "Agra Cantt", "Jhansi"))
    make_train(stops=route("new delhi", "Delhi Sarai Rohilla"))
    make_train(stops=route("Old Delhi Junction", "Ambala"), is_active=False)


def test_stations_containing_the_text_most_served_first_as_most_trains_spell_them(user_client, network):
    response = user_client.get("/api/stations/", {"q": "DEL"})

    assert response.status_code == 200
    assert response.json() == [
        {"code": None, "name": "New Delhi", "trains": 3},
        {"code": None, "name": "Delhi Sarai Rohilla", "trains": 1},
    ]


def test_the_text_may_be_anywhere_in_the_name_and_ties_go_by_name(user_client, network):
    response = user_client.get("/api/stations/", {"q": "  a "})

    names = [station["name"] for station in response.json()]
    assert names[0] == "Agra Cantt"
    assert names[1:] == sorted(names[1:], key=str.casefold)
    assert "Ambala" not in names  # only a retired train calls there


def test_at_most_twenty_stations(user_client):
    make_train(stops=route(*[f"Halt {n}" for n in range(25)]))

    response = user_client.get("/api/stations/", {"q": "halt"})

    assert len(response.json()) == 20


def test_no_match_is_an_empty_list_and_wildcards_are_plain_text(user_client, network):
    assert user_client.get("/api/stations/", {"q": "%"}).json() == []
    assert user_client.get("/api/stations/", {"q": "_"}).json() == []
    assert user_client.get("/api/stations/", {"q": "Timbuktu"}).json() == []


def test_a_too_long_query_is_a_400_and_anonymous_is_a_401(user_client, anon, network):
    response = user_client.get("/api/stations/", {"q": "x" * 65})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["q"]
    assert anon.get("/api/stations/", {"q": "del"}).status_code == 401
