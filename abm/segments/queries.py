"""The SQL that turns sales into per-account arrays: purchase histories and segment features.

Everything heavy is one GROUP BY over the monthly aggregates plus index seeks
into the order lines (first and last purchase day), the same on SQLite and
PostgreSQL. Purchases on the same day count as one: a month's
``purchase_days`` is its number of distinct purchase days, and days of
different months never coincide, so their sum is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import String, and_, case, distinct, func, literal, select, type_coerce
from sqlalchemy.orm import Session

from abm.sales.models import MonthlyAccountProductSales, MonthlyAccountSales, OrderLine, Product


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


@dataclass
class Histories:
    """Purchase histories of the customers who bought by the end of calibration."""

    account_ids: np.ndarray
    first: np.ndarray  # datetime64[D]
    last: np.ndarray  # datetime64[D]
    days: np.ndarray  # distinct purchase days up to calibration end
    revenue: np.ndarray  # revenue up to calibration end
    first_day_revenue: np.ndarray


def sales_span(session: Session) -> tuple[date | None, date | None, int]:
    """First and last order date, and the number of months with sales.

    Found through the monthly aggregates and per-account index seeks: order
    lines have no index on the date alone, and a scan of them all is slow.
    """
    m, ol = MonthlyAccountSales, OrderLine
    first_month, last_month, months = session.execute(
        select(func.min(m.month), func.max(m.month), func.count(distinct(m.month)))).one()
    if first_month is None:
        return None, None, 0

    def edge(month: date, name: str) -> date:
        aggregate = getattr(func, name)
        per_account = (select(aggregate(ol.date)).where(ol.account_id == m.account_id)
                       .scalar_subquery())
        return _as_date(session.scalar(select(aggregate(per_account)).where(m.month == month)))

    return edge(first_month, "min"), edge(last_month, "max"), months


def purchase_histories(
    session: Session, calibration_end: date, last_order: date | None = None
) -> Histories:
    """Every customer's purchase days and revenue up to ``calibration_end`` (inclusive).

    ``last_order`` (the last order date, when known) saves reading the
    calibration month from the order lines when no line comes after its end.
    """
    m, ol = MonthlyAccountSales, OrderLine
    cal_month = month_start(calibration_end)
    month_is_whole = ((calibration_end + timedelta(days=1)).day == 1
                      or (last_order is not None and calibration_end >= last_order))
    # Months before this one are counted from the aggregates; a month cut by the
    # calibration end is counted from its order lines, through the index.
    whole_before = add_months(cal_month, 1) if month_is_whole else cal_month
    in_whole = m.month < whole_before
    agg = (
        select(
            m.account_id.label("account_id"),
            func.sum(case((in_whole, m.purchase_days), else_=0)).label("days"),
            func.sum(case((in_whole, m.revenue), else_=0)).label("revenue"),
        )
        .where(m.month <= cal_month)
        .group_by(m.account_id)
        .subquery()
    )
    first = (select(func.min(ol.date)).where(ol.account_id == agg.c.account_id)
             .scalar_subquery())
    last = (select(func.max(ol.date))
            .where(ol.account_id == agg.c.account_id, ol.date <= calibration_end)
            .scalar_subquery())
    columns = [agg.c.account_id, agg.c.days, agg.c.revenue, first.label("first"),
               last.label("last")]
    if not month_is_whole:
        # The month as a date range: the (account_id, date) index serves it.
        cut = and_(ol.account_id == agg.c.account_id, ol.date >= cal_month,
                   ol.date <= calibration_end)
        columns += [
            select(func.count(distinct(ol.date))).where(cut).scalar_subquery().label("cut_days"),
            select(func.coalesce(func.sum(ol.revenue), 0)).where(cut).scalar_subquery()
            .label("cut_revenue"),
        ]
    else:
        columns += [literal(0).label("cut_days"), literal(0).label("cut_revenue")]
    inner = select(*columns).subquery()
    first_day_revenue = (
        select(func.sum(ol.revenue))
        .where(ol.account_id == inner.c.account_id, ol.date == inner.c.first)
        .scalar_subquery()
    )
    stmt = select(inner.c.account_id, inner.c.days, inner.c.cut_days, inner.c.revenue,
                  inner.c.cut_revenue, first_day_revenue, inner.c.first, inner.c.last)
    rows = session.connection().execute(stmt).all()
    if not rows:
        empty = np.zeros(0)
        return Histories(np.zeros(0, dtype=np.int64), empty.astype("datetime64[D]"),
                         empty.astype("datetime64[D]"), empty, empty, empty)
    ids, days, cut_days, revenue, cut_revenue, first_revenue, first_day, last_day = zip(
        *rows, strict=True)
    # Vectorised conversions: per-row Python date handling cost more than the SQL.
    last_on = np.array(last_day, dtype="datetime64[D]")
    # Accounts whose first purchase comes after the calibration end have no
    # purchase by then; dropped here rather than in SQL, which would seek twice.
    keep = ~np.isnat(last_on)
    order = np.argsort(np.array(ids, dtype=np.int64)[keep], kind="stable")

    def column(values, dtype=float) -> np.ndarray:
        return np.nan_to_num(np.array(values, dtype=dtype)[keep][order]) if dtype is float \
            else np.array(values, dtype=dtype)[keep][order]

    return Histories(
        account_ids=column(ids, np.int64),
        first=column(first_day, "datetime64[D]"),
        last=last_on[keep][order],
        days=column(days) + column(cut_days),
        revenue=column(revenue) + column(cut_revenue),
        first_day_revenue=column(first_revenue),
    )


def _as_date(value) -> date:
    # Scalar subqueries lose the column type: SQLite then hands back ISO strings.
    return date.fromisoformat(value) if isinstance(value, str) else value


_SEGMENT_COLUMNS = ("revenue_12m", "margin_rate", "active_months_12m", "purchase_days_12m",
                    "recency_months", "tenure_months", "trend", "top_share")


def segment_columns(session: Session, as_of: date) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per account with sales up to month ``as_of``: the raw segment features.

    Returns the account ids and one array per feature name (potential columns
    excluded: they come from the latest potential fit).
    """
    m = MonthlyAccountSales
    w12, w6 = add_months(as_of, -11), add_months(as_of, -5)
    in12 = m.month >= w12
    known = and_(in12, m.margin.is_not(None))
    # One pass in primary-key order; a month-range query would sort instead.
    stmt = (
        select(
            m.account_id,
            func.sum(case((in12, m.revenue), else_=0)),
            func.sum(case((known, m.margin), else_=0)),
            func.sum(case((known, m.revenue), else_=0)),
            func.sum(case((and_(in12, m.lines > 0), 1), else_=0)),
            func.sum(case((in12, m.purchase_days), else_=0)),
            func.sum(case((m.month >= w6, m.revenue), else_=0)),
            type_coerce(func.min(m.month), String),
            type_coerce(func.max(m.month), String),
        )
        .where(m.month <= as_of)
        .group_by(m.account_id)
        .order_by(m.account_id)
    )
    rows = session.connection().execute(stmt).all()
    if not rows:
        return np.zeros(0, dtype=np.int64), {name: np.zeros(0) for name in _SEGMENT_COLUMNS}
    columns = list(zip(*rows, strict=True))
    ids = np.array(columns[0], dtype=np.int64)
    revenue, margin, revenue_with_margin, active, days, last6 = (
        np.nan_to_num(np.array(c, dtype=float)) for c in columns[1:7])
    prev6 = revenue - last6
    # Months since 1970-01, vectorised: dates come back as ISO strings or date objects.
    as_of_index = np.datetime64(as_of, "M").astype(int)
    first_index, last_index = (
        np.array(c, dtype="datetime64[D]").astype("datetime64[M]").astype(int)
        for c in columns[7:9])
    with np.errstate(divide="ignore", invalid="ignore"):
        margin_rate = np.where(revenue_with_margin > 0, margin / revenue_with_margin, 0.0)
        both = last6 + prev6
        trend = np.where(both > 0, (last6 - prev6) / both, 0.0)
    top = _top_share(session, ids, w12, as_of, revenue)
    return ids, {
        "revenue_12m": revenue,
        "margin_rate": np.clip(margin_rate, -1, 1),
        "active_months_12m": active,
        "purchase_days_12m": days,
        "recency_months": as_of_index - last_index,
        "tenure_months": as_of_index - first_index + 1,
        "trend": np.clip(trend, -1, 1),
        "top_share": top,
    }


def _top_share(session, ids, first_month, as_of, revenue) -> np.ndarray:
    p, mp = Product, MonthlyAccountProductSales
    stmt = (
        select(mp.account_id, func.sum(mp.revenue))
        .join(p, p.id == mp.product_id)
        .where(p.top_assortment.is_(True), mp.month >= first_month, mp.month <= as_of)
        .group_by(mp.account_id)
    )
    rows = session.connection().execute(stmt).all()
    top = np.zeros(len(ids))
    if rows:
        found_ids, values = zip(*rows, strict=True)
        top_ids = np.array(found_ids, dtype=np.int64)
        position = np.minimum(np.searchsorted(ids, top_ids), max(len(ids) - 1, 0))
        found = ids[position] == top_ids  # ids are sorted; an unknown id is skipped
        top[position[found]] = np.nan_to_num(np.array(values, dtype=float))[found]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(np.where(revenue > 0, top / revenue, 0.0), 0, 1)


def bulk_insert(session: Session, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many rows through the driver's executemany, in the caller's transaction.

    Per-row parameter handling in SQLAlchemy cost more than the database's own
    work at 100k rows; values here are plain ints, floats and None already.
    """
    if not rows:
        return
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    connection.exec_driver_sql(sql, rows)
