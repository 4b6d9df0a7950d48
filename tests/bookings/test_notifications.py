"""The passengers' e-mails: composed from the booking, queued only once it commits (a confirmation
through the booking's outbox flag, by beat's sweep), and sent through Django's mail API to a real
SMTP server process."""

import mailbox
import socket
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from bookings import outbox, services, tasks
from tests.bookings.helpers import book, tomorrow
from tests.factories import make_train, make_user
from tests.faults.servers import free_port


@pytest.fixture(autouse=True)
def passenger_emails(settings):
    settings.PASSENGER_EMAILS = True


@pytest.fixture
def asha(db):
    return make_user("asha", email="asha@example.com")


def test_a_booking_confirmed_is_mailed_by_the_next_sweep_with_its_e_ticket(asha, train):
    booking = book(asha, train, 2)
    assert mail.outbox == []  # the request queued nothing

    assert tasks.send_due_confirmations() == 1

    [message] = mail.outbox
    assert message.to == ["asha@example.com"]
    assert booking.pnr in message.subject
    assert train.train_number in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"e-ticket-{booking.pnr}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")


def test_each_confirmation_is_mailed_once_whatever_the_number_of_sweeps(asha, train):
    first, second = book(asha, train, 1), book(asha, train, 1)
    assert tasks.send_due_confirmations() == 2
    assert tasks.send_due_confirmations() == 0
    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 2
    assert [sum(booking.pnr in subject for subject in subjects) for booking in (first, second)] == [1, 1]


def test_a_confirmed_hold_is_mailed_too(asha, train):
    hold = services.hold_seats(user=asha, train=train, travel_date=tomorrow(), seats=2)
    booking = services.confirm_hold(hold_id=hold.pk, by=asha)
    tasks.send_due_confirmations()
    [message] = mail.outbox
    assert booking.pnr in message.subject


def test_nothing_is_mailed_about_a_booking_rolled_back(asha, train):
    with pytest.raises(RuntimeError), transaction.atomic():
        book(asha, train, 1)
        raise RuntimeError("the request failed after booking")
    assert tasks.send_due_confirmations() == 0
    assert mail.outbox == []


def test_only_confirmed_bookings_are_mailed_as_confirmed(asha, db):
    small = make_train(total_seats=5)
    book(make_user("early"), small, 5)
    waiting = book(asha, small, 1, allow_waitlist=True)
    assert waiting.status != "CONFIRMED"
    tasks.send_due_confirmations()
    assert [message.to for message in mail.outbox] == [["early@example.com"]]


def test_a_confirmation_older_than_the_outbox_window_is_no_longer_sent(asha, train):
    book(asha, train, 1)
    later = timezone.now() + outbox.CONFIRMATION_EMAIL_WINDOW + timedelta(minutes=1)
    with time_machine.travel(later):
        assert tasks.send_due_confirmations() == 0
    assert mail.outbox == []


def test_moving_up_names_each_traveller_who_moved(asha, train):
    booking = book(asha, train, 2)
    tasks.send_moved_up(booking.pk, [{"number": 2, "was": "WL 3", "now": "RAC 1"}])
    [message] = mail.outbox
    assert "moved up" in message.subject
    assert "passenger 2 moved up from WL 3 to RAC 1" in message.body


def test_a_booking_by_a_user_without_an_address_queues_nothing(db, train, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.send_booking_confirmed, "delay", lambda *args: queued.append(args))
    silent = make_user("silent", email="")
    booking = book(silent, train, 1)
    assert tasks.send_due_confirmations() == 0
    assert queued == []
    booking.refresh_from_db()
    assert booking.confirmation_email_due is False


def test_a_traveller_moved_up_by_an_expired_hold_is_told(asha, django_capture_on_commit_callbacks, settings):
    small = make_train(total_seats=5)  # a waitlist of one
    services.hold_seats(user=make_user("holder"), train=small, travel_date=tomorrow(), seats=5)
    waiting = book(asha, small, 1, allow_waitlist=True)
    assert waiting.status == "WAITLISTED"

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.HOLD_SECONDS + 1)):
        with django_capture_on_commit_callbacks(execute=True):
            book(make_user("latecomer"), small, 1, allow_waitlist=True)  # sweeps the hold first

    [message] = [message for message in mail.outbox if message.to == ["asha@example.com"]]
    assert "moved up" in message.subject
    assert "passenger 1 moved up from WL to CNF" in message.body


def test_a_booking_cancelled_at_charting_says_what_is_refunded(asha, train):
    booking = book(asha, train, 1)
    tasks.send_cancelled_by_charting(booking.pk, "12345.00")
    [message] = mail.outbox
    assert "cancelled at charting" in message.subject
    assert "Rs 12,345" in message.body


def test_a_broker_that_is_down_delays_the_e_mail_and_never_costs_the_booking(asha, train, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    booking = book(asha, train, 1)
    deliver = tasks.send_booking_confirmed.delay
    monkeypatch.setattr(tasks.send_booking_confirmed, "delay", broker_down)
    with pytest.raises(ConnectionRefusedError):
        tasks.send_due_confirmations()
    booking.refresh_from_db()
    assert booking.status == "CONFIRMED"
    assert mail.outbox == []

    monkeypatch.setattr(tasks.send_booking_confirmed, "delay", deliver)  # the broker is back
    assert tasks.send_due_confirmations() == 1
    [message] = mail.outbox
    assert booking.pnr in message.subject


# --- A real SMTP server ---------------------------------------------------------------------------


@pytest.fixture
def smtp_server(tmp_path):
    """aiosmtpd in a process of its own on a free port, storing what it receives in a Maildir."""
    port, maildir = free_port(), tmp_path / "maildir"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while True:
        assert server.poll() is None, server.stderr.read().decode()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "the SMTP server did not listen within 20 s"
            time.sleep(0.05)
    yield port, maildir
    server.terminate()
    server.wait(10)


def test_the_e_mail_reaches_a_real_smtp_server_with_its_pdf(asha, train, smtp_server, settings):
    port, maildir = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    booking = book(asha, train, 1)

    tasks.send_booking_confirmed(booking.pk)
    tasks.send_cancelled_by_charting(booking.pk, str(Decimal("845")))

    received = sorted(mailbox.Maildir(maildir), key=lambda message: message["Subject"])
    assert [message["To"] for message in received] == ["asha@example.com"] * 2
    confirmed, cancelled = received
    assert "cancelled at charting" in cancelled["Subject"]
    assert "Rs 845" in cancelled.get_payload(decode=True).decode()
    [pdf] = [part for part in confirmed.walk() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"e-ticket-{booking.pnr}.pdf"
    assert pdf.get_payload(decode=True).startswith(b"%PDF")


def test_nobody_is_mailed_with_the_passengers_emails_off(asha, train, settings):
    settings.PASSENGER_EMAILS = False
    book(asha, train, 1)
    assert tasks.send_due_confirmations() == 0
    assert mail.outbox == []
