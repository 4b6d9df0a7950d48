"""Statuses in the words Indian Railways print: search availability and a passenger's status."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from web.statuses import availability_label, availability_tone, passenger_status_label, status_change_label

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
    assert availability_label({"available_seats": 0, "waitlist_next": 5}) == "WL 5"


@pytest.mark.parametrize(
    ("status", "berth", "label"),
    [
        ({"status": "CNF", "position": None}, {"coach": "S3", "berth": 22}, "CNF S3/22"),
        ({"status": "CNF", "position": None}, {"coach": None, "berth": 17}, "CNF 17"),
        ({"status": "RAC", "position": 4}, {"coach": "S3", "berth": 71}, "RAC 4"),
        ({"status": "WL", "position": 12}, {}, "WL 12"),
        ({"status": "CANCELLED", "position": None}, {}, "CAN"),
        (None, {}, ""),
    ],
)
def test_a_passenger_status_reads_as_on_a_ticket(status, berth, label):
    assert passenger_status_label(status, **berth) == label


def test_as_booked_and_now_show_the_move_and_once_when_nothing_moved():
    waitlisted, rac = {"status": "WL", "position": 12}, {"status": "RAC", "position": 2}
    confirmed = {"status": "CNF", "position": None}

    assert status_change_label(waitlisted, rac) == "WL 12 → RAC 2"
    assert status_change_label(waitlisted, confirmed, coach="S3", berth=22) == "WL 12 → CNF S3/22"
    assert status_change_label(confirmed, confirmed, coach="S3", berth=22) == "CNF S3/22"
    assert status_change_label({"status": "WL", "position": 5}, {"status": "WL", "position": 2}) == "WL 5 → WL 2"
