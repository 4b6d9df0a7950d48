"""The e-mails a passenger expects, composed: plain functions from a booking to an `EmailMessage`.

Sending them is the task queue's (`bookings.tasks`, queued once the transaction commits). They go
through Django's mail API: SMTP in production, the console in the demo (settings, E-mail).
"""

from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage

from bookings import ticket_selectors, tickets
from bookings.models import Booking
from irctc.money import indian_grouping


def booking_confirmed_email(booking: Booking) -> EmailMessage | None:
    """ "Your booking is confirmed", with the e-ticket as a PDF; None when the owner has no address."""
    if not booking.user.email:
        return None
    ticket = ticket_selectors.e_ticket(booking_id=booking.pk, user=booking.user)
    lines = [
        f"Dear {booking.user.username},",
        "",
        f"your booking {booking.pnr} is {ticket['status_name'].lower()}:",
        *_journey_lines(ticket),
        "",
        *_traveller_lines(ticket),
        "",
        "Your e-ticket is attached. Carry it, or show it on your phone, with a photo ID.",
    ]
    message = _message(booking, f"PNR {booking.pnr}: booking {ticket['status_name'].lower()}", lines)
    message.attach(f"e-ticket-{booking.pnr}.pdf", tickets.ticket_pdf(ticket), "application/pdf")
    return message


def moved_up_email(booking: Booking, moves: list[dict]) -> EmailMessage | None:
    """Some travellers of the booking moved up a queue: `moves` = [{number, was, now}], each
    status as the ticket shows it ("WL 3", "RAC 1", "CNF B2-34")."""
    if not booking.user.email or not moves:
        return None
    lines = [
        f"Dear {booking.user.username},",
        "",
        f"good news for PNR {booking.pnr}: someone cancelled, and",
        *(f"  passenger {move['number']} moved up from {move['was']} to {move['now']}" for move in moves),
        "",
        "The ticket on the site shows where everyone sits now.",
    ]
    return _message(booking, f"PNR {booking.pnr}: moved up", lines)


def cancelled_by_charting_email(booking: Booking, refund: Decimal | None) -> EmailMessage | None:
    """The chart was prepared with every traveller of the booking still waitlisted: cancelled, refunded in full."""
    if not booking.user.email:
        return None
    amount = "nothing (this train has no fares)" if refund is None else f"Rs {indian_grouping(refund)}"
    lines = [
        f"Dear {booking.user.username},",
        "",
        f"the chart of train {booking.run.train.train_number} on {booking.travel_date:%d %b %Y} has been",
        f"prepared, and booking {booking.pnr} was still waitlisted, so it is cancelled.",
        f"We refund {amount}, the whole fare, with no charge.",
    ]
    return _message(booking, f"PNR {booking.pnr}: cancelled at charting, refunded", lines)


def _journey_lines(ticket: dict) -> list[str]:
    departure = ticket["departure"]
    leaves = f", leaves {departure:%d %b %Y %H:%M}" if departure else f", {ticket['travel_date']:%d %b %Y}"
    return [
        f"  train {ticket['train_number']} {ticket['train_name']}, class {ticket['class_code']}",
        f"  {ticket['from_station']} to {ticket['to_station']}{leaves}",
    ]


def _traveller_lines(ticket: dict) -> list[str]:
    lines = []
    for traveller in ticket["travellers"]:
        name = traveller.get("name") or f"Passenger {traveller['number']}"
        where = f" {traveller['coach']}-{traveller['berth']}" if traveller.get("coach") else ""
        lines.append(f"  {traveller['number']}. {name}: {traveller['status']}{where}")
    return lines


def _message(booking: Booking, subject: str, lines: list[str]) -> EmailMessage:
    return EmailMessage(
        subject=subject, body="\n".join(lines) + "\n", from_email=settings.DEFAULT_FROM_EMAIL, to=[booking.user.email]
    )
