"""Small, hand-made sales histories: order lines go through the real monthly aggregates."""

from __future__ import annotations

from datetime import date

from tests.factories import OrderLines

TODAY = date(2026, 11, 15)  # the last full month is October 2026


class Shop(OrderLines):
    """The order-line builder of tests/factories.py, whose accounts carry their name as
    external id and have had their terms reviewed (the analytics rules read both)."""

    def account(self, name: str, **kw) -> int:
        kw.setdefault("terms_reviewed_on", TODAY)
        kw.setdefault("external_id", name)
        return super().account(name, **kw)


def months_of(year: int, first_month: int, count: int) -> list[date]:
    """``count`` consecutive first days of months from (year, first_month)."""
    out = []
    y, m = year, first_month
    for _ in range(count):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# The 12 full months before TODAY: November 2025 to October 2026.
PERIOD = months_of(2025, 11, 12)
