"""Contacts' email addresses: checked when saved, stored in one normalised spelling.

The check is email-validator's (syntax, internationalised domains per IDNA
2008/UTS 46, UTF-8 local parts per RFC 6531), without DNS look-ups: an import
of thousands of contacts must not wait on the network, and a domain without
mail servers today may have them tomorrow. Special-use domains that no mail
reaches (``.local``, ``localhost``, ``.invalid``...) are refused, except
``.test``, which RFC 6761 keeps for tests and demonstrations. The stored form keeps the domain
in Unicode (what a user typed and reads) and the whole address in lower case,
as contacts' addresses always were; the sender turns domains into punycode.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


class InvalidEmail(ValueError):
    """An address that cannot be stored; the message (English, from the validator) says why."""


def normalise_email(value: str) -> str:
    """The stored form of ``value``: validated, stripped, the domain normalised, lower case.

    Raises:
        InvalidEmail: ``value`` is not a valid address.
    """
    try:
        checked = validate_email(value.strip(), check_deliverability=False,
                                 allow_smtputf8=True, test_environment=True)
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from None
    return checked.normalized.lower()
