"""Why a row of a file was not imported, worded in English here and in the reader's
language by the pages, the CSV error report and the command line.

A row error (:class:`~abm.imports.results.RowError`) keeps its English ``reason`` (the
API, what is stored). A reason without a value is a fixed phrase of :data:`PHRASES`,
its own catalogue message; a reason that carries a value (a character, a limit, a day)
also keeps a ``code`` of :data:`MESSAGES` and its ``params``, and a rule of another
domain that refused the row (a price that overlaps another) keeps its catalogue
template and values under the code :data:`REFUSED`. :func:`row_reason` words any of
them through the reader's gettext, like :func:`abm.imports.refusals.wording` does for
a refused file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from abm.imports.refusals import N_, Number, Translate, wording

PHRASES = frozenset({
    # A value
    N_("missing value"), N_("not a number"), N_("not a finite number"),
    N_("number too large"), N_("number too large once converted"),
    N_("not a whole number"), N_("negative value not allowed"), N_("not yes or no"),
    N_("not a date (use 2026-10-31, 20261031, 31.10.2026 or 31/10/2026)"),
    N_("no such day"), N_("a date in the future"), N_("too long"),
    N_("not a three-letter currency code"), N_("not a two-letter country code"),
    # The row's keys and what it names
    N_("duplicate key in the file"), N_("duplicate key (document, date, line) in the file"),
    N_("negative line number"), N_("unknown account"),
    N_("unknown account and no account name to create it"), N_("unknown product"),
    N_("unknown product and no product name to create it"),
    # Accounts and their loyalty programme
    N_("not customer or prospect"), N_("not member, invited or left"),
    N_("unknown loyalty programme"),
    N_("name the loyalty programme: there is not exactly one"),
    # Contacts
    N_("a contact needs an external id or an email"),
    N_("not a role in the decision-making unit (owner, purchasing, warehouse, logistics, "
       "accounting, technical, other)"),
    N_("not female or male"),
    N_("not a telephone number (digits, with an optional leading +, spaces, dashes and "
       "brackets)"),
    N_("not a birthday (between 1900 and today)"),
    N_("the workspace does not keep contacts' gender (a setting)"),
    # Prices
    N_("comes before the valid from date"),
})
MESSAGES = {
    "control": N_("control character %(char)s in the value"),
    "no_rate": N_("no exchange rate %(from)s→%(to)s on %(day)s; add one on the Exchange "
                  "rates page"),
    "too_long": N_("longer than %(limit)s characters"),
    "language": N_("not a language of messages (%(languages)s)"),
    "tier": N_("not a tier of %(programme)s"),
    # The validator's reason after the colon is its own (English).
    "email": N_("not a valid email address: %(detail)s"),
}
REFUSED = "refused"  # params: the refusal's catalogue "template" and its "values"


def english(code: str, **params: Any) -> str:
    """The reason ``code`` of :data:`MESSAGES` with its ``params``, in English."""
    return wording(code, params, catalogue=MESSAGES)


def refused(refusal: Exception) -> tuple[str | None, dict[str, Any] | None]:
    """The code and parameters of a row refused by another domain's rule (a
    :class:`~abm.workspace.refusals.Refusal`); (None, None) where it gave no template."""
    template = getattr(refusal, "template", None)
    if not template:
        return None, None
    values = {key: str(value) for key, value in getattr(refusal, "params", {}).items()}
    return REFUSED, {"template": template, "values": values}


def row_reason(error: Mapping[str, Any], translate: Translate | None = None,
               number: Number | None = None) -> str:
    """The reason of a row error through ``translate`` (a gettext), figures written by
    ``number``; in English by default. A reason this catalogue does not know (stored by
    an older version) is shown as it was stored."""
    say = translate or _same
    reason = str(error.get("reason", ""))
    code, params = error.get("code"), error.get("params") or {}
    try:
        if code == REFUSED:
            return say(params["template"]) % params["values"]
        if code is not None:
            return wording(code, params, say, number, catalogue=MESSAGES)
    except (KeyError, TypeError, ValueError):
        return reason
    return say(reason) if reason in PHRASES else reason


def _same(text: str) -> str:
    return text
