"""The per-account figures every rule starts from: one GROUP BY over the monthly aggregates.

Sums come back as floats on SQLite and as exact numerics on PostgreSQL; they
are rounded to cents here so that sorting, ties and thresholds come out the
same on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.analytics.periods import add_months
from abm.sales.models import MonthlyAccountSales

MEASURES = ("revenue", "margin")


@dataclass(frozen=True)
class AccountFigures:
    """One account's sums over the analysis period and the regularity window."""

    account_id: int
    external_id: str | None
    name: str
    value: float  # revenue or margin over the period
    revenue: float  # revenue over the period (``value`` when the measure is revenue)
    early: float  # the first half of the period (the same measure)
    late: float  # the last half of the period
    xyz_sum: float  # revenue over the regularity window
    xyz_sumsq: float  # sum of squared monthly revenues over that window


def measure_column(measure: str):
    """The aggregate column of ``measure`` (margin counts as 0 where unknown)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; use revenue or margin")
    m = MonthlyAccountSales
    return m.revenue if measure == "revenue" else func.coalesce(m.margin, 0)


def months_between_sql(session: Session, column, first: date, last: date):
    """``first <= column <= last``, written so that SQLite scans the table in key order.

    Over most of the table, reading it in (account_id, month) order and grouping
    as it goes is several times faster than SQLite's choice of the month index
    plus a temporary B-tree; wrapping the column in COALESCE keeps SQLite off
    that index. PostgreSQL gets the plain comparison: the wrapped one would
    spoil its row estimate (and its choice of a hash aggregate).
    """
    if session.get_bind().dialect.name == "sqlite":
        column = func.coalesce(column, column)
    return and_(column >= first, column <= last)


def _cents(value) -> float:
    return round(float(value or 0), 2)


def account_figures(
    session: Session,
    *,
    end: date,
    months: int,
    measure: str,
    xyz_months: int | None = None,
    account_ids: list[int] | None = None,
    with_names: bool = True,
) -> list[AccountFigures]:
    """Sums per account over the ``months`` full months ending with ``end``.

    Only accounts with at least one aggregate row in either window appear. The
    halves used for growth are the last ``months // 2`` months and the same
    number of months before them.

    Args:
        end: the first day of the last month of the period.
        months: length of the period in months.
        measure: "revenue" or "margin".
        xyz_months: length of the regularity window ending with ``end``
            (default: ``months``).
        account_ids: restrict to these accounts (default: all).
        with_names: read each account's external id and name (the full
            refresh, which stores ids only, skips the join).
    """
    m = MonthlyAccountSales
    col = measure_column(measure)
    xyz_months = xyz_months or months
    start = add_months(end, -(months - 1))
    half = months // 2
    late_start = add_months(end, -(half - 1)) if half else add_months(end, 1)
    early_start = add_months(end, -(2 * half - 1)) if half else late_start
    xyz_start = add_months(end, -(xyz_months - 1))
    in_period = and_(m.month >= start, m.month <= end)
    in_xyz = and_(m.month >= xyz_start, m.month <= end)
    zero = 0
    per_account = (
        select(
            m.account_id.label("account_id"),
            func.sum(case((in_period, col), else_=zero)).label("value"),
            func.sum(case((in_period, m.revenue), else_=zero)).label("revenue"),
            func.sum(case((and_(m.month >= early_start, m.month < late_start), col),
                          else_=zero)).label("early"),
            func.sum(case((and_(m.month >= late_start, m.month <= end), col),
                          else_=zero)).label("late"),
            func.sum(case((in_xyz, m.revenue), else_=zero)).label("xyz_sum"),
            func.sum(case((in_xyz, m.revenue * m.revenue), else_=zero)).label("xyz_sumsq"),
        )
        .where(months_between_sql(session, m.month, min(start, xyz_start), end))
        .group_by(m.account_id)
    )
    if account_ids is not None:
        per_account = per_account.where(m.account_id.in_(account_ids))
    if with_names:
        sub = per_account.subquery()
        stmt = select(sub, Account.external_id, Account.name).join(
            Account, Account.id == sub.c.account_id
        )
    else:
        stmt = per_account
    return [
        AccountFigures(
            account_id=row.account_id,
            external_id=row.external_id if with_names else None,
            name=row.name if with_names else "",
            value=_cents(row.value),
            revenue=_cents(row.revenue),
            early=_cents(row.early),
            late=_cents(row.late),
            xyz_sum=_cents(row.xyz_sum),
            xyz_sumsq=float(row.xyz_sumsq or 0),
        )
        for row in session.execute(stmt)
    ]


class Ranked(NamedTuple):
    """An account's place in the ranking, as shares of the total of positive values."""

    account_id: int
    value: float
    rank: int
    tied_before: float  # share of the accounts with a strictly larger value
    before: float  # share of the accounts ranked above it (ties ordered by id)
    through: float  # ``before`` plus its own share


def ranked(values: dict[int, float]) -> list[Ranked]:
    """Rank positive values, largest first, ties by account id.

    ``tied_before`` gives equal values the same figure (so that they always
    get the same ABC class); ``before`` is positional, for the smallest set
    that reaches a share (the Pareto core).
    """
    positive = sorted((-v, a) for a, v in values.items() if v > 0)
    total = -sum(v for v, _ in positive)
    out = []
    cumulative = 0.0
    tied = 0.0
    previous = None
    for rank, (negative, account_id) in enumerate(positive, start=1):
        value = -negative
        if value != previous:
            tied = cumulative
            previous = value
        out.append(Ranked(account_id, value, rank, tied / total, cumulative / total,
                          (cumulative + value) / total))
        cumulative += value
    return out
