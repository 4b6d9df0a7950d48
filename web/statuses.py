"""Statuses as Indian Railways print them: what a class offers a journey in search ("AVAILABLE 42",
"RAC 3", "WL 12", "REGRET", "opens 10:00"), and what a quota asks of its passengers. Where a
passenger stands ("CNF S3/22", "RAC 4", "WL 12 → RAC 2") is said by `bookings.status_words`,
which the PDF e-ticket shares.

Words only: which status applies is decided by the inventory (search's `status`, a passenger's
`booking_status` and `current_status`); these functions say it the way travellers read it.
"""

from django.utils import timezone

from bookings.inventory.quotas import (
    LADIES,
    SENIOR_AGE_BY_GENDER,
    SENIOR_CITIZENS,
    SENIOR_MAX_PASSENGERS,
    TATKAL,
    TATKAL_MAX_PASSENGERS,
)

GENDER_WORDS = {"M": "men", "F": "women", "T": "transgender passengers"}

# How each search status reads, and the tone the page gives it (`ok`, `rac`, `wait`, `bad`).
TONES = {
    "AVAILABLE": "ok",
    "RAC": "rac",
    "WAITLIST": "wait",
    "REGRET": "bad",
    "NOT_OPEN": "wait",
    "CHART_PREPARED": "bad",
}


def availability_label(entry: dict) -> str:
    """A search entry (`{status, available_seats, rac_available, waitlist_next, opens_at}`) in words.

    `RAC n` counts the RAC places still free (the entry's `rac_available`), `WL n` is the number the
    next passenger would get; `opens_at` is the moment Tatkal opens, added by the page's search.
    """
    status = entry.get("status") or ("AVAILABLE" if entry.get("available_seats") else "WAITLIST")
    if status == "AVAILABLE":
        after_chart = ", chart prepared" if entry.get("charted") else ""
        return f"AVAILABLE {entry['available_seats']}{after_chart}"
    if status == "RAC":
        return f"RAC {entry.get('rac_available') or 0}"
    if status == "WAITLIST":
        return f"WL {entry['waitlist_next']}" if entry.get("waitlist_next") else "WL"
    if status == "NOT_OPEN":
        opens_at = entry.get("opens_at")
        return f"opens {timezone.localtime(opens_at):%H:%M}" if opens_at else "not open"
    if status == "CHART_PREPARED":
        return "CHART PREPARED"
    return status


def availability_tone(entry: dict) -> str:
    return TONES.get(entry.get("status") or "", "ok" if entry.get("available_seats") else "wait")


def quota_rules(quota: str) -> str:
    """What a quota asks of the passengers, in a sentence for the pages (the service checks it)."""
    if quota == TATKAL:
        return (
            f"Tatkal (TQ): at most {TATKAL_MAX_PASSENGERS} passengers, each paying the Tatkal charge. "
            "It opens the day before the run: 10:00 for AC classes, 11:00 for the others (India time)."
        )
    if quota == SENIOR_CITIZENS:
        ages = ", ".join(
            f"{GENDER_WORDS.get(gender, gender)} aged {age} or more" for gender, age in SENIOR_AGE_BY_GENDER.items()
        )
        return (
            f"Senior citizens (SS): lower berths for {ages}; at most {SENIOR_MAX_PASSENGERS} passengers; "
            "confirmed berths only, no waitlist."
        )
    if quota == LADIES:
        return "Ladies (LD): every passenger a woman; confirmed berths only, no waitlist."
    return ""
