"""Filters for passengers' statuses and quotas in the words travellers read (`bookings.status_words`)."""

from django import template

from bookings import status_words
from trains.pools import QUOTA_NAMES

register = template.Library()


@register.filter
def quota_name(quota: str) -> str:
    """ "Tatkal (TQ)" for `TQ`; a code it doesn't know, as it is."""
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
