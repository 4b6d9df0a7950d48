"""The e-ticket a passenger keeps: a PDF that says the journey, each traveller's coach, berth and
status, the fare, and carries the PNR as a QR code a phone can read; for the booking's owner or
an ADMIN only."""

import io
from decimal import Decimal

import pypdfium2
import pytest
import zxingcpp
from django.test import Client
from pypdf import PdfReader

from bookings import services
from bookings.tickets import _rupees
from tests.bookings.helpers import tomorrow
from tests.conftest import client_for
from tests.factories import make_train, make_user, route

pytestmark = pytest.mark.django_db


@pytest.fixture
def rajdhani():
    return make_train(
        train_number="12952",
        name="Mumbai Rajdhani Express",
        stops=route("New Delhi", "Kota Junction", "Vadodara Junction"),
        classes=[{"code": "3A", "coaches": 1, "fare_per_km": "2.40"}],
    )


def book_family(user, train, **extra):
    return services.book_seats(
        user=user,
        train=train,
        travel_date=tomorrow(),
        class_code="3A",
        passengers=[
            {"name": "Asha Rao", "age": 34, "gender": "F", "berth_preference": "UB"},
            {"name": "Zoë Ødegaard", "age": 68, "gender": "F", "berth_preference": None},
        ],
        **extra,
    )


def text_of(pdf: bytes) -> str:
    [page] = PdfReader(io.BytesIO(pdf)).pages
    return page.extract_text()


def qr_codes_on(pdf: bytes) -> list[str]:
    """What a scanner reads off the first page, drawn as a printer would (200 dpi)."""
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=200 / 72).to_pil().convert("L")
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_the_e_ticket_says_the_journey_the_travellers_berths_and_fare(user, rajdhani):
    booking = book_family(user, rajdhani)

    response = client_for(user).get(f"/api/bookings/{booking.pk}/ticket.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="e-ticket-{booking.pnr}.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = text_of(response.content)
    for expected in (
        booking.pnr,
        "12952 Mumbai Rajdhani Express",
        "New Delhi",
        "Vadodara Junction",
        "3A (AC 3 Tier)",
        "General (GN)",
        "Asha Rao",
        "Zoë Ødegaard",
        f"₹{booking.fare:,}",
    ):
        assert expected in text, expected
    rows = {line.split(" F ")[0]: line for line in text.splitlines() if " F " in line}
    # Asha asked for an upper berth and got 3 UB; Zoë, 68, the lower 1 LB: both in coach B1,
    # confirmed when booked and now.
    assert "B1 3 UB CNF CNF B1/3" in rows["1 Asha Rao 34"]
    assert "B1 1 LB CNF CNF B1/1" in rows["2 Zoë Ødegaard 68"]


def test_the_qr_code_on_the_e_ticket_reads_back_as_the_pnr(user, rajdhani):
    booking = book_family(user, rajdhani)

    pdf = client_for(user).get(f"/api/bookings/{booking.pk}/ticket.pdf").content

    assert qr_codes_on(pdf) == [booking.pnr]


def test_a_waitlisted_ticket_says_its_place_and_no_berth(user):
    train = make_train(stops=route("A", "B"), total_seats=10)  # a waitlist of 2
    for early in ("early1", "early2"):
        services.book_seats(user=make_user(early), train=train, travel_date=tomorrow(), seats=5)
    booking = services.book_seats(user=user, train=train, travel_date=tomorrow(), seats=2, allow_waitlist=True)

    text = text_of(client_for(user).get(f"/api/bookings/{booking.pk}/ticket.pdf").content)

    assert "Waitlisted, position 1 on the waitlist" in text
    # Positions count passengers: the booking's two wait at 1 and 2.
    assert "1 Traveller 1 – – – – WL 1 WL 1" in text
    assert "2 Traveller 2 – – – – WL 2 WL 2" in text


def test_a_cancelled_ticket_says_so_and_keeps_no_berth(user, rajdhani):
    booking = book_family(user, rajdhani)
    services.cancel_booking(booking_id=booking.pk, by=user)

    text = text_of(client_for(user).get(f"/api/bookings/{booking.pk}/ticket.pdf").content)

    assert "Cancelled on " in text
    assert "1 Asha Rao 34 F – – CNF CAN" in text


def test_rac_passengers_say_their_place_as_booked_and_now_and_the_quota(user):
    # 2A: 48 berths, one side lower sold as RAC: 47 confirm, then two share the RAC berth.
    train = make_train(
        stops=route("A", "B"), classes=[{"code": "2A", "coaches": 1, "fare_per_km": "1.75", "rac_berths": 1}]
    )
    others = make_user("others")
    first = None
    for seats in (1, 6, 6, 6, 6, 6, 6, 6, 4):
        booking = services.book_seats(user=others, train=train, travel_date=tomorrow(), seats=seats)
        first = first or booking
    couple = services.book_seats(
        user=user,
        train=train,
        travel_date=tomorrow(),
        passengers=[{"name": "Ravi Rao", "age": 40, "gender": "M"}, {"name": "Meera Rao", "age": 38, "gender": "F"}],
        allow_waitlist=True,
    )
    services.cancel_booking(booking_id=first.pk, by=others)  # berth 1 frees: Ravi moves up to it

    text = text_of(client_for(user).get(f"/api/bookings/{couple.pk}/ticket.pdf").content)

    rows = {line.split(" M ")[0].split(" F ")[0]: line for line in text.splitlines() if "Rao" in line}
    assert rows["1 Ravi Rao 40"].endswith("RAC 1 CNF A1/1")
    assert rows["2 Meera Rao 38"].endswith("RAC 2 RAC 1")


def test_someone_elses_e_ticket_is_not_found_and_an_operator_may_read_it(user, admin_user, rajdhani):
    booking = book_family(make_user("owner"), rajdhani)
    url = f"/api/bookings/{booking.pk}/ticket.pdf"

    refused = client_for(user).get(url, HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 404
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["code"] == "not_found"
    assert client_for(user).get("/api/bookings/999999/ticket.pdf").status_code == 404
    assert Client().get(url).status_code == 401
    operators = client_for(admin_user).get(url, HTTP_ACCEPT="application/pdf")
    assert operators.status_code == 200 and booking.pnr in text_of(operators.content)


def test_the_ticket_page_links_to_the_e_ticket_of_its_owner_only(user, admin_user, rajdhani):
    booking = book_family(user, rajdhani)
    owner = Client()
    owner.force_login(user)

    page = owner.get(f"/bookings/{booking.pk}/").content.decode()
    pdf_url = f"/bookings/{booking.pk}/ticket.pdf"
    assert f'href="{pdf_url}"' in page
    assert 'aria-label="QR code of PNR ' + booking.pnr + '"' in page and "<svg" in page

    pdf = owner.get(pdf_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert qr_codes_on(pdf.content) == [booking.pnr]

    someone = Client()
    someone.force_login(make_user("someone"))
    assert someone.get(pdf_url).status_code == 404
    operator = Client()
    operator.force_login(admin_user)
    assert operator.get(pdf_url).status_code == 200
    assert Client().get(pdf_url).status_code == 302  # to sign in


@pytest.mark.parametrize(
    "amount, text",
    [
        (Decimal("0"), "₹0"),
        (Decimal("999"), "₹999"),
        (Decimal("24114"), "₹24,114"),
        (Decimal("123456"), "₹1,23,456"),
        (Decimal("12345678.5"), "₹1,23,45,678.50"),
    ],
)
def test_fares_are_written_with_indian_digit_grouping(amount, text):
    assert _rupees(amount) == text
