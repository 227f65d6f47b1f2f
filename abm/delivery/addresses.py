"""Recipient addresses in the form SMTP needs: ASCII domains, and whether SMTPUTF8 is needed.

An internationalised domain (``пример.рф``) goes on the wire as its IDNA
A-label (``xn--e1afmkfd.xn--p1ai``), which every server takes. A local part
that is not ASCII (``mikko.müller``) has no ASCII form: only a server that
offers SMTPUTF8 (RFC 6531) can take it, in a message whose headers are UTF-8
(RFC 6532). Contacts' addresses are validated when they are saved
(:mod:`abm.accounts.emails`); here an address is only put in shape, cheaply,
once per message.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import idna


class AddressError(ValueError):
    """An address that cannot be written on the wire at all (no domain, a bad domain)."""


@dataclass(frozen=True)
class Recipient:
    """An address as the SMTP envelope and the To header carry it.

    Attributes:
        address: for ``RCPT TO``: the local part as given, the domain in ASCII.
        header: for the ``To`` header: ``address``, or the address as given when
            the message must be UTF-8 anyway.
        utf8: the local part is not ASCII: only a server with SMTPUTF8 takes it.
    """

    address: str
    header: str
    utf8: bool = False


@functools.lru_cache(maxsize=4096)
def ascii_domain(domain: str) -> str:
    """The IDNA (punycode) form of a domain, per UTS 46; ASCII domains are returned lower-cased.

    Raises:
        AddressError: the domain is not a valid internationalised domain name.
    """
    if domain.isascii():
        return domain.lower()
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise AddressError(f"the domain {domain!r} is not a valid domain name: {exc}") from None


def smtp_recipient(email: str) -> Recipient:
    """The envelope and header forms of ``email``.

    Raises:
        AddressError: there is no local part or no domain, or the domain is invalid.
    """
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        raise AddressError(f"{email!r} is not an address: it needs a local part, @ and a domain")
    if email.isascii():  # nearly every address: nothing to convert
        return Recipient(email, email)
    wire = f"{local}@{ascii_domain(domain)}"
    if local.isascii():
        return Recipient(wire, wire)
    return Recipient(wire, email, utf8=True)


def address_key(email: str | None) -> str | None:
    """One spelling per mailbox, for finding contacts who share an address.

    Case is ignored (as the contacts' addresses are stored) and a domain counts
    the same in its Unicode and its punycode form.
    """
    if not email or not email.strip():
        return None
    email = email.strip().lower()
    try:
        return smtp_recipient(email).address
    except AddressError:
        return email
