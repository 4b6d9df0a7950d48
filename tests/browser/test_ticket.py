"""Seats for the right people and a ticket to keep, in a real browser: seats picked on the map go
to the passengers by their wishes, shown before confirming; the ticket page links its PDF
e-ticket and prints as the ticket alone, black on white, with its QR code."""

import io

from pypdf import PdfReader

from bookings import services
from bookings.models import Booking
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.browser.helpers import demo_trains, next_week, open_seat_map, seat, sign_in
from tests.factories import make_user

# What print media must look like on the ticket page, read from the computed styles.
PRINT_STYLES = """() => {
    const shown = (selector) => {
        const element = document.querySelector(selector);
        if (!element) return null;
        const box = element.getBoundingClientRect();
        return getComputedStyle(element).display !== "none" && box.width > 0 && box.height > 0;
    };
    const qr = document.querySelector(".ticket-qr svg").getBoundingClientRect();
    const body = getComputedStyle(document.body);
    return {
        header: shown(".site-header"),
        footer: shown(".site-footer"),
        actions: shown(".actions"),
        ticket: shown(".ticket"),
        qr: shown(".ticket-qr svg"),
        qrSquare: Math.round(qr.width) === Math.round(qr.height) && qr.width >= 90,
        qrInView: qr.right <= document.documentElement.clientWidth,
        color: body.color,
        background: body.backgroundColor,
        pnrColor: getComputedStyle(document.querySelector("h1 .pnr")).color,
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    };
}"""


def test_chosen_berths_go_by_wishes_and_the_ticket_is_a_pdf_and_prints_cleanly(tab):
    train = demo_trains()
    travel_date = next_week()
    make_user("meera")
    sign_in(tab, "meera")
    page = tab.page

    # Berths 4 (LB), 6 (UB) and 8 (SU) of coach B1, for three people typed in the order.
    open_seat_map(tab, train, travel_date, code="3A")
    for number in (4, 6, 8):
        seat(page, number).click()
    with tab.submitted("passengers-chosen-berths"):
        page.get_by_role("button", name="Continue to passengers").click()
    assert page.locator(".berth-list li").all_inner_texts() == [
        "B1 · berth 4 LB",
        "B1 · berth 6 UB",
        "B1 · berth 8 SU",
    ]
    typed = [
        ("Asha Rao", "34", "Female", "Upper"),
        ("Kabir Das", "30", "Male", None),
        ("Meera Iyer", "68", "Female", None),
    ]
    for index, (name, age, gender, berth) in enumerate(typed):
        passenger = page.get_by_role("group", name=f"Passenger {index + 1}")
        passenger.get_by_label("Full name").fill(name)
        passenger.get_by_label("Age").fill(age)
        passenger.get_by_label("Gender").select_option(label=gender)
        if berth:
            passenger.get_by_label("Berth preference").select_option(label=berth)
    # Who sits where shows as the passengers are typed in, before anything is held.
    page.wait_for_function("document.querySelectorAll('#seating li').length === 3")
    assert page.locator("#seating li").all_inner_texts() == [
        "Asha Rao: B1 · berth 6 UB",
        "Kabir Das: B1 · berth 8 SU",
        "Meera Iyer: B1 · berth 4 LB",
    ]
    tab.check("passengers-who-sits-where")
    with tab.submitted("hold-who-sits-where"):
        page.get_by_role("button", name="Hold these seats").click()
    assert [row.inner_text().split("\t") for row in page.locator("tr.traveller").all()] == [
        ["1", "Asha Rao", "34 F", "B1", "6 UB (asked for UB)"],
        ["2", "Kabir Das", "30 M", "B1", "8 SU"],
        ["3", "Meera Iyer", "68 F", "B1", "4 LB"],
    ]

    with tab.submitted("ticket-with-qr"):
        page.get_by_role("button", name="Confirm booking").click()
    booking = Booking.objects.get()
    assert page.get_by_role("img", name=f"QR code of PNR {booking.pnr}").is_visible()

    # The PDF link, followed with the page's own session.
    link = page.get_by_role("link", name="E-ticket (PDF)")
    pdf = page.context.request.get(tab.base_url + link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    for expected in (booking.pnr, "12952 Mumbai Rajdhani Express", "Kota Junction", "Vadodara Junction"):
        assert expected in text
    assert "Asha Rao 34 F B1 6 UB CNF CNF B1/6" in text
    assert "Meera Iyer 68 F B1 4 LB CNF CNF B1/4" in text

    page.emulate_media(media="print")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        styles = page.evaluate(PRINT_STYLES)
        assert styles == {
            "header": False,
            "footer": False,
            "actions": False,
            "ticket": True,
            "qr": True,
            "qrSquare": True,
            "qrInView": True,
            "color": "rgb(0, 0, 0)",
            "background": "rgb(255, 255, 255)",
            "pnrColor": "rgb(0, 0, 0)",
            "overflow": 0,
        }, viewport
        page.screenshot(path=str(SCREENSHOTS / f"ticket-print-{viewport['width']}.png"), full_page=True)
    # Printed to PDF by Chromium itself: one page, the ticket's words, none of the navigation.
    printed = PdfReader(io.BytesIO(page.pdf(format="A4"))).pages
    printed_text = "\n".join(sheet.extract_text() for sheet in printed)
    assert len(printed) == 1
    assert booking.pnr in printed_text and "Meera Iyer" in printed_text
    assert "My bookings" not in printed_text and "Sign out" not in printed_text

    page.emulate_media(media="screen")
    page.set_viewport_size(DESKTOP)
    assert page.evaluate(PRINT_STYLES)["header"] is True  # the screen keeps its navigation


def test_someone_elses_e_ticket_is_not_found(tab):
    train = demo_trains()
    booking = services.book_seats(
        user=make_user("owner"), train=train, travel_date=next_week(), class_code="SL", seats=1
    )
    make_user("nosy")
    sign_in(tab, "nosy")
    tab.visit(f"/bookings/{booking.pk}/ticket.pdf", "e-ticket-not-found", expect_status=404)
