"""Segment names, their rules and feature labels in the reader's language; why a
segmentation or a potential fit was refused, and the notes they left.

A segment's name is stored as :mod:`abm.ml.naming` composed it: English phrases,
one per rule, joined by commas. Each phrase is a code with at most one number, so
the name is read back into its phrases here and each is worded by the catalogue;
a name that is not made of known phrases (an older naming) is shown as stored.
Refusals and notes are kept as a code and its parameters (:mod:`abm.segments.refusals`).
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from abm.ml.errors import DataError
from abm.segments.refusals import wording
from abm.workspace.wording import number

_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_PHRASES = {
    "new": _l("new"), "recent": _l("recent"), "top revenue": _l("top revenue"),
    "mid revenue": _l("mid revenue"), "small revenue": _l("small revenue"),
    "buys every month": _l("buys every month"), "buys most months": _l("buys most months"),
    "buys now and then": _l("buys now and then"), "rare purchases": _l("rare purchases"),
    "growing": _l("growing"), "declining": _l("declining"),
    "buys the top assortment": _l("buys the top assortment"),
    "little top assortment": _l("little top assortment"),
    "high potential": _l("high potential"), "low potential": _l("low potential"),
    "key accounts": _l("key accounts"),
}
_SILENT_WAS = re.compile(r"lapsing: was (regular|occasional),? silent (\w+) months?$")
_RANK = re.compile(r"^(.*) \((\d+)(?:st|nd|rd|th) by revenue\)$")
RULES = {
    "months since the last purchase >= 6": _l("months since the last purchase >= 6"),
    "2 <= months since the last purchase < 6": _l("2 <= months since the last purchase < 6"),
    "months since the first purchase <= 6": _l("months since the first purchase <= 6"),
    "7 to 15 months since the first purchase": _l("7 to 15 months since the first purchase"),
    "revenue at or above the 80th percentile of accounts":
        _l("revenue at or above the 80th percentile of accounts"),
    "revenue between the 50th and 80th percentiles":
        _l("revenue between the 50th and 80th percentiles"),
    "revenue below the median account": _l("revenue below the median account"),
    "purchases in >= 11 of the last 12 months": _l("purchases in >= 11 of the last 12 months"),
    "purchases in 6 to 10 of the last 12 months":
        _l("purchases in 6 to 10 of the last 12 months"),
    "purchases in 3 to 5 of the last 12 months": _l("purchases in 3 to 5 of the last 12 months"),
    "purchases in fewer than 3 of the last 12 months":
        _l("purchases in fewer than 3 of the last 12 months"),
    "revenue trend >= +0.25": _l("revenue trend >= +0.25"),
    "revenue trend <= -0.25": _l("revenue trend <= -0.25"),
    "top-assortment share at or above the 75th percentile":
        _l("top-assortment share at or above the 75th percentile"),
    "top-assortment share at or below the 25th percentile":
        _l("top-assortment share at or below the 25th percentile"),
    "expected revenue at or above the 75th percentile":
        _l("expected revenue at or above the 75th percentile"),
    "expected revenue at or below the 25th percentile":
        _l("expected revenue at or below the 25th percentile"),
    "customer lifetime value at or above the 75th percentile":
        _l("customer lifetime value at or above the 75th percentile"),
    "customer lifetime value at or below the 25th percentile":
        _l("customer lifetime value at or below the 25th percentile"),
}
_APART = re.compile(r"share of revenue over the last 12 months >= (\S+), set apart before "
                    r"clustering")
FEATURES = {
    "revenue_12m": _l("revenue, last 12 months"),
    "margin_rate": _l("margin as a share of revenue, last 12 months"),
    "active_months_12m": _l("months with purchases, last 12"),
    "purchase_days_12m": _l("purchase days, last 12 months"),
    "recency_months": _l("months since the last purchase"),
    "tenure_months": _l("months since the first purchase"),
    "trend": _l("revenue trend, last 6 months against the 6 before (-1..1)"),
    "top_share": _l("share of top-assortment products in revenue"),
    "clv_12m": _l("expected revenue, next 12 months (potential)"),
    "p_alive": _l("probability the account is still buying"),
}


def _months(word: str) -> int | None:
    return int(word) if word.isdigit() else _WORDS.get(word)


def segment_phrase(text: str) -> str | None:
    """One phrase of a name (``"Lost: silent six months"``) in the reader's language."""
    key = text.strip().lower()
    if key in _PHRASES:
        return str(_PHRASES[key])
    if (match := _SILENT_WAS.match(key)) and (n := _months(match.group(2))) is not None:
        if match.group(1) == "regular":
            return ngettext("lapsing: was regular, silent %(num)s month",
                            "lapsing: was regular, silent %(num)s months", n)
        return ngettext("lapsing: was occasional, silent %(num)s month",
                        "lapsing: was occasional, silent %(num)s months", n)
    if key.startswith("lost: silent ") and (n := _months(key.split()[2])) is not None:
        return ngettext("lost: silent %(num)s month", "lost: silent %(num)s months", n)
    return None


def segment_name(name: str | None) -> str:
    """A stored segment name in the reader's language (as stored when it cannot be read)."""
    if not name:
        return name or ""
    rank = None
    if match := _RANK.match(name):
        name, rank = match.group(1), int(match.group(2))
    # "Lapsing: was regular, silent two months" is one phrase with a comma of its own.
    phrases = [segment_phrase(part) for part in name.replace(", silent ", " silent ").split(", ")]
    if any(p is None for p in phrases):
        return name if rank is None else f"{name} ({rank})"
    text = ", ".join(p for p in phrases if p)
    text = text[:1].upper() + text[1:]
    if rank is not None:
        text += " " + _("(no. %(rank)s by revenue)", rank=rank)
    return text


def segment_rule(rule: str | None) -> str:
    if rule and (match := _APART.fullmatch(rule)):
        return _("share of revenue over the last 12 months >= %(share)s, set apart before "
                 "clustering", share=match.group(1))
    return str(RULES[rule]) if rule in RULES else (rule or "")


def feature_label(feature: str, fallback: str = "") -> str:
    return str(FEATURES[feature]) if feature in FEATURES else fallback


def reason_text(reason: dict[str, Any] | None, english: str | None = None) -> str | None:
    """A refusal or note kept as a code and its parameters, in the reader's language; else
    (none kept, or kept by an older version) the English it was kept with."""
    if not reason:
        return english
    try:
        return wording(reason["code"], reason.get("params") or {}, _, number)
    except (KeyError, TypeError, ValueError):
        return english


def refusal_text(error: DataError) -> str:
    """Why the data could not be segmented or fitted, in the reader's language."""
    return reason_text(error.reason(), str(error)) or str(error)
