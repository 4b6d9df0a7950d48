"""The e-ticket as a PDF: the journey, each traveller's coach, berth and status, the fare, and the
PNR as a QR code.

Layout only. What the ticket says comes ready from `ticket_selectors.e_ticket`; this module decides
where it goes on an A4 page and how it is spelled. fpdf2 writes the PDF and segno encodes the QR
code, both pure Python. The QR code is drawn as filled squares rather than embedded as a picture,
so it prints sharp at any size. The text is set in DejaVu Sans, shipped in `bookings/fonts/` (the
PDF core fonts have no rupee sign and no letter beyond Latin-1; its README says which scripts
the shipped cut keeps, and why) and embedded as a subset.
"""

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import segno
from django.http import HttpResponse
from django.utils import dateformat, timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from bookings.status_words import passenger_status_label
from irctc.money import indian_grouping
from trains.pools import QUOTA_NAMES

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
INK = (0, 0, 0)
MUTED = (85, 93, 102)
BRAND = (31, 58, 147)
MARGIN = 15  # mm, all round
QR_SIZE = 38  # mm, quiet zone included: a phone reads it from arm's length
QR_BORDER = 4  # modules of quiet zone, as the QR standard asks


def pnr_qr(pnr: str) -> segno.QRCode:
    """The QR code of a PNR: its ten digits and nothing else, so any scanner reads the PNR."""
    return segno.make_qr(pnr, error="m")


