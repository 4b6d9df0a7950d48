"""A passenger's status in the words of a ticket, as booked and now."""

import pytest

from bookings.status_words import passenger_status_label, status_change_label


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
