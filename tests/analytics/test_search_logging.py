from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import override_settings

from tests.analytics.logs import logged
from tests.analytics.urls import STAND_IN_RESULTS

pytestmark = [pytest.mark.urls("tests.analytics.urls"), pytest.mark.django_db]

SEARCH = "/api/trains/search/"


def test_a_search_is_logged_with_every_documented_field(search_logs, user, user_client):
    travel_date = (date.today() + timedelta(days=3)).isoformat()
    before = datetime.now(UTC)

    response = user_client.get(SEARCH, {"source": " New  Delhi ", "destination": "MUMBAI Central", "date": travel_date})

    assert response.status_code == 200
    [entry] = logged(search_logs)
    assert entry["endpoint"] == SEARCH
    assert entry["method"] == "GET"
    assert entry["params"] == {"source": " New  Delhi ", "destination": "MUMBAI Central", "date": travel_date}
    assert entry["source"] == "new delhi"
    assert entry["destination"] == "mumbai central"
    assert entry["travel_date"] == travel_date
    assert entry["user_id"] == user.id
    assert entry["status_code"] == 200
    assert entry["result_count"] == len(STAND_IN_RESULTS)
    assert isinstance(entry["execution_time_ms"], float) and entry["execution_time_ms"] >= 0
    # MongoDB keeps milliseconds, so compare at that precision.
    assert before - timedelta(milliseconds=1) <= entry["timestamp"] <= datetime.now(UTC)


def test_an_anonymous_search_is_logged_without_a_user(search_logs, anon):
    response = anon.get(SEARCH, {"source": "Delhi", "destination": "Agra"})

    assert response.status_code == 401
    [entry] = logged(search_logs)
    assert (entry["user_id"], entry["status_code"], entry["result_count"]) == (None, 401, None)
    assert (entry["source"], entry["destination"]) == ("delhi", "agra")


def test_a_rejected_search_is_logged_with_what_it_named(search_logs, user_client):
    response = user_client.get(SEARCH, {"source": "Delhi", "date": "next tuesday"})

    assert response.status_code == 400
    [entry] = logged(search_logs)
    assert (entry["source"], entry["destination"], entry["travel_date"]) == ("delhi", None, None)
    assert (entry["status_code"], entry["result_count"]) == (400, None)


def test_huge_or_hostile_query_strings_are_stored_bounded(search_logs, user_client):
    params = {"source": "D" * 5000, "destination": "Agra", "a.b": "dotted", "$where": "1"}
    params.update({f"extra{index}": "x" for index in range(50)})

    user_client.get(SEARCH, params)

    [entry] = logged(search_logs)
    assert len(entry["params"]) == 20
    assert len(entry["params"]["source"]) == 200
    assert len(entry["source"]) == 200
    assert entry["params"]["a_b"] == "dotted"
    assert entry["params"]["_where"] == "1"


def test_a_query_string_django_refuses_is_a_400_and_still_logged(search_logs, user_client):
    response = user_client.get(SEARCH + "?" + "&".join(f"p{index}=x" for index in range(1500)))

    assert response.status_code == 400
    [entry] = logged(search_logs)
    assert (entry["status_code"], entry["params"]) == (400, {})


def test_each_request_gets_its_own_entry(search_logs, user_client):
    for source in ("Delhi", " delhi ", "DELHI"):
        user_client.get(SEARCH, {"source": source, "destination": "Agra"})

    entries = logged(search_logs)

    assert [(entry["source"], entry["destination"]) for entry in entries] == [("delhi", "agra")] * 3


def test_other_paths_are_not_logged(search_logs, user_client):
    assert user_client.get("/api/trains/", {"source": "Delhi"}).status_code == 200

    assert logged(search_logs) == []


@override_settings(SEARCH_LOG_ENABLED=False)
def test_logging_can_be_switched_off(search_logs, user_client):
    assert user_client.get(SEARCH, {"source": "Delhi", "destination": "Agra"}).status_code == 200

    assert logged(search_logs) == []