def ticket_response(ticket: dict) -> HttpResponse:
    """The e-ticket as the API and the pages answer it: shown in the browser, saved under its PNR,
    and kept by no shared cache (it names the travellers)."""
    response = HttpResponse(ticket_pdf(ticket), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="e-ticket-{ticket["pnr"]}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def ticket_pdf(ticket: dict) -> bytes:
    """The e-ticket of `ticket` (as `ticket_selectors.e_ticket` gives it), one A4 page, as PDF bytes."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"E-ticket, PNR {ticket['pnr']}")
    pdf.set_subject(f"{ticket['train_number']} {ticket['train_name']}")
    pdf.set_creator("IRCTC mini")
    pdf.add_page()
    _header(pdf)
    _pnr_and_status(pdf, ticket)
    _journey(pdf, ticket)
    _travellers(pdf, ticket)
    _notes(pdf)
    return bytes(pdf.output())


def _header(pdf: FPDF) -> None:
    pdf.set_fill_color(*BRAND)
    pdf.rect(0, 0, pdf.w, 24, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(MARGIN, 7)
    pdf.set_font(FONT, "B", 16)
    pdf.cell(80, 10, "IRCTC mini")
    pdf.set_font(FONT, "", 11)
    pdf.cell(pdf.epw - 80, 10, "Electronic reservation slip (e-ticket)", align="R")
    pdf.set_text_color(*INK)


def _pnr_and_status(pdf: FPDF, ticket: dict) -> None:
    top = 32
    qr_x = pdf.w - MARGIN - QR_SIZE
    _draw_qr(pdf, pnr_qr(ticket["pnr"]), x=qr_x, y=top, size=QR_SIZE)
    pdf.set_xy(qr_x, top + QR_SIZE)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(QR_SIZE, 4, "Scan for the PNR", align="C")

    text_width = qr_x - MARGIN - 5
    pdf.set_xy(MARGIN, top + 2)
    _label(pdf, "PNR", text_width)
    pdf.set_font(FONT, "B", 22)
    pdf.cell(text_width, 11, ticket["pnr"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _label(pdf, "Booking status", text_width)
    pdf.set_font(FONT, "B", 13)
    pdf.cell(text_width, 7, _status_text(ticket), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _label(pdf, "Train", text_width)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(
        text_width,
        7,
        f"{ticket['train_number']} {ticket['train_name']}",
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_y(max(pdf.get_y(), top + QR_SIZE + 6) + 4)


def _journey(pdf: FPDF, ticket: dict) -> None:
    half = pdf.epw / 2
    top = pdf.get_y()
    for column, (label, station, moment) in enumerate(
        (("From", ticket["from_station"], ticket["departure"]), ("To", ticket["to_station"], ticket["arrival"]))
    ):
        x = MARGIN + column * half
        pdf.set_xy(x, top)
        _label(pdf, label, half - 4)
        pdf.set_x(x)
        pdf.set_font(FONT, "B", 12)
        pdf.multi_cell(half - 4, 6, station, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 11)
        when = _when(moment) if moment else ("departure not known" if column == 0 else "arrival not known")
        pdf.multi_cell(half - 4, 6, when, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_y(pdf.get_y() + 4)

    facts = [
        ("Travel date", dateformat.format(ticket["travel_date"], "D j M Y")),
        ("Class", f"{ticket['class_code']} ({ticket['class_name']})"),
        ("Quota", f"{QUOTA_NAMES.get(ticket['quota'], ticket['quota'])} ({ticket['quota']})"),
        ("Fare", _rupees(ticket["fare"]) if ticket["fare"] is not None else "–"),
        ("Booked", _when(ticket["booked_at"])),
    ]
    column_width = pdf.epw / len(facts)
    top = pdf.get_y()
    for column, (label, value) in enumerate(facts):
        pdf.set_xy(MARGIN + column * column_width, top)
        _label(pdf, label, column_width - 2)
        pdf.set_x(MARGIN + column * column_width)
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(column_width - 2, 6, value, align="L")
    pdf.set_y(top + 20)


def _travellers(pdf: FPDF, ticket: dict) -> None:
    pdf.set_font(FONT, "B", 12)
    pdf.cell(pdf.epw, 8, "Passengers", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    pdf.set_draw_color(*MUTED)
    with pdf.table(
        col_widths=(8, 44, 12, 18, 16, 22, 28, 32),
        text_align=("RIGHT", "LEFT", "RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT"),
        line_height=7,
        headings_style=FontFace(family=FONT, emphasis="BOLD", fill_color=(235, 238, 243)),
        first_row_as_headings=True,
    ) as table:
        table.row(("#", "Name", "Age", "Gender", "Coach", "Berth", "Booking status", "Current status"))
        for traveller in ticket["travellers"]:
            table.row(
                (
                    str(traveller["number"]),
                    traveller.get("name") or f"Traveller {traveller['number']}",
                    str(traveller["age"]) if traveller.get("age") else "–",
                    traveller.get("gender") or "–",
                    traveller["coach"] or "–",
                    _berth_text(traveller),
                    passenger_status_label(traveller["booking_status"]),
                    passenger_status_label(
                        traveller["current_status"], coach=traveller["coach"], berth=traveller["berth"]
                    ),
                )
            )
    pdf.ln(4)


def _notes(pdf: FPDF) -> None:
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        pdf.epw,
        5,
        "Carry a photo identity card for the journey. A passenger's status may change (RAC and "
        "waitlisted passengers move up, in order, when others cancel): check it any time on the PNR "
        "status page with the PNR above, or by scanning the QR code.",
    )
    pdf.set_text_color(*INK)


def _draw_qr(pdf: FPDF, qr: segno.QRCode, *, x: float, y: float, size: float) -> None:
    """Dark modules as filled squares, a row's adjacent ones merged into one bar."""
    rows = list(qr.matrix_iter(border=QR_BORDER))
    module = size / len(rows)
    pdf.set_fill_color(*INK)
    for row_index, row in enumerate(rows):
        start = None
        for column, dark in enumerate([*row, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                pdf.rect(x + start * module, y + row_index * module, (column - start) * module, module, style="F")
                start = None


def _label(pdf: FPDF, text: str, width: float) -> None:
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(width, 5, text.upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)


def _status_text(ticket: dict) -> str:
    if ticket["waitlist_position"]:
        return f"{ticket['status_name']}, position {ticket['waitlist_position']} on the waitlist"
    if ticket["cancelled_at"]:
        return f"{ticket['status_name']} on {_when(ticket['cancelled_at'])}"
    return ticket["status_name"]


def _berth_text(traveller: dict) -> str:
    if traveller["seat_number"] is None:
        return "–"
    if traveller["berth_type"]:
        return f"{traveller['berth']} {traveller['berth_type']}"
    return str(traveller["berth"])


def _when(moment: datetime) -> str:
    return dateformat.format(timezone.localtime(moment), "D j M Y, H:i")


def _rupees(amount: Decimal) -> str:
    """₹ with Indian digit grouping: ₹24,114 and ₹1,23,456 (lakhs), paise only when there are some."""
    return f"₹{indian_grouping(amount)}"
