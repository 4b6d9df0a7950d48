"""Search availability in the words Indian Railways print."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from web.statuses import availability_label, availability_tone

INDIA = ZoneInfo("Asia/Kolkata")


def entry(status, **fields):
    return {"status": status, "available_seats": 0, "rac_available": None, "waitlist_next": None, **fields}


@pytest.mark.parametrize(
    ("search_entry", "label", "tone"),
    [
        (entry("AVAILABLE", available_seats=42), "AVAILABLE 42", "ok"),
        (entry("RAC", rac_available=3), "RAC 3", "rac"),
        (entry("WAITLIST", waitlist_next=12), "WL 12", "wait"),
        (entry("REGRET"), "REGRET", "bad"),
        (entry("NOT_OPEN", opens_at=datetime(2027, 3, 9, 10, 0, tzinfo=INDIA)), "opens 10:00", "wait"),
        (entry("NOT_OPEN", opens_at=datetime(2027, 3, 9, 5, 30, tzinfo=ZoneInfo("UTC"))), "opens 11:00", "wait"),
        (entry("CHART_PREPARED"), "CHART PREPARED", "bad"),
    ],
)
def test_search_availability_reads_as_on_indian_railways(search_entry, label, tone):
    assert availability_label(search_entry) == label
    assert availability_tone(search_entry) == tone


def test_an_entry_from_before_statuses_reads_from_its_free_seats():
    assert availability_label({"available_seats": 7, "waitlist_next": None}) == "AVAILABLE 7"
    assert availability_label(entry("AVAILABLE", available_seats=3, charted=True)) == "AVAILABLE 3, chart prepared"
    assert availability_label({"available_seats": 0, "waitlist_next": 5}) == "WL 5"
