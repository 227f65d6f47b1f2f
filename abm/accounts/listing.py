"""The account list: search, filters, sort and keyset pagination that stay fast at 100k rows.

Pages are cut with a keyset (the sort key and id of the last row shown), not an
OFFSET, so page 500 costs what page 1 costs; the total is counted up to a cap so
that a broad filter never counts the whole table for a number nobody reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from abm.accounts.models import Account, AccountCategory, AccountKind, Category
from abm.accounts.services import Viewer, visibility_clause
from abm.sales.models import MonthlyAccountSales
from abm.users.models import User

PAGE_SIZE = 50
COUNT_CAP = 10_000

# name -> (key expressions, descending); the id is appended as the last key.
SORTS: dict[str, tuple[tuple, bool]] = {
    "name": ((Account.name,), False),
    "-name": ((Account.name,), True),
    "region": ((func.coalesce(Account.region, ""), Account.name), False),
    "-region": ((func.coalesce(Account.region, ""), Account.name), True),
    "created": ((), False),
    "-created": ((), True),
}


@dataclass
class AccountFilters:
    """What the user asked the list for. Empty values mean "no filter".

    Attributes:
        q: searched in the name (anywhere, any case) and the external id (exact).
        kind: ``customer`` or ``prospect``.
        owner_id: an owner's user id; 0 means accounts without an owner.
        region: exact region.
        category: a qualitative category value.
        ids: a SELECT of account ids from another service (a segment, an ABC-XYZ
            cell, a flag): only these accounts are listed.
        sort: a key of :data:`SORTS`.
    """

    q: str = ""
    kind: str = ""
    owner_id: int | None = None
    region: str = ""
    category: str = ""
    ids: Select | None = field(default=None, repr=False)
    sort: str = "name"

    def __post_init__(self) -> None:
        self.q = (self.q or "").strip()[:100]
        if self.kind not in {k.value for k in AccountKind}:
            self.kind = ""
        if self.category not in {c.value for c in Category}:
            self.category = ""
        if self.sort not in SORTS:
            self.sort = "name"


@dataclass
class AccountPage:
    rows: list[dict]
    next_after: int | None
    total: int
    total_capped: bool


class contains_any_case(FunctionElement):  # noqa: N801 - an SQL function, named like one
    """``contains_any_case(column, pattern)``: LIKE ignoring case, ``/`` as the escape.

    Each database gets its fastest form: SQLite's LIKE ignores ASCII case as it
    is (lower() on every row made a search of 100k names several times slower),
    PostgreSQL has ILIKE.
    """

    type = Boolean()
    inherit_cache = True


def _like_form(sql: str):
    """A compiler of :class:`contains_any_case` that writes ``sql`` ({column}, {pattern})."""

    def compile_like(element, compiler, **kw) -> str:
        column, pattern = (compiler.process(c, **kw) for c in element.clauses)
        return sql.format(column=column, pattern=pattern)

    return compile_like


compiles(contains_any_case)(_like_form("lower({column}) LIKE lower({pattern}) ESCAPE '/'"))
compiles(contains_any_case, "sqlite")(_like_form("{column} LIKE {pattern} ESCAPE '/'"))
compiles(contains_any_case, "postgresql")(_like_form("{column} ILIKE {pattern} ESCAPE '/'"))


def _escape_like(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _where(viewer: Viewer, f: AccountFilters) -> list[ColumnElement[bool]]:
    where = [visibility_clause(viewer)]
    if f.q:
        # The code as a subquery, so that the name is searched in the name index alone.
        where.append(or_(contains_any_case(Account.name, f"%{_escape_like(f.q)}%"),
                         Account.id.in_(select(Account.id).where(Account.external_id == f.q))))
    if f.kind:
        where.append(Account.kind == AccountKind(f.kind))
    if f.owner_id == 0:
        where.append(Account.owner_id.is_(None))
    elif f.owner_id:
        where.append(Account.owner_id == f.owner_id)
    if f.region:
        where.append(Account.region == f.region)
    if f.category:
        where.append(exists().where(AccountCategory.account_id == Account.id,
                                    AccountCategory.category == Category(f.category)))
    if f.ids is not None:
        where.append(Account.id.in_(f.ids))
    return where


def _page_ids(
    session: Session, viewer: Viewer, filters: AccountFilters, after: int | None, limit: int
) -> list[int]:
    keys, descending = SORTS[filters.sort]
    keys = [*keys, Account.id]  # the id breaks ties, so the order is total
    stmt = select(Account.id).where(*_where(viewer, filters))
    if after is not None:
        # The cursor row's own key values, read in the same statement.
        cursor = select(*keys).where(Account.id == after).subquery()
        row_keys, cursor_keys = tuple_(*keys), tuple_(*cursor.c)
        stmt = stmt.where(row_keys < cursor_keys if descending else row_keys > cursor_keys)
    order = [k.desc() if descending else k.asc() for k in keys]
    return list(session.scalars(stmt.order_by(*order).limit(limit)))


def list_accounts(
    session: Session, viewer: Viewer, filters: AccountFilters, *,
    after: int | None = None, limit: int = PAGE_SIZE,
) -> AccountPage:
    """One page of the accounts ``viewer`` may see, matching ``filters``.

    Args:
        after: the id of the last account of the previous page (the keyset cursor).
        limit: rows per page.

    Returns:
        The rows (plain dicts with the last-12-months revenue), the cursor of the
        next page (None on the last page) and the total, counted up to
        :data:`COUNT_CAP` (``total_capped`` says when there are more).
    """
    ids = _page_ids(session, viewer, filters, after, limit + 1)
    more = len(ids) > limit
    ids = ids[:limit]
    if after is None and not more:  # the whole list is on this page: nothing more to count
        total, capped = len(ids), False
    else:
        total, capped = count_accounts(session, viewer, filters)
    return AccountPage(rows=_rows(session, ids), next_after=ids[-1] if more else None,
                       total=total, total_capped=capped)


def count_accounts(
    session: Session, viewer: Viewer, filters: AccountFilters, cap: int = COUNT_CAP
) -> tuple[int, bool]:
    """How many accounts match, counting at most ``cap`` (and whether the cap was hit)."""
    if _ids_only(viewer, filters):  # e.g. an ABC-XYZ cell: count in that table's own index
        limited = filters.ids.limit(cap + 1).subquery()
    else:
        limited = select(Account.id).where(*_where(viewer, filters)).limit(cap + 1).subquery()
    n = session.scalar(select(func.count()).select_from(limited)) or 0
    return min(n, cap), n > cap


def _ids_only(viewer: Viewer, f: AccountFilters) -> bool:
    """Whether the accounts listed are just those of ``f.ids`` (ids of existing accounts)."""
    return (f.ids is not None and viewer.sees_every_account and f.owner_id is None
            and not (f.q or f.kind or f.region or f.category))


def _rows(session: Session, ids: list[int]) -> list[dict]:
    """The list's columns of these accounts, in this order (plain rows, no ORM objects)."""
    if not ids:
        return []
    a = Account
    rows = {r.id: r._asdict() for r in session.execute(
        select(a.id, a.external_id, a.name, a.kind, a.region, a.city, a.industry,
               User.name.label("owner"))
        .outerjoin(User, User.id == a.owner_id).where(a.id.in_(ids)))}
    categories: dict[int, list[str]] = {i: [] for i in ids}
    for account_id, category in session.execute(
            select(AccountCategory.account_id, AccountCategory.category)
            .where(AccountCategory.account_id.in_(ids)).order_by(AccountCategory.category)):
        categories[account_id].append(category.value)
    revenue = revenue_last_12_months(session, ids)
    return [rows[i] | {"kind": rows[i]["kind"].value, "categories": categories[i],
                       "revenue_12m": revenue.get(i, 0.0)} for i in ids]


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


