"""The orders of the accounts list, and its pages read by keyset in each of them.

A page is cut with a keyset (the sort key and id of the last row shown), not an
OFFSET, so page 500 costs what page 1 costs. An order by a column of the
accounts reads the accounts' own indexes.

An order by a stored figure (revenue, share, growth, churn risk) is read from
the figure's table, in its index, in two runs: the accounts that have the
figure, in the figure's order, then the accounts that do not (no sales in the
period, no churn state yet), by name. One query over an outer join would have
to read and sort every account for each page (20 ms at 100k accounts); this
reads one page off an index. The keyset cursor stays the account id: whether
the cursor account has the figure says which run the next page continues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select, tuple_
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.analytics.models import AccountAnalytics, ChurnState


@dataclass(frozen=True)
class Order:
    """One way to sort the list.

    Attributes:
        keys: what to sort by; the id of the keys' table breaks ties.
        descending: largest (or Z) first.
        figures: the table the keys live in (one row per account at most), when
            it is not ``accounts``: accounts without a row, or with a null key,
            come last, by name, in either direction.
    """

    keys: tuple = ()
    descending: bool = False
    figures: Any = None


def _orders() -> dict[str, Order]:
    region = (func.coalesce(Account.region, ""), Account.name)
    orders = {"name": Order((Account.name,)), "region": Order(region), "created": Order()}
    aa, churn = AccountAnalytics, ChurnState
    orders |= {
        "revenue": Order((aa.revenue,), figures=aa),
        "share": Order((aa.share,), figures=aa),
        "growth": Order((aa.growth,), figures=aa),
        # The churn states sort lost > at_risk > active as text, which is also the
        # order of their risk (a test holds it); then the revenue at stake.
        "churn": Order((churn.state, churn.revenue_at_stake), figures=churn),
    }
    return orders | {f"-{name}": Order(o.keys, True, o.figures) for name, o in orders.items()}


ORDERS: dict[str, Order] = _orders()


def page_ids(
    session: Session, where: list[ColumnElement[bool]], sort: str, after: int | None,
    limit: int,
) -> list[int]:
    """The ids of up to ``limit`` accounts matching ``where``, after ``after``, in ``sort``.

    Args:
        where: conditions on :class:`Account`.
        sort: a key of :data:`ORDERS`.
        after: the id of the last account of the previous page (None: the first page).
    """
    order = ORDERS[sort]
    if order.figures is None:
        return _read(session, select(Account.id).where(*where),
                     (*order.keys, Account.id), order.descending, after, limit)
    figures = order.figures
    present = [key.is_not(None) for key in order.keys]
    ids: list[int] = []
    if after is None or session.scalar(
            select(figures.account_id).where(figures.account_id == after, *present)) is not None:
        with_figure = (select(figures.account_id)
                       .join(Account, Account.id == figures.account_id).where(*where, *present))
        ids = _read(session, with_figure, (*order.keys, figures.account_id), order.descending,
                    after, limit)
        if len(ids) == limit:
            return ids
        after = None  # the accounts without the figure, from the first
    without = select(Account.id).where(
        *where, ~exists().where(figures.account_id == Account.id, *present))
    return ids + _read(session, without, (Account.name, Account.id), False, after,
                       limit - len(ids))


def _read(
    session: Session, stmt: Select, keys: tuple, descending: bool, after: int | None,
    limit: int,
) -> list[int]:
    """``stmt`` in the order of ``keys`` (the last is an id), after the row of id ``after``."""
    if after is not None:
        # The cursor row's own key values, read in the same statement.
        cursor = select(*keys).where(keys[-1] == after).subquery()
        row_keys, cursor_keys = tuple_(*keys), tuple_(*cursor.c)
        stmt = stmt.where(row_keys < cursor_keys if descending else row_keys > cursor_keys)
    order = [k.desc() if descending else k.asc() for k in keys]
    return list(session.scalars(stmt.order_by(*order).limit(limit)))
