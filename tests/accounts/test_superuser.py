import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from tests.factories import PASSWORD, make_user

User = get_user_model()


@pytest.mark.django_db
def test_createsuperuser_makes_an_admin_with_django_admin_access(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    call_command("createsuperuser", interactive=False, username="root", email="Root@Example.com", verbosity=0)

    root = User.objects.get(username="root")
    assert (root.role, root.is_staff, root.is_superuser, root.email) == ("ADMIN", True, True, "root@example.com")
    assert client.login(username="root", password=PASSWORD)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_createsuperuser_refuses_a_username_taken_in_another_case(monkeypatch):
    make_user("root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    with pytest.raises(CommandError):
        call_command("createsuperuser", interactive=False, username="ROOT", email="r2@example.com", verbosity=0)
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_a_superuser_signs_in_to_the_api_as_admin(anon, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, username="root", email="root@example.com", verbosity=0)

    response = anon.post("/api/auth/login/", {"email": "root@example.com", "password": PASSWORD})

    assert response.json()["user"]["role"] == "ADMIN"


@pytest.mark.django_db
def test_a_passenger_has_no_django_admin_access(client):
    make_user("asha")
    client.login(username="asha", password=PASSWORD)

    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_the_database_keeps_emails_unique_whatever_their_case():
    make_user("asha", email="asha@example.com")

    with pytest.raises(IntegrityError):
        make_user("other", email="ASHA@EXAMPLE.COM")


@pytest.mark.django_db
def test_the_database_keeps_usernames_unique_whatever_their_case():
    make_user("asha")

    with pytest.raises(IntegrityError):
        make_user("ASHA", email="other@example.com")
