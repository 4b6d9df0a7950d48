"""`top-routes` names stations as trains spell them (docs/api.md, Analytics)."""

import pytest

from tests.analytics.logs import log_entry
from tests.factories import make_train
from tests.trains.helpers import stop
from trains.models import normalize_station

pytestmark = [pytest.mark.urls("tests.analytics.urls"), pytest.mark.django_db]


def test_top_routes_name_stations_as_trains_spell_them(search_logs, admin_client):
    make_train(
        stops=[stop("New Delhi", departure="06:00"), stop("Kota", "11:00", "11:05"), stop("Mumbai Central", "22:00")]
    )
    make_train(source="NEW DELHI", destination="Kota")  # one train's odd spelling loses to the others
    make_train(source="New Delhi", destination="Agra Cantt")
    search_logs.collection().insert_many(
        [log_entry("new delhi", "kota"), log_entry("new delhi", "kota"), log_entry("kota", "nowhere junction")]
    )

    response = admin_client.get("/api/analytics/top-routes/")

    assert response.status_code == 200
    assert response.json() == [
        {"source": "New Delhi", "destination": "Kota", "search_count": 2},
        {"source": "Kota", "destination": "nowhere junction", "search_count": 1},
    ]


def test_a_retired_trains_spelling_does_not_count(search_logs, admin_client):
    make_train(source="DELHI", destination="Agra", is_active=False)
    search_logs.collection().insert_many([log_entry("delhi", "agra")])

    assert admin_client.get("/api/analytics/top-routes/").json() == [
        {"source": "delhi", "destination": "agra", "search_count": 1}
    ]


def test_a_station_no_train_serves_is_named_as_most_of_its_searches_spelled_it(any_search_logs, admin_client):
    def searched(source, destination, times):
        typed = {"source": source, "destination": destination}
        return [
            log_entry(normalize_station(source), normalize_station(destination), params=typed) for _ in range(times)
        ]

    any_search_logs.collection().insert_many(
        [
            *searched("Nowhere Junction", "Kota", 2),
            *searched("NOWHERE JUNCTION", "kota", 1),
            # As a destination too, and typed with stray spaces: one more "Nowhere Junction".
            *searched("Agra", " Nowhere   Junction ", 1),
        ]
    )

    response = admin_client.get("/api/analytics/top-routes/")

    assert response.json() == [
        {"source": "Nowhere Junction", "destination": "Kota", "search_count": 3},
        {"source": "Agra", "destination": "Nowhere Junction", "search_count": 1},
    ]
