import pytest

from tests.analytics.logs import logged

pytestmark = pytest.mark.django_db


def test_the_train_search_is_logged_with_its_result_count(search_logs, user_client, train):
    response = user_client.get("/api/trains/search/", {"source": " new DELHI", "destination": "Mumbai Central"})

    assert response.status_code == 200
    [entry] = logged(search_logs)
    assert (entry["source"], entry["destination"]) == ("new delhi", "mumbai central")
    assert entry["result_count"] == response.json()["count"] == 1
