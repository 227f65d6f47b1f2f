"""What pages read of sales: an account's months, the latest month, its buying rhythm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abm.sales.models import MonthlyAccountSales, OrderLine


def latest_month(session: Session) -> date | None:
    """The most recent month with sales (read from the month index)."""
    return session.scalar(select(func.max(MonthlyAccountSales.month)))


def revenue_last_12_months(session: Session, account_ids: list[int]) -> dict[int, float]:
    """Revenue of each account over the 12 months ending with the latest month with sales."""
    last = latest_month(session)
    if last is None or not account_ids:
        return {}
    index = last.year * 12 + last.month - 1 - 11
    first = date(index // 12, index % 12 + 1, 1)
    m = MonthlyAccountSales
    stmt = (
        select(m.account_id, func.sum(m.revenue))
        .where(m.account_id.in_(account_ids), m.month >= first, m.month <= last)
        .group_by(m.account_id)
    )
    return {account_id: float(total or 0) for account_id, total in session.execute(stmt)}


@dataclass(frozen=True, slots=True)
class MonthRevenue:
    """An account's revenue and margin (None where unknown) in a month (its first day)."""

    month: date
    revenue: float
    margin: float | None


def monthly_revenue(session: Session, account_id: int, months: int = 24,
                    last: date | None = None) -> list[MonthRevenue]:
    """Revenue and margin per month for the ``months`` months ending with ``last``.

    Months without shipments are present with zero: a gap is what a KAM must see.
    ``last`` defaults to the latest month with sales anywhere (the data's "now").
    """
    if last is None:
        last = latest_month(session)
        if last is None:
            return []
    index = last.year * 12 + last.month - 1
    series = [date((index - k) // 12, (index - k) % 12 + 1, 1) for k in range(months - 1, -1, -1)]
    m = MonthlyAccountSales
    stmt = select(m.month, m.revenue, m.margin).where(
        m.account_id == account_id, m.month >= series[0], m.month <= series[-1]
    )
    found = {month: (float(rev or 0), None if mar is None else float(mar))
             for month, rev, mar in session.execute(stmt)}
    return [MonthRevenue(month, *found.get(month, (0.0, None))) for month in series]


@dataclass(frozen=True, slots=True)
class OrderRhythm:
    """An account's own buying rhythm: its purchase days and the median gap between them.

    ``next_expected`` is the last purchase day plus the median gap: when the account
    would buy next if it kept its usual pace (None with fewer than two purchase days).
    """

    purchase_days: int
    first_order: date
    last_order: date
    median_gap_days: int | None
    next_expected: date | None


def order_rhythm(session: Session, account_id: int) -> OrderRhythm | None:
    """The rhythm of one account's purchase days (None when it never bought).

    The median, not the mean, of the gaps: one long holiday break should not move
    the expected date of every next order.
    """
    days = sorted(session.scalars(
        select(OrderLine.date).where(OrderLine.account_id == account_id).distinct()))
    if not days:
        return None
    gaps = sorted((b - a).days for a, b in zip(days, days[1:], strict=False))
    gap = None
    if gaps:
        middle = len(gaps) // 2
        gap = gaps[middle] if len(gaps) % 2 else round((gaps[middle - 1] + gaps[middle]) / 2)
    return OrderRhythm(
        purchase_days=len(days), first_order=days[0], last_order=days[-1],
        median_gap_days=gap,
        next_expected=None if gap is None else days[-1] + timedelta(days=gap))
