"""The account list: search, filters, sort and keyset pagination that stay fast at 100k rows.

Pages are cut with a keyset (see :mod:`abm.analytics.account_orders`), not an OFFSET,
so page 500 costs what page 1 costs; the total is counted up to a cap so that
a broad filter never counts the whole table for a number nobody reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from abm.accounts.folding import fold
from abm.accounts.models import Account, AccountCategory, AccountKind, Category
from abm.accounts.services import Viewer, visibility_clause
from abm.analytics import reads
from abm.analytics.account_orders import ORDERS, page_ids
from abm.sales.reads import revenue_last_12_months
from abm.users.models import User

PAGE_SIZE = 50
COUNT_CAP = 10_000
# A search that matches at most this many names is resolved to their ids first.
SEARCH_IDS_CAP = 1_000


COMPETITOR_FILTERS = ("worked", "key_client")


@dataclass
class AccountFilters:
    """What the user asked the list for. Empty values mean "no filter".

    Attributes:
        q: searched in the name (anywhere, ignoring case in every script) and the
            external id (exact).
        kind: ``customer`` or ``prospect``.
        owner_id: an owner's user id; 0 means accounts without an owner.
        region: exact region.
        category: a qualitative category value.
        competitor: ``worked`` (prospects with a competitor as current supplier) or
            ``key_client`` (prospects that are a competitor's key client).
        ids: a SELECT of account ids from another service (a segment, an ABC-XYZ
            cell, a flag): only these accounts are listed.
        sort: a key of :data:`abm.analytics.account_orders.ORDERS`.
    """

    q: str = ""
    kind: str = ""
    owner_id: int | None = None
    region: str = ""
    category: str = ""
    competitor: str = ""
    ids: Select | None = field(default=None, repr=False)
    sort: str = "name"

    def __post_init__(self) -> None:
        self.q = (self.q or "").strip()[:100]
        if self.kind not in {k.value for k in AccountKind}:
            self.kind = ""
        if self.category not in {c.value for c in Category}:
            self.category = ""
        if self.competitor not in COMPETITOR_FILTERS:
            self.competitor = ""
        if self.sort not in ORDERS:
            self.sort = "name"


@dataclass(frozen=True, slots=True)
class AccountRow:
    """An account as the list shows it.

    Attributes:
        kind: the kind's value (``customer``, ``prospect``).
        owner: the owner's name.
        categories: the category values, sorted.
        revenue_12m: revenue over the 12 months ending with the latest month with sales,
            read now.
        revenue, share, growth, cell, churn: the stored analytics figures (``revenue``
            over the analytics period; ``cell`` "AX".."CZ"; ``churn`` a state value).
            ``revenue`` is what the list shows and sorts by; before the first refresh it
            is ``revenue_12m``.
    """

    id: int
    external_id: str | None
    name: str
    kind: str
    region: str | None
    city: str | None
    industry: str | None
    owner: str | None
    categories: list[str]
    revenue_12m: float
    revenue: float | None
    share: float | None
    growth: float | None
    cell: str | None
    churn: str | None


@dataclass
class AccountPage:
    """One page of the list.

    Attributes:
        rows: one per account, in the list's order.
        next_after: the cursor of the next page (None on the last page).
        total: how many accounts match, up to :data:`COUNT_CAP`.
        total_capped: whether there are more than that.
        period: the analytics snapshot the figures come from (``period_start``,
            ``period_end``, ``computed_at``, ``measure``), or None before the first
            refresh.
    """

    rows: list[AccountRow]
    next_after: int | None
    total: int
    total_capped: bool
    period: dict | None = None


def _search(session: Session, viewer: Viewer, q: str) -> ColumnElement[bool]:
    """Accounts whose folded name contains ``q`` folded, or whose code is ``q``.

    A part of a name cannot be looked up in an index: the folded names are read
    in the name index (which holds them). When they match few accounts, the ids
    are read first and the page is cut from those alone; otherwise the condition
    goes into the page's own query, which stops at the first page's worth in any
    order. Either way no order has to scan an index for a rare name (a sort by
    share did, row by row, 60 ms at 100k accounts).
    """
    in_name = Account.name_folded.contains(fold(q), autoescape=True)
    # The code as a subquery, so that the name is searched in the name index alone.
    by_code = Account.id.in_(select(Account.id).where(Account.external_id == q))
    found = session.scalars(select(Account.id).where(visibility_clause(viewer), in_name)
                            .limit(SEARCH_IDS_CAP + 1)).all()
    if len(found) <= SEARCH_IDS_CAP:
        return or_(Account.id.in_(found), by_code)
    return or_(in_name, by_code)


def _where(session: Session, viewer: Viewer, f: AccountFilters) -> list[ColumnElement[bool]]:
    where = [visibility_clause(viewer)]
    if f.q:
        where.append(_search(session, viewer, f.q))
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
    if f.competitor:
        where.append(Account.kind == AccountKind.PROSPECT)
        where.append(Account.competitor_key_client.is_(True) if f.competitor == "key_client"
                     else Account.current_supplier.is_not(None))
    if f.ids is not None:
        # Never correlated: the page may read from the same table (a cell listed by share).
        where.append(Account.id.in_(f.ids.correlate(None)))
    return where


def list_accounts(
    session: Session, viewer: Viewer, filters: AccountFilters, *,
    after: int | None = None, limit: int = PAGE_SIZE,
) -> AccountPage:
    """One page of the accounts ``viewer`` may see, matching ``filters``.

    Args:
        after: the id of the last account of the previous page (the keyset cursor).
        limit: rows per page.

    Returns:
        The rows (see :func:`_rows`), the cursor of the next page (None on the
        last page), the total, counted up to :data:`COUNT_CAP` (``total_capped``
        says when there are more), and the period of the stored figures.
    """
    where = _where(session, viewer, filters)
    ids = page_ids(session, where, filters.sort, after, limit + 1)
    more = len(ids) > limit
    ids = ids[:limit]
    if after is None and not more:  # the whole list is on this page: nothing more to count
        total, capped = len(ids), False
    else:
        total, capped = _count(session, viewer, filters, where)
    period = reads.latest_period(session)
    return AccountPage(rows=_rows(session, ids, stored=period is not None),
                       next_after=ids[-1] if more else None, total=total,
                       total_capped=capped, period=period)


def count_accounts(
    session: Session, viewer: Viewer, filters: AccountFilters, cap: int = COUNT_CAP
) -> tuple[int, bool]:
    """How many accounts match, counting at most ``cap`` (and whether the cap was hit)."""
    return _count(session, viewer, filters, _where(session, viewer, filters), cap)


def _count(session, viewer, filters, where, cap: int = COUNT_CAP) -> tuple[int, bool]:
    if _ids_only(viewer, filters):  # e.g. an ABC-XYZ cell: count in that table's own index
        limited = filters.ids.limit(cap + 1).subquery()
    else:
        limited = select(Account.id).where(*where).limit(cap + 1).subquery()
    n = session.scalar(select(func.count()).select_from(limited)) or 0
    return min(n, cap), n > cap


def _ids_only(viewer: Viewer, f: AccountFilters) -> bool:
    """Whether the accounts listed are just those of ``f.ids`` (ids of existing accounts)."""
    return (f.ids is not None and viewer.sees_every_account and f.owner_id is None
            and not (f.q or f.kind or f.region or f.category))


def _rows(session: Session, ids: list[int], *, stored: bool = True) -> list[AccountRow]:
    """The list's columns of these accounts, in this order; ``stored``: whether an
    analytics refresh has stored figures (else ``revenue`` is ``revenue_12m``)."""
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
    figures = reads.list_figures(session, ids)
    none = {"revenue": None, "share": None, "growth": None, "cell": None, "churn": None}
    out = []
    for i in ids:
        row = rows[i] | {"kind": rows[i]["kind"].value, "categories": categories[i],
                         "revenue_12m": revenue.get(i, 0.0)} | figures.get(i, none)
        if not stored:
            row["revenue"] = row["revenue_12m"]
        out.append(AccountRow(**row))
    return out


def filter_choices(session: Session, viewer: Viewer) -> dict[str, list]:
    """The values the filter form offers: regions and owners of visible accounts."""
    regions: Sequence[str | None]
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
) -> Iterator[AccountRow]:
    """Every matching account, in the list's order, read page by page (for exports)."""
    where = _where(session, viewer, filters)
    after = None
    while True:
        ids = page_ids(session, where, filters.sort, after, batch)
        yield from _rows(session, ids)
        if len(ids) < batch:
            return
        after = ids[-1]
