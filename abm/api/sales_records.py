"""Order lines and receivables, read as imported: the raw data behind every figure.

A sales user reads those of the accounts they own only. Both are written by
the importer (``POST /imports/orders`` and ``/imports/receivables``), never here.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from abm.api import lists
from abm.api.core import ApiError, current_viewer, operation
from abm.api.schemas import Id, Output, Page, PageQuery, QueryDay
from abm.db import get_session


class OrderLineOut(Output):
    id: int
    account_id: int
    product_id: int | None
    document: str
    line_no: int
    date: date
    quantity: float
    revenue: float = Field(description="In the workspace currency (``currency``).")
    margin: float | None
    currency: str
    original_currency: str | None = Field(description="The file's currency when it differed.")
    original_revenue: float | None
    original_margin: float | None


class OrderLineQuery(PageQuery):
    account_id: Id | None = None
    since: QueryDay | None = Field(None, description="Lines shipped on this day or later.")
    until: QueryDay | None = Field(None, description="Lines shipped on this day or earlier.")


class ReceivableOut(Output):
    id: int
    account_id: int
    document: str
    issued_on: date | None
    due_on: date
    amount: float
    paid_amount: float
    currency: str


class ReceivableQuery(PageQuery):
    account_id: Id | None = None
    overdue_on: QueryDay | None = Field(None, description="Only those due before this day and not "
                                   "paid in full (overdue receivables are a warning sign).")


def _next(rows: lists.Rows) -> str | None:
    return None if rows.next_after is None else str(rows.next_after)


@operation("GET", "/order-lines", summary="List order lines", tag="sales",
           query=OrderLineQuery, response=Page[OrderLineOut])
def order_lines(query: OrderLineQuery) -> Page[OrderLineOut]:
    rows = lists.order_lines(get_session(), current_viewer(), account_id=query.account_id,
                             since=query.since, until=query.until, after=query.after,
                             limit=query.limit)
    return Page[OrderLineOut](items=[OrderLineOut.model_validate(r) for r in rows.items],
                              next_cursor=_next(rows))


@operation("GET", "/order-lines/<int:line_id>", summary="Read an order line", tag="sales",
           response=OrderLineOut, errors=(404,))
def order_line(line_id: int) -> OrderLineOut:
    found = lists.get_order_line(get_session(), current_viewer(), line_id)
    if found is None:
        raise ApiError(404, "no such order line")
    return OrderLineOut.model_validate(found)


@operation("GET", "/receivables", summary="List receivables", tag="sales",
           query=ReceivableQuery, response=Page[ReceivableOut])
def receivables(query: ReceivableQuery) -> Page[ReceivableOut]:
    rows = lists.receivables(get_session(), current_viewer(), account_id=query.account_id,
                             overdue_on=query.overdue_on, after=query.after, limit=query.limit)
    return Page[ReceivableOut](items=[ReceivableOut.model_validate(r) for r in rows.items],
                               next_cursor=_next(rows))
