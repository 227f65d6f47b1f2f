"""Building the MIME message of one recipient: headers, tracking links, text and HTML parts.

Written by hand rather than with :class:`email.message.EmailMessage`, which
costs more than the SMTP round trip at campaign volumes; the tests parse the
result with the standard library to check it.
"""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass
from email.utils import formataddr, formatdate
from urllib.parse import quote

from abm.campaigns.rendering import RenderedMessage
from abm.delivery.tokens import Tokens

_HREF = re.compile(r'href="(https?://[^"]+)"', re.IGNORECASE)
# A web address in the text part: up to a space or a character no address ends with.
_TEXT_URL = re.compile(r"https?://[^\s<>\"]+")
_TRAILING = ".,;:!?)]}'"


@dataclass(frozen=True)
class Envelope:
    """Who sends and where the links of a message point."""

    mail_from: str
    public_url: str
    tokens: Tokens

    @property
    def domain(self) -> str:
        return self.mail_from.rpartition("@")[2] or "localhost"


def links(envelope: Envelope, outbox_id: int) -> dict[str, str]:
    """The unsubscribe URL of a message (the template shows it as ``unsubscribe_url``)."""
    base = envelope.public_url.rstrip("/")
    return {"unsubscribe_url": f"{base}/u/{envelope.tokens.unsubscribe(outbox_id)}"}


def _clicks(envelope: Envelope, outbox_id: int, unsubscribe_url: str):
    """``tracked(url)``: the click-tracking address of a link of this message (the
    unsubscribe link stays as it is); one token per address, shared by both parts."""
    base = envelope.public_url.rstrip("/")
    known: dict[str, str] = {unsubscribe_url: unsubscribe_url}

    def tracked(url: str) -> str:
        if url not in known:
            known[url] = f"{base}/t/c/{envelope.tokens.click(outbox_id, url)}"
        return known[url]

    return tracked


def _track(envelope: Envelope, outbox_id: int, html: str, tracked) -> str:
    base = envelope.public_url.rstrip("/")

    def click(match: re.Match) -> str:
        url = match.group(1).replace("&amp;", "&")
        address = tracked(url)
        return match.group(0) if address == url else f'href="{address}"'

    html = _HREF.sub(click, html)
    pixel = (f'<img src="{base}/t/o/{envelope.tokens.open(outbox_id)}.gif" width="1" '
             'height="1" alt="">')
    at = html.lower().rfind("</body>")
    return html[:at] + pixel + html[at:] if at >= 0 else html + pixel


def _track_text(text: str, tracked) -> str:
    """The web addresses of the text part replaced by their tracking addresses, so that a
    reader of the plain text is counted too (punctuation after an address stays after it)."""
    if "http" not in text:
        return text

    def click(match: re.Match) -> str:
        found = match.group(0)
        url = found.rstrip(_TRAILING)
        return tracked(url) + found[len(url):]

    return _TEXT_URL.sub(click, text)


# UTF-8 bytes per RFC 2047 encoded word: 39 encode to 52 base64 characters, a
# word of 64, so "Subject: " and the first word stay within the 76 characters
# RFC 2047 allows a line that holds encoded words.
_WORD_BYTES = 39


def _header(value: str) -> str:
    """``value`` as is when ASCII, else as base64 encoded words, one per folded line.

    Words of the kind :class:`email.header.Header` writes (UTF-8, base64), at
    a fraction of its cost, which counts once per message.
    """
    if value.isascii():
        return value
    data, words, start = value.encode("utf-8"), [], 0
    while start < len(data):
        end = min(start + _WORD_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # never split a character
            end -= 1
        words.append(f"=?utf-8?b?{base64.b64encode(data[start:end]).decode('ascii')}?=")
        start = end
    return "\r\n ".join(words)


_dated: list = [None, ""]  # (second, its Date header), as messages go out many a second


def _date() -> str:
    now = int(time.time())
    if now != _dated[0]:
        _dated[:] = [now, formatdate(now, usegmt=True)]
    return _dated[1]


def _b64(text: str) -> str:
    return base64.encodebytes(text.encode("utf-8")).decode("ascii").replace("\n", "\r\n")


def build_message(envelope: Envelope, *, outbox_id: int, campaign_id: int, to_email: str,
                  to_name: str, rendered: RenderedMessage,
                  unsubscribe_url: str) -> tuple[str, bytes]:
    """The message as bytes ready for SMTP, and its Message-ID.

    The Message-ID is derived from the outbox id, so a duplicate delivery (a
    worker killed between SMTP acceptance and the mark) is recognisable.
    """
    message_id = f"<abm-{outbox_id}@{envelope.domain}>"
    # Both parts are base64, whose lines never hold a "-": no line can look like this.
    boundary = f"abm-alt-{outbox_id}"
    tracked = _clicks(envelope, outbox_id, unsubscribe_url)
    html = _track(envelope, outbox_id, rendered.html, tracked)
    text = _track_text(rendered.text, tracked)
    mailto = f"mailto:{envelope.mail_from}?subject={quote('unsubscribe ' + str(outbox_id))}"
    head = "\r\n".join((
        f"From: {envelope.mail_from}",
        f"To: {formataddr((' '.join(to_name.split()), to_email)) if to_name else to_email}",
        f"Subject: {_header(rendered.subject)}",
        f"Date: {_date()}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        f"List-Unsubscribe: <{unsubscribe_url}>, <{mailto}>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        f"X-ABM-Campaign: {campaign_id}",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ))
    body = (
        f"{head}\r\n\r\n--{boundary}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{_b64(text)}--{boundary}\r\n"
        "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{_b64(html)}--{boundary}--\r\n"
    )
    return message_id, body.encode("ascii")
