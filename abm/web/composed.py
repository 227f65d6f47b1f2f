"""Sentences the product composes from figures, worded in the reader's language.

The domains hand over a code and its figures (an account's reasons, a run's
progress); the words, plural forms and number formats are chosen here, per reader.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import get_locale, get_translations, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from abm.analytics import wording as reasons
from abm.runs.services import WORKER_STOPPED
from abm.web.i18n import current_currency, number

_ROWS_READ = re.compile(r"^([\d,]+) rows read$")
RECOMMENDATIONS = {
    "AX": _l("Key and steady: keep them. A personal key-account manager, individual terms, "
             "loyalty programme, deliveries planned ahead."),
    "AY": _l("Key, with swings: agree a purchase plan with them, keep safety stock, visit "
             "monthly and learn what drives the swings."),
    "AZ": _l("Key but irregular: find out why purchases are erratic; joint planning, contract "
             "volumes and close monitoring."),
    "BX": _l("Steady middle: grow them towards A by cross-selling the top assortment and "
             "volume bonuses."),
    "BY": _l("Middle, with swings: regular offers timed to their buying months; standard "
             "service with a named contact."),
    "BZ": _l("Middle, irregular: keep in touch, find the causes, targeted offers when they buy."),
    "CX": _l("Small but steady: serve efficiently (standard terms, automated reorders) and look "
             "for growth potential."),
    "CY": _l("Small, with swings: standard service and mass campaigns; little individual "
             "effort."),
    "CZ": _l("Small and irregular: lowest priority; automated campaigns only, and check that "
             "serving them pays."),
}


def recommendation(cell: str | None, fallback: str | None = None) -> str:
    """The advice for an ABC-XYZ cell (``"AY"``)."""
    return str(RECOMMENDATIONS[cell]) if cell in RECOMMENDATIONS else (fallback or "")


def run_message(message: str | None) -> str:
    """A run's progress line: an import's "5,000 rows read" with the locale's plural and digits."""
    if not message:
        return ""
    if match := _ROWS_READ.match(message):
        n = int(match.group(1).replace(",", ""))
        return ngettext("%(count)s row read", "%(count)s rows read", n, count=number(n))
    return message


# The errors the runs domain words itself; the others are an exception's message as raised.
RUN_ERRORS = frozenset({WORKER_STOPPED})


def run_error(error: str | None) -> str:
    """Why a run failed, in the reader's language when the runs domain worded it."""
    if not error:
        return ""
    return _(error) if error in RUN_ERRORS else error


def account_reason(code: str, params: dict[str, Any]) -> str:
    """One reason behind an account's labels (see ``AccountLabels.explanations``)."""
    return reasons.account_reason(code, params, words())


def words() -> reasons.Words:
    """The request's language and locale, amounts in the workspace currency."""
    return reasons.Words(get_translations(), str(get_locale()), currency=current_currency())
