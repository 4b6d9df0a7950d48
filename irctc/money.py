"""Amounts as India writes them: digits grouped by the Indian system (24,114; 1,23,456).

Shared by the pages (`web.templatetags.money.inr`) and the PDF e-ticket (`bookings.tickets`).
"""

from decimal import Decimal


def indian_grouping(amount: Decimal) -> str:
    """`amount` with Indian digit grouping: the last three digits, then pairs (12,34,567). Paise are
    shown only when there are some."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    whole = int(amount)
    paise = (amount - whole).quantize(Decimal("0.01"))
    digits = str(whole)
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while head:
        groups.insert(0, head[-2:])
        head = head[:-2]
    grouped = ",".join([*groups, tail])
    if paise:
        grouped += f".{int(paise * 100):02d}"
    return sign + grouped
