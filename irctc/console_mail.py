"""The demo's e-mail backend: each e-mail printed on the worker's console, its attachments named.

Django's console backend prints the whole MIME message, so every confirmation's PDF e-ticket
scrolled by as some 60 KB of base64. This one prints the headers and the text, then one line per
attachment (its name, type and size); production sends through SMTP (`EMAIL_HOST`).
"""

import copy
from email.mime.base import MIMEBase

from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class EmailBackend(ConsoleBackend):
    def write_message(self, message):
        text = copy.copy(message)
        text.attachments = []
        mime = text.message()
        charset = mime.get_charset().get_output_charset() if mime.get_charset() else "utf-8"
        self.stream.write(mime.as_bytes().decode(charset) + "\n")
        for attachment in message.attachments:
            name, mimetype, size = _described(attachment)
            self.stream.write(f"[attached: {name}, {mimetype}, {size:,} bytes]\n")
        self.stream.write("-" * 79 + "\n")


def _described(attachment) -> tuple[str, str, int]:
    if isinstance(attachment, MIMEBase):
        return (
            attachment.get_filename() or "unnamed",
            attachment.get_content_type(),
            len(attachment.get_payload(decode=True) or b""),
        )
    name, content, mimetype = attachment
    return name or "unnamed", mimetype or "application/octet-stream", len(content)
