"""Sales: monthly aggregates kept from the order lines, and reads over them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import ARRAY, Integer, any_, bindparam, delete, distinct, func, insert, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.sales.models import MonthlyAccountProductSales, MonthlyAccountSales, OrderLine, Product
from abm.sales.months import add_months

_CHUNK = 500  # accounts per statement: well under every database's parameter limit


def refresh_monthly_aggregates(session: Session, account_ids: Iterable[int] | None = None,
                               months: tuple[date, date] | None = None) -> None:
    """Recompute the monthly aggregates of these accounts (all accounts when None).

    Runs as two INSERT ... SELECT ... GROUP BY statements per chunk, inside the
    caller's transaction: the aggregates never disagree with the order lines
    that a commit makes visible.

    Args:
        session: the caller's session; the caller commits.
        account_ids: the accounts whose lines changed (None: every account).
        months: (first, last) month, as first days: only the months in this range
            are recomputed; an import of one new month then leaves the history alone.
    """
    if session.get_bind().dialect.name == "postgresql":
        # What the aggregates' foreign keys did per row, once: no product can be
        # deleted before this transaction ends (SQLite: the transaction writes alone).
        session.execute(select(Product.id).with_for_update(read=True, key_share=True))
    if account_ids is None:
        _refresh(session, None, months)
        return
    ids = sorted(set(account_ids))
    # PostgreSQL takes the ids as one array parameter: one pass over the order lines and
    # one sort for every account, where chunks would each pay their own.
    chunk = (len(ids) or 1) if session.get_bind().dialect.name == "postgresql" else _CHUNK
    for start in range(0, len(ids), chunk):
        _refresh(session, ids[start : start + chunk], months)


def _in(column, ids: list[int], postgres: bool):
    if postgres:
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def _refresh(session: Session, ids: list[int] | None, months: tuple[date, date] | None) -> None:
    ol = OrderLine
    postgres = session.get_bind().dialect.name == "postgresql"
    where = [] if ids is None else [_in(ol.account_id, ids, postgres)]
    if postgres:
        locked = select(Account.id).with_for_update(read=True, key_share=True)
        session.execute(locked if ids is None else locked.where(_in(Account.id, ids, postgres)))
    if months is not None:
        # On the date, so that the (account_id, date) index serves the range.
        where += [ol.date >= months[0], ol.date < add_months(months[1], 1)]
    for table in (MonthlyAccountSales, MonthlyAccountProductSales):
        stmt = delete(table)
        if ids is not None:
            stmt = stmt.where(_in(table.account_id, ids, postgres))
        if months is not None:
            stmt = stmt.where(table.month >= months[0], table.month <= months[1])
        session.execute(stmt)

    monthly = (
        select(
            ol.account_id,
            ol.month,
            func.sum(ol.revenue),
            func.sum(ol.margin),
            func.sum(ol.quantity),
            func.count(),
            func.count(distinct(ol.document)),
            func.count(distinct(ol.date)),
        )
        .where(*where)
        .group_by(ol.account_id, ol.month)
    )
    session.execute(
        insert(MonthlyAccountSales).from_select(
            ["account_id", "month", "revenue", "margin", "quantity", "lines", "documents",
             "purchase_days"],
            monthly,
        )
    )
    per_product = (
        select(
            ol.account_id,
            ol.product_id,
            ol.month,
            func.sum(ol.revenue),
            func.sum(ol.margin),
            func.sum(ol.quantity),
            func.count(),
        )
        .where(ol.product_id.is_not(None), *where)
        .group_by(ol.account_id, ol.product_id, ol.month)
    )
    session.execute(
        insert(MonthlyAccountProductSales).from_select(
            ["account_id", "product_id", "month", "revenue", "margin", "quantity", "lines"],
            per_product,
        )
    )


def revenue_by_month(session: Session, first: date | None = None) -> list[dict]:
    """Total revenue, margin and active accounts per month, oldest first."""
    m = MonthlyAccountSales
    stmt = (
        select(m.month, func.sum(m.revenue), func.sum(m.margin), func.count())
        .group_by(m.month)
        .order_by(m.month)
    )
    if first is not None:
        stmt = stmt.where(m.month >= first)
    return [
        {"month": month, "revenue": float(rev or 0), "margin": float(mar or 0), "accounts": n}
        for month, rev, mar, n in session.execute(stmt)
    ]
