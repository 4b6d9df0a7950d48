"""The pages through Django's test client: who may see what, CSRF, and what a refusal looks like.
The whole journeys run in a real browser in tests/browser."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bookings import services
from bookings.models import Booking, Hold
from tests.analytics.logs import installed, logged, new_store
from tests.factories import PASSWORD, make_train, make_user, route
from trains import services as train_services
from trains.layouts import LAYOUTS

pytestmark = pytest.mark.django_db


def travel_date():
    return timezone.localdate() + timedelta(days=7)


def one_passenger_on_seat(seat: int) -> dict:
    """What the passenger page posts for one traveller on `seat`."""
    return {
        "seat": [str(seat)],
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-name": "Asha Rao",
        "form-0-age": "30",
        "form-0-gender": "F",
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_home_page_is_the_search_form_and_serves_its_own_scripts(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'action="/search/"' in html
    assert "/static/web/vendor/htmx.min.js" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert client.get("/static/web/vendor/htmx.min.js").status_code == 200


def test_a_page_search_is_logged_like_an_api_search(client, train):
    with installed(new_store()) as search_logs:
        client.get(
            "/search/", {"source": " new delhi", "destination": "Mumbai Central", "date": travel_date().isoformat()}
        )
        [log] = logged(search_logs)
    assert log["endpoint"] == "/search/"
    assert (log["source"], log["destination"], log["status_code"], log["result_count"]) == (
        "new delhi",
        "mumbai central",
        200,
        1,
    )


def test_a_class_added_through_the_services_shows_in_the_next_page_search(client, train):
    # The page, like the API, works from timetables the process keeps while the timetable
    # counter stands; changing the train's classes moves the counter.
    query = {"source": "New Delhi", "destination": "Mumbai Central", "date": travel_date().isoformat()}
    three_tier = f'<abbr title="{LAYOUTS["3A"].name}">3A</abbr>'  # a result's class, not the form's
    assert three_tier not in client.get("/search/", query).content.decode()
    classes = [{"code": "3A", "coaches": 2, "fare_per_km": "1.50"}]
    train_services.update_train(train_id=train.id, partial=True, classes=classes, total_seats=128)

    assert three_tier in client.get("/search/", query).content.decode()


def test_station_suggestions_come_from_the_timetable(client, train):
    options = client.get("/stations/", {"source": "mum"}).content.decode()
    assert '<option value="Mumbai Central">' in options
    assert "New Delhi" not in options


def test_a_passenger_is_refused_the_dashboard_with_a_page_not_json(user):
    response = signed_in(user).get("/dashboard/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "Not for this account" in response.content.decode()


def test_unknown_pages_are_html_and_unknown_api_paths_stay_json(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "Page not found" in page.content.decode()
    api = client.get("/api/no-such-endpoint/")
    assert api.status_code == 404 and api.json()["code"] == "not_found"


def test_a_crash_on_a_page_renders_the_sites_500_page(client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("bookings.selectors.search_journeys", broken)
    client.raise_request_exception = False
    response = client.get("/search/", {"source": "a", "destination": "b", "date": travel_date().isoformat()})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_sign_in_needs_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/signin/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_sign_in_with_a_wrong_password_says_so_and_signs_nobody_in(client, user):
    response = client.post("/signin/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 400
    assert "Wrong email/username or password." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_registration_never_makes_an_operator(client):
    response = client.post(
        "/register/", {"username": "mallory", "email": "m@example.com", "password": PASSWORD, "role": "ADMIN"}
    )
    assert response.status_code == 302
    from accounts.models import User

    assert User.objects.get(username="mallory").role == User.Role.USER


def test_sign_in_does_not_redirect_to_another_site(client, user):
    response = client.post(
        "/signin/", {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_another_passengers_ticket_hold_and_cancel_are_not_found(user, train):
    booking = services.book_seats(user=make_user("owner"), train=train, travel_date=travel_date(), seats=1)
    hold = services.hold_seats(user=booking.user, train=train, travel_date=travel_date(), seat_numbers=[9])
    intruder = signed_in(user)
    assert intruder.get(f"/bookings/{booking.pk}/").status_code == 404
    assert intruder.post(f"/bookings/{booking.pk}/cancel/").status_code == 404
    assert intruder.get(f"/holds/{hold.pk}/").status_code == 404
    assert intruder.post(f"/holds/{hold.pk}/confirm/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and not Booking.objects.filter(user=user).exists()


def test_holding_a_seat_taken_meanwhile_shows_the_seat_map_with_the_reason(user, train):
    services.book_seats(user=make_user("quicker"), train=train, travel_date=travel_date(), seats=1)  # takes seat 1
    passenger_form = one_passenger_on_seat(1)
    response = signed_in(user).post(f"/trains/{train.pk}/{travel_date().isoformat()}/passengers/", passenger_form)
    assert response.status_code == 409
    assert "Those seats were just taken" in response.content.decode()
    assert not Booking.objects.filter(user=user).exists()


def test_a_ticket_that_has_departed_cannot_be_cancelled_and_says_why(user, train):
    booking = services.book_seats(user=user, train=train, travel_date=travel_date(), seats=1)
    Booking.objects.filter(pk=booking.pk).update(travel_date=timezone.localdate() - timedelta(days=1))
    response = signed_in(user).post(f"/bookings/{booking.pk}/cancel/")
    assert response.status_code == 409
    assert "This journey has departed" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_holding_seats_on_a_train_that_has_left_says_so(user):
    now = timezone.localtime()
    if now.hour == 0 and now.minute < 5:
        pytest.skip("a train that left a few minutes ago would have left yesterday")
    train = make_train(stops=route("Agra", "Bina", start=(now - timedelta(minutes=2)).time()))
    passenger_form = one_passenger_on_seat(1)
    response = signed_in(user).post(f"/trains/{train.pk}/{now.date().isoformat()}/passengers/", passenger_form)
    assert response.status_code == 400
    assert "This train has left" in response.content.decode()
    assert not Booking.objects.exists()


def test_pnr_status_is_public_and_unknown_pnrs_are_told_apart_from_malformed_ones(client, user, train):
    booking = services.book_seats(user=user, train=train, travel_date=travel_date(), seats=2)
    found = client.get("/pnr/", {"pnr": booking.pnr})
    assert found.status_code == 200 and booking.pnr in found.content.decode()
    assert client.get("/pnr/", {"pnr": "0000000000"}).status_code == 404
    assert client.get("/pnr/", {"pnr": "12ab"}).status_code == 400


def test_seats_picked_on_the_map_go_to_the_passengers_by_their_wishes_shown_before_confirming(user):
    train = make_train(stops=route("Agra", "Bina"), classes=[{"code": "3A", "coaches": 1}])
    passengers_url = f"/trains/{train.pk}/{travel_date().isoformat()}/passengers/"
    journey = {"from": "Agra", "to": "Bina", "class": "3A"}
    page = signed_in(user)

    chosen = page.get(passengers_url, {**journey, "seat": ["4", "6", "8"]})
    assert chosen.status_code == 200
    html = chosen.content.decode()
    assert "B1 · berth 4 LB" in html and "B1 · berth 8 SU" in html
    assert "passengers aged 60 or more get the lower berths" in html

    typed = [("Asha Rao", "34", "F", "UB"), ("Kabir Das", "30", "M", ""), ("Meera Iyer", "68", "F", "")]
    form = {**journey, "seat": ["4", "6", "8"], "form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "0"}
    for index, (name, age, gender, preference) in enumerate(typed):
        form.update(
            {
                f"form-{index}-name": name,
                f"form-{index}-age": age,
                f"form-{index}-gender": gender,
                f"form-{index}-berth_preference": preference,
            }
        )
    seating_url = f"/trains/{train.pk}/{travel_date().isoformat()}/seating/"
    incomplete = page.post(seating_url, {**form, "form-2-age": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert "Fill in every passenger" in incomplete
    preview = page.post(seating_url, form, HTTP_HX_REQUEST="true").content.decode()
    assert "<strong>Asha Rao</strong>: B1 · berth 6 UB" in preview
    assert "<strong>Kabir Das</strong>: B1 · berth 8 SU" in preview
    assert "<strong>Meera Iyer</strong>: B1 · berth 4 LB" in preview
    assert not Hold.objects.exists()  # a preview holds nothing

    held = page.post(passengers_url, form)
    assert held.status_code == 302

    confirm_page = page.get(held["Location"]).content.decode()
    rows = [row.split("</tr>")[0] for row in confirm_page.split('<tr class="traveller">')[1:]]
    assert "Asha Rao" in rows[0] and "6 UB" in rows[0]
    assert "Kabir Das" in rows[1] and "8 SU" in rows[1]
    assert "Meera Iyer" in rows[2] and "4 LB" in rows[2]
    assert "Confirm booking" in confirm_page
