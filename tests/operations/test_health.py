import pytest
from django.db import OperationalError

from irctc import health


class _DownConnection:
    def cursor(self):
        raise OperationalError("Can't connect to MySQL server on '127.0.0.1:3306'")


@pytest.mark.django_db
def test_health_is_ok_for_anyone(anon):
    response = anon.get("/api/health/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "mongo": "ok"}


@pytest.mark.django_db
def test_health_ignores_a_bad_token(anon):
    anon.credentials(HTTP_AUTHORIZATION="Bearer garbage")

    assert anon.get("/api/health/").status_code == 200


@pytest.mark.django_db
def test_health_is_503_naming_the_database_when_it_is_down(anon, monkeypatch):
    monkeypatch.setattr(health, "connection", _DownConnection())

    response = anon.get("/api/health/")

    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["mongo"], body["code"]) == ("down", "ok", "database_unavailable")
    assert "database" in body["detail"] and "mongo" not in body["detail"]
    assert response["Retry-After"] == "2"


@pytest.mark.django_db
def test_health_is_503_naming_mongo_when_it_is_down(anon, monkeypatch):
    monkeypatch.setattr(health, "mongo_state", lambda: "down")

    response = anon.get("/api/health/")

    assert response.status_code == 503
    assert (response.json()["database"], response.json()["mongo"]) == ("ok", "down")
    assert response.json()["code"] == "dependency_down"
    assert "mongo" in response.json()["detail"]