def filter_choices(session: Session, viewer: Viewer) -> dict[str, list]:
    """The values the filter form offers: regions and owners of visible accounts."""
    if viewer.sees_every_account:
        regions = _all_regions(session)
    else:
        regions = session.scalars(
            select(Account.region).where(Account.region.is_not(None), visibility_clause(viewer))
            .distinct().order_by(Account.region)
        ).all()
    owners = session.execute(
        select(User.id, User.name).where(
            exists().where(and_(Account.owner_id == User.id, visibility_clause(viewer)))
        ).order_by(User.name)
    ).all()
    return {"regions": list(regions), "owners": [{"id": i, "name": n} for i, n in owners]}


def _all_regions(session: Session) -> list[str]:
    """Every region, read by a loose index scan: one index seek per region, where a
    DISTINCT reads an index entry per account."""
    regions = select(func.min(Account.region).label("region")).cte("regions", recursive=True)
    following = select(func.min(Account.region)).where(Account.region > regions.c.region)
    regions = regions.union_all(
        select(following.scalar_subquery()).where(regions.c.region.is_not(None)))
    return list(session.scalars(select(regions.c.region).where(regions.c.region.is_not(None))
                                .order_by(regions.c.region)))


def iter_accounts(
    session: Session, viewer: Viewer, filters: AccountFilters, batch: int = 1000
) -> Iterator[dict]:
    """Every matching account, in the list's order, read page by page (for exports)."""
    after = None
    while True:
        ids = _page_ids(session, viewer, filters, after, batch)
        yield from _rows(session, ids)
        if len(ids) < batch:
            return
        after = ids[-1]
