"""A plain two-part message (text and HTML) for the application's own mail to its users.

Digests and reports go to the team, not to contacts: no tracking links, no
unsubscribe footer, just a multipart/alternative message in UTF-8.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid


def team_message(mail_from: str, to: str, subject: str, text: str, html: str) -> bytes:
    """The bytes of one message, headers encoded for any server (RFC 2047)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=mail_from.rpartition("@")[2] or "localhost")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message.as_bytes()
