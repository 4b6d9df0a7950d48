"""The demo's console e-mails: headers and text printed whole, each attachment one line."""

import io

from django.core.mail import EmailMessage

from irctc.console_mail import EmailBackend


def test_an_e_mail_is_printed_with_its_attachment_named_not_encoded():
    stream = io.StringIO()
    message = EmailMessage("PNR 1234567890: booking confirmed", "Asha Rao: CNF A1/17", to=["asha@example.com"])
    message.attach("e-ticket-1234567890.pdf", b"%PDF-1.4" + b"x" * 60_000, "application/pdf")

    assert EmailBackend(stream=stream).send_messages([message]) == 1

    printed = stream.getvalue()
    assert "Subject: PNR 1234567890: booking confirmed" in printed
    assert "Asha Rao: CNF A1/17" in printed
    assert "[attached: e-ticket-1234567890.pdf, application/pdf, 60,008 bytes]" in printed
    assert len(printed) < 2_000  # the PDF itself is not printed, in base64 or otherwise
    assert message.attachments  # the message given is left as it was
