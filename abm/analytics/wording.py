"""The analytics' explanations in the reader's language (pages and commands alike)."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from abm.workspace.wording import number, percent


def _day(iso: str) -> str:
    return format_date(date.fromisoformat(iso), "medium", locale=str(get_locale() or "en"))


def _silent(p: dict[str, Any], lost: bool) -> str:
    head = ngettext("silent %(num)s day since %(date)s", "silent %(num)s days since %(date)s",
                    p["days"], date=_day(p["since"]))
    body = _("%(ratio)s × its rhythm of %(rhythm)s days", ratio=number(p["ratio"], 2),
             rhythm=number(p["rhythm"], 1))
    if p.get("single"):
        body += ", " + _("a single purchase day, rhythm assumed")
    elif p.get("measured") is not None and p["measured"] < p["rhythm"]:
        body += ", " + _("usual gap %(measured)s days, raised to the floor",
                         measured=number(p["measured"], 1))
    limit = (_("lost above %(factor)s ×", factor=number(p["factor"], 1)) if lost
             else _("at risk above %(factor)s ×", factor=number(p["factor"], 1)))
    return f"{head}: {body}; {limit}"


def churn_reason(code: str, params: dict[str, Any]) -> str:
    """One churn explanation (see :func:`abm.analytics.explanations.churn_explanations`)."""
    p = params
    if code in ("silent_lost", "silent_at_risk"):
        return _silent(p, code == "silent_lost")
    if code == "revenue_drop":
        if p.get("last") is not None and p.get("previous") is not None:
            return _("revenue of the last 3 months %(last)s is %(drop)s below the 3 months "
                     "before (%(previous)s); at risk above %(threshold)s",
                     last=number(p["last"], 2), previous=number(p["previous"], 2),
                     drop=percent(p["drop"]), threshold=percent(p["threshold"], 0))
        return _("revenue of the last 3 months is %(drop)s below the 3 months before; at risk "
                 "above %(threshold)s", drop=percent(p["drop"]),
                 threshold=percent(p["threshold"], 0))
    if code == "at_stake":
        amount = number(p["amount"], 2)
        if p.get("revenue") is not None and p.get("span"):
            return ngettext("at stake about %(amount)s a year: %(revenue)s over the %(num)s "
                            "month from its first to its last purchase month",
                            "at stake about %(amount)s a year: %(revenue)s over the %(num)s "
                            "months from its first to its last purchase month",
                            p["span"], amount=amount, revenue=number(p["revenue"], 2))
        return _("at stake about %(amount)s a year", amount=amount)
    return code
