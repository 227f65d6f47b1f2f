"""Numbers and dates as accounting systems write them.

Each parser tries the machine form first (``float``, ``date.fromisoformat``,
both in C) and only then the human forms, so that a clean export pays almost
nothing per value.
"""

from __future__ import annotations

import math
import re
from datetime import date

MAX_AMOUNT = 1e15  # Numeric(18, 2) holds 16 digits before the point

_JUNK = str.maketrans("", "", " \u00a0\u202f\u2007\u2009'’$€£₽¥₸₴")
_CURRENCY_WORD = re.compile(r"(?i)\s*(руб\.?|р\.|rub|eur|usd|gbp|kzt|uah|byn)\s*")
_PLAIN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(
    r"(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"|(?P<by>\d{4})(?P<bm>\d{2})(?P<bd>\d{2})"
    r"|(?P<ed>\d{1,2})[./](?P<em>\d{1,2})[./](?P<ey>\d{4}))"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?|T?\d{6})?"
)
_TRUE = {"1", "yes", "y", "true", "t", "x", "да", "д", "+"}
_FALSE = {"0", "no", "n", "false", "f", "нет", "н", "-", ""}


class ValueProblem(ValueError):
    """The text is not a value of the expected kind; the message says why."""


def parse_number(text: str) -> float:
    """A number written with a decimal point or comma, thousands separators, currency signs.

    A single comma is a decimal comma (``1234,5``); several commas, or a comma
    before a point, are thousands separators (``1,234,567.5``); likewise for points.

    Raises:
        ValueProblem: not a finite number.
    """
    try:
        value = float(text)
    except ValueError:
        value = _human_number(text)
    if not -MAX_AMOUNT < value < MAX_AMOUNT:  # also refuses nan and inf
        raise ValueProblem("not a finite number" if math.isnan(value) or math.isinf(value)
                           else "number too large")
    return value


def _human_number(text: str) -> float:
    s = text.strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):  # accounting negative
        negative, s = True, s[1:-1]
    s = _CURRENCY_WORD.sub("", s).translate(_JUNK)
    if s.endswith("-") and not s.startswith("-"):
        negative, s = True, s[:-1]
    comma, point = s.rfind(","), s.rfind(".")
    if comma >= 0 and point >= 0:
        s = s.replace(".", "").replace(",", ".") if comma > point else s.replace(",", "")
    elif comma >= 0:
        s = s.replace(",", "") if s.count(",") > 1 else s.replace(",", ".")
    elif s.count(".") > 1:
        s = s.replace(".", "")
    if not _PLAIN.fullmatch(s):
        raise ValueProblem("not a number" if text.strip() else "missing value")
    value = float(s)
    return -value if negative else value


def parse_date(text: str) -> date:
    """A date as ISO (2026-10-31), ISO basic (20261031), dd.mm.yyyy or dd/mm/yyyy.

    A time after the date (``31.10.2026 0:00:00``, ``2026-10-31T12:30``) is allowed
    and dropped: order lines are kept per day.

    Raises:
        ValueProblem: not one of these forms, or not a real day.
    """
    s = text.strip()
    if len(s) == 10 and s[4] == "-":
        try:
            return date.fromisoformat(s)
        except ValueError:
            pass
    match = _DATE.fullmatch(s)
    if match is None:
        raise ValueProblem("not a date (use 2026-10-31, 20261031, 31.10.2026 or 31/10/2026)"
                           if s else "missing value")
    g = match.groupdict()
    y, m, d = ((g["y"], g["m"], g["d"]) if g["y"] else
               (g["by"], g["bm"], g["bd"]) if g["by"] else (g["ey"], g["em"], g["ed"]))
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        raise ValueProblem("no such day") from None


def parse_int(text: str) -> int:
    """A whole number (``3``, ``3.0``, ``1 200``).

    Raises:
        ValueProblem: not a whole number.
    """
    try:
        return int(text)
    except ValueError:
        value = parse_number(text)
    if not value.is_integer():
        raise ValueProblem("not a whole number")
    return int(value)


def parse_bool(text: str) -> bool:
    """Yes/no in English or Russian, 1/0, true/false, x for a ticked box."""
    s = text.strip().casefold()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueProblem("not yes or no")
