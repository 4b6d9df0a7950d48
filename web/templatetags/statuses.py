"""Filters for passengers' statuses and quotas in the words travellers read (`bookings.status_words`)."""

from django import template

from bookings import status_words
from bookings.models import Booking
from bookings.selectors import passenger_status_data
from trains.layouts import berth_of
from trains.pools import QUOTA_NAMES

register = template.Library()


@register.filter
def quota_name(quota: str) -> str:
    """`TQ` as "Tatkal (TQ)"; a code it doesn't know, as it is."""
    return f"{QUOTA_NAMES[quota]} ({quota})" if quota in QUOTA_NAMES else str(quota or "")


@register.filter
def passenger_status(status: dict | None, traveller: dict | None = None) -> str:
    """A passenger's status (`{status, position}`): "CNF S3/22" with the traveller's coach and berth."""
    traveller = traveller or {}
    return status_words.passenger_status_label(status, coach=traveller.get("coach"), berth=traveller.get("berth"))


@register.filter
def status_change(traveller: dict) -> str:
    """A traveller's status as booked and as now: "WL 12 → RAC 2"."""
    return status_words.status_change_label(
        traveller.get("booking_status"),
        traveller.get("current_status"),
        coach=traveller.get("coach"),
        berth=traveller.get("berth"),
    )


@register.filter
def ticket_status(passenger, class_code: str) -> str:
    """A booking's passenger (as `bookings.selectors` reads them for display), booked and now."""
    berth = berth_of(class_code, passenger.seat_number) if passenger.seat_number is not None else None
    return status_change(
        {**passenger_status_data(passenger), "coach": berth and berth.coach, "berth": berth and berth.berth}
    )


@register.filter
def booking_status_name(status: str) -> str:
    """A booking's `status` as people read it: Confirmed, RAC, Waitlisted, Cancelled."""
    return Booking.Status(status).label if status in Booking.Status.values else str(status)
