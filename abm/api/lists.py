"""The queries behind the API's lists: visibility, filters and keyset pages.

Flask-free, like every service: the views pass a viewer and plain values.
Pages are cut by id (``id > after``), so a page costs the same wherever it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account, Contact, Interaction, Task
from abm.accounts.services import Viewer, visibility_clause
from abm.sales.models import OrderLine, Product, Receivable


@dataclass
class Rows:
    items: list[Any]
    next_after: int | None


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def keyset_page(session: Session, stmt: Select, id_column, after: int | None,
                limit: int) -> Rows:
    """Rows of ``stmt`` by id, ``limit`` of them after ``after``."""
    if after is not None:
        stmt = stmt.where(id_column > after)
    rows = list(session.scalars(stmt.order_by(id_column).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Rows(rows, rows[-1].id if more and rows else None)


def contacts(session: Session, viewer: Viewer, *, account_id: int | None = None, q: str = "",
             role: str | None = None, after: int | None = None, limit: int = 50) -> Rows:
    """Contacts of the accounts ``viewer`` may see."""
    stmt = select(Contact).join(Account, Account.id == Contact.account_id).where(
        visibility_clause(viewer))
    if account_id is not None:
        stmt = stmt.where(Contact.account_id == account_id)
    if q:
        stmt = stmt.where(or_(func.lower(Contact.name).like(_like(q), escape="\\"),
                              func.lower(Contact.email).like(_like(q), escape="\\")))
    if role:
        stmt = stmt.where(Contact.role == role)
    return keyset_page(session, stmt, Contact.id, after, limit)


def get_contact(session: Session, viewer: Viewer, contact_id: int) -> Contact | None:
    """The contact if its account is visible to ``viewer``."""
    stmt = select(Contact).join(Account, Account.id == Contact.account_id).where(
        Contact.id == contact_id, visibility_clause(viewer))
    return session.scalar(stmt)


def products(session: Session, *, q: str = "", category: str | None = None,
             top_assortment: bool | None = None, after: int | None = None,
             limit: int = 50) -> Rows:
    stmt = select(Product)
    if q:
        stmt = stmt.where(or_(func.lower(Product.name).like(_like(q), escape="\\"),
                              Product.sku == q))
    if category:
        stmt = stmt.where(Product.category == category)
    if top_assortment is not None:
        stmt = stmt.where(Product.top_assortment.is_(top_assortment))
    return keyset_page(session, stmt, Product.id, after, limit)


def tasks(session: Session, viewer: Viewer, *, account_id: int | None = None,
          assignee_id: int | None = None, status: str | None = None,
          after: int | None = None, limit: int = 50) -> Rows:
    """Tasks on visible accounts, and tasks assigned to ``viewer`` wherever they are."""
    stmt = select(Task).join(Account, Account.id == Task.account_id).where(
        or_(visibility_clause(viewer), Task.assignee_id == viewer.user_id))
    if account_id is not None:
        stmt = stmt.where(Task.account_id == account_id)
    if assignee_id is not None:
        stmt = stmt.where(Task.assignee_id == assignee_id)
    if status:
        stmt = stmt.where(Task.status == status)
    return keyset_page(session, stmt, Task.id, after, limit)


def interactions(session: Session, viewer: Viewer, *, account_id: int | None = None,
                 kind: str | None = None, after: int | None = None, limit: int = 50) -> Rows:
    stmt = select(Interaction).join(Account, Account.id == Interaction.account_id).where(
        visibility_clause(viewer))
    if account_id is not None:
        stmt = stmt.where(Interaction.account_id == account_id)
    if kind:
        stmt = stmt.where(Interaction.kind == kind)
    return keyset_page(session, stmt, Interaction.id, after, limit)


def get_interaction(session: Session, viewer: Viewer, interaction_id: int) -> Interaction | None:
    stmt = select(Interaction).join(Account, Account.id == Interaction.account_id).where(
        Interaction.id == interaction_id, visibility_clause(viewer))
    return session.scalar(stmt)


def offset_page(items: list[Any], offset: int | None, limit: int) -> tuple[list[Any], str | None]:
    """A page of a list computed in full (a report): ``limit`` items from ``offset``.

    Returns:
        The items and the cursor of the next page (its offset), None on the last page.
    """
    start = offset or 0
    page = items[start:start + limit]
    return page, str(start + limit) if start + limit < len(items) else None


def segment_members(session: Session, run_id: int, segment_id: int, *,
                    after: int | None = None, limit: int = 50) -> Rows:
    """Accounts of a segment at a segmentation run, with their distance to its centre."""
    from abm.segments.models import AccountSegment

    stmt = (select(AccountSegment.account_id.label("id"), Account.external_id, Account.name,
                   AccountSegment.distance)
            .join(Account, Account.id == AccountSegment.account_id)
            .where(AccountSegment.run_id == run_id, AccountSegment.segment_id == segment_id))
    if after is not None:
        stmt = stmt.where(AccountSegment.account_id > after)
    rows = list(session.execute(stmt.order_by(AccountSegment.account_id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Rows(rows, rows[-1].id if more and rows else None)


def order_lines(session: Session, viewer: Viewer, *, account_id: int | None = None,
                since: date | None = None, until: date | None = None,
                after: int | None = None, limit: int = 50) -> Rows:
    """Order lines of the accounts ``viewer`` may see, from ``since`` to ``until`` (inclusive)."""
    stmt = select(OrderLine).join(Account, Account.id == OrderLine.account_id).where(
        visibility_clause(viewer))
    if account_id is not None:
        stmt = stmt.where(OrderLine.account_id == account_id)
    if since is not None:
        stmt = stmt.where(OrderLine.date >= since)
    if until is not None:
        stmt = stmt.where(OrderLine.date <= until)
    return keyset_page(session, stmt, OrderLine.id, after, limit)


def get_order_line(session: Session, viewer: Viewer, line_id: int) -> OrderLine | None:
    return session.scalar(select(OrderLine).join(Account, Account.id == OrderLine.account_id)
                          .where(OrderLine.id == line_id, visibility_clause(viewer)))


def receivables(session: Session, viewer: Viewer, *, account_id: int | None = None,
                overdue_on: date | None = None, after: int | None = None,
                limit: int = 50) -> Rows:
    """Receivables of the accounts ``viewer`` may see; with ``overdue_on``, only those due
    before that day and not paid in full."""
    stmt = select(Receivable).join(Account, Account.id == Receivable.account_id).where(
        visibility_clause(viewer))
    if account_id is not None:
        stmt = stmt.where(Receivable.account_id == account_id)
    if overdue_on is not None:
        stmt = stmt.where(Receivable.due_on < overdue_on,
                          Receivable.paid_amount < Receivable.amount)
    return keyset_page(session, stmt, Receivable.id, after, limit)
