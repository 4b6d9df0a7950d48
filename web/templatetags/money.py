"""The `inr` filter: amounts as India writes them (`irctc.money`)."""

from decimal import Decimal, InvalidOperation

from django import template

from irctc.money import indian_grouping

register = template.Library()


@register.filter
def inr(value) -> str:
    """`value` with Indian digit grouping: the last three digits, then pairs (12,34,567). Paise are
    shown only when there are some; anything that is not a number is shown as it is."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return indian_grouping(amount)
