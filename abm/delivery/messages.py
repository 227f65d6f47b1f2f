"""Building the MIME message of one recipient: headers, tracking links, text and HTML parts.

Written by hand rather than with :class:`email.message.EmailMessage`, which
costs more than the SMTP round trip at campaign volumes; the tests parse the
result with the standard library to check it. The rules it keeps:

- every header line is within 998 characters (RFC 5322), and within 78 where
  there is whitespace to fold at;
- non-ASCII text in the subject and the display name goes as RFC 2047
  encoded words of at most 75 characters, never splitting a character;
- a recipient whose local part is not ASCII gets a UTF-8 message (RFC 6532),
  its address written as it is, for a server that offers SMTPUTF8; any other
  message is 7-bit ASCII, internationalised domains in their punycode form.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Protocol
from urllib.parse import quote

from abm.delivery.tokens import Tokens

_HREF = re.compile(r'href="(https?://[^"]+)"', re.IGNORECASE)
# A web address in the text part: up to a space or a character no address ends with.
_TEXT_URL = re.compile(r"https?://[^\s<>\"]+")
_TRAILING = ".,;:!?)]}'"


class MessageParts(Protocol):
    """What a message says, already rendered by whoever writes it (a campaign's template):
    the subject, the HTML part and the text part. Delivery only wraps and tracks them."""

    @property
    def subject(self) -> str: ...

    @property
    def html(self) -> str: ...

    @property
    def text(self) -> str: ...


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
    """The unsubscribe and accept URLs of a message (templates show them as
    ``unsubscribe_url`` and ``accept_url``: an invitation's "yes")."""
    base = envelope.public_url.rstrip("/")
    return {"unsubscribe_url": f"{base}/u/{envelope.tokens.unsubscribe(outbox_id)}",
            "accept_url": f"{base}/a/{envelope.tokens.accept(outbox_id)}"}


def _clicks(envelope: Envelope, outbox_id: int, *untracked: str) -> Callable[[str], str]:
    """``tracked(url)``: the click-tracking address of a link of this message (the
    unsubscribe and accept links stay as they are: their tokens are what they act on);
    one token per address, shared by both parts."""
    base = envelope.public_url.rstrip("/")
    known: dict[str, str] = {url: url for url in untracked}

    def tracked(url: str) -> str:
        if url not in known:
            known[url] = f"{base}/t/c/{envelope.tokens.click(outbox_id, url)}"
        return known[url]

    return tracked


def _track(envelope: Envelope, outbox_id: int, html: str, tracked: Callable[[str], str]) -> str:
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


def _track_text(text: str, tracked: Callable[[str], str]) -> str:
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
# RFC 5322: lines SHOULD be at most 78 characters, MUST be at most 998.
_FOLD_AT = 78
_MAX_LINE = 998
# Characters that make a display name a quoted string (RFC 5322 specials).
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')
_ESCAPES = re.compile(r'[\\"]')


def _words(value: str) -> str:
    """``value`` as base64 encoded words, one per folded line."""
    data, start = value.encode("utf-8"), 0
    words: list[str] = []
    while start < len(data):
        end = min(start + _WORD_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # never split a character
            end -= 1
        words.append(f"=?utf-8?b?{base64.b64encode(data[start:end]).decode('ascii')}?=")
        start = end
    return "\r\n ".join(words)


def _plain(value: str) -> bool:
    """Whether ``value`` may be written as it is: ASCII that no reader takes for encoded words."""
    return value.isascii() and "=?" not in value


def _folded(value: str, taken: int) -> str | None:
    """ASCII ``value`` folded at spaces into lines of 78 characters where it can be.

    Args:
        taken: characters already on the first line (the header's name).

    Returns:
        The folded text, or None when a word alone is too long for a line of 998.
    """
    if taken + len(value) <= _FOLD_AT:
        return value
    lines: list[str] = []
    line = ""
    for word in value.split(" "):
        if line and taken + len(line) + 1 + len(word) > _FOLD_AT:
            lines.append(line)
            line, taken = word, 1  # a continuation line starts with the space folded at
        else:
            line = f"{line} {word}" if line else word
        if taken + len(line) > _MAX_LINE:
            return None
    lines.append(line)
    return "\r\n ".join(lines)


def _header(value: str, taken: int = 9) -> str:
    """An unstructured header's value: as it is when ASCII, folded; else as encoded words.

    Words of the kind :class:`email.header.Header` writes (UTF-8, base64), at
    a fraction of its cost, which counts once per message.

    Args:
        taken: characters before the value on the first line ("Subject: " by default).
    """
    if _plain(value):
        folded = _folded(value, taken)
        if folded is not None:
            return folded
    return _words(value)


def _mailbox(name: str, address: str) -> str:
    """The ``To`` value: the display name (quoted or as encoded words) and the address.

    The address goes on a line of its own when the first line would pass 78 characters.
    """
    name = " ".join(name.split())
    if not name:
        return address
    if not _plain(name):
        phrase = _words(name)
    elif _SPECIALS.search(name):
        phrase = '"' + _ESCAPES.sub(r"\\\g<0>", name) + '"'
    else:
        phrase = name
    last_line = phrase.rpartition("\n")[2] if "\n" in phrase else "To: " + phrase
    space = " " if len(last_line) + len(address) + 3 <= _FOLD_AT else "\r\n "
    return f"{phrase}{space}<{address}>"


_dated: list = [None, ""]  # (second, its Date header), as messages go out many a second


def _date() -> str:
    now = int(time.time())
    if now != _dated[0]:
        _dated[:] = [now, formatdate(now, usegmt=True)]
    return _dated[1]


def _b64(text: str) -> str:
    return base64.encodebytes(text.encode("utf-8")).decode("ascii").replace("\n", "\r\n")


def build_message(envelope: Envelope, *, outbox_id: int, campaign_id: int, to_email: str,
                  to_name: str, rendered: MessageParts, unsubscribe_url: str,
                  utf8: bool = False, accept_url: str = "") -> tuple[str, bytes]:
    """The message as bytes ready for SMTP, and its Message-ID.

    The Message-ID is derived from the outbox id, so a duplicate delivery (a
    worker killed between SMTP acceptance and the mark) is recognisable.

    Args:
        to_email: the address as the ``To`` header shows it: ASCII (a domain in
            punycode), or UTF-8 with ``utf8``
            (:attr:`~abm.delivery.addresses.Recipient.header`).
        utf8: write a UTF-8 message (RFC 6532), for a server with SMTPUTF8.
        accept_url: the message's accept link (an invitation's), left untracked.

    Raises:
        UnicodeEncodeError: a header is not ASCII in a message that is not UTF-8.
    """
    message_id = f"<abm-{outbox_id}@{envelope.domain}>"
    # Both parts are base64, whose lines never hold a "-": no line can look like this.
    boundary = f"abm-alt-{outbox_id}"
    tracked = _clicks(envelope, outbox_id, unsubscribe_url, accept_url)
    html = _track(envelope, outbox_id, rendered.html, tracked)
    text = _track_text(rendered.text, tracked)
    mailto = f"mailto:{envelope.mail_from}?subject={quote('unsubscribe ' + str(outbox_id))}"
    head = "\r\n".join((
        f"From: {envelope.mail_from}",
        f"To: {_mailbox(to_name or '', to_email)}",
        f"Subject: {_header(rendered.subject)}",
        f"Date: {_date()}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        f"List-Unsubscribe: <{unsubscribe_url}>,\r\n <{mailto}>",  # folded: two long URLs
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
    return message_id, body.encode("utf-8" if utf8 else "ascii")
