"""Calendar months as analytics counts them: full months, first day of each."""

from __future__ import annotations

from datetime import date, timedelta

from abm.sales.months import add_months, month_start

__all__ = ["add_months", "last_full_month", "month_span", "month_start", "months_between"]


def last_full_month(today: date) -> date:
    """The first day of the last calendar month that has fully ended before ``today``."""
    return add_months(month_start(today), -1)


def month_span(end: date, months: int) -> tuple[date, date]:
    """The first and last month of the ``months`` full months that end with ``end``."""
    return add_months(end, -(months - 1)), end


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last``, both included."""
    out = []
    month = month_start(first)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the first day of that month.

    Raises:
        ValueError: not a month in that form.
    """
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a month in the form YYYY-MM") from None


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_end(month: date) -> date:
    """The last day of ``month``."""
    return add_months(month, 1) - timedelta(days=1)
