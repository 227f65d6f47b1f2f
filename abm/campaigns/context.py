"""The plain-data context a message template sees: account, contact, KAM, figures, products, offer.

Built in bulk (a few queries per batch of accounts, over the monthly
aggregate tables) so that a 100k-message campaign spends its time sending.
Only dicts, lists, strings and numbers go in: never ORM objects or functions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account, AccountCategory, Contact
from abm.campaigns.settings import CampaignSettings
from abm.loyalty.services import member_tiers
from abm.sales.models import MonthlyAccountProductSales, MonthlyAccountSales, Product
from abm.segments.models import AccountSegment, SegmentationRun
from abm.users.models import User
from abm.workspace.services import settings_of

_CHUNK = 500
TOP_PRODUCTS = 5
RECOMMENDED = 5


def _months_back(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def account_contexts(session: Session, account_ids: Iterable[int],
                     today: date | None = None) -> dict[int, dict]:
    """The account part of the context for many accounts at once.

    Recommended products are the top assortment an account does not buy yet,
    ranked by how many accounts of its segment in the latest segmentation buy
    them (over every account when it has no segment), in a few queries per
    call whatever the number of accounts.

    An account without an owner is signed for by the workspace: ``kam`` is then
    its sender name and signature (settings), so that no message ends unsigned.

    Returns:
        {account_id: {"account", "kam": {"name", "email", "signature"}, "figures",
                      "top_products", "recommended_products"}}
    """
    ids = sorted(set(account_ids))
    this_month = (today or date.today()).replace(day=1)
    start, prev_start = _months_back(this_month, 12), _months_back(this_month, 24)
    total = session.scalar(
        select(func.coalesce(func.sum(MonthlyAccountSales.revenue), 0)).where(
            MonthlyAccountSales.month >= start, MonthlyAccountSales.month < this_month)
    ) or 0.0
    run_id = session.scalar(select(func.max(SegmentationRun.id)))  # the latest segmentation
    rankings = _peer_rankings(session, run_id, start, this_month)
    settings = settings_of(session, CampaignSettings)
    sender = {"name": settings.sender_name, "email": "",
              "signature": settings.signature}
    result: dict[int, dict] = {}
    for chunk in _chunks(ids):
        _accounts(session, chunk, result, sender)
        _figures(session, chunk, result, start, prev_start, this_month, float(total))
        bought = _products(session, chunk, result, start, this_month)
        _recommend(session, chunk, result, bought, run_id, rankings)
    return result


def _accounts(session: Session, ids: list[int], result: dict[int, dict], sender: dict) -> None:
    cats = defaultdict(list)
    for account_id, category in session.execute(
        select(AccountCategory.account_id, AccountCategory.category)
        .where(AccountCategory.account_id.in_(ids))
    ):
        cats[account_id].append(category.value)
    rows = session.execute(
        select(Account.id, Account.name, Account.kind, Account.country, Account.region,
               Account.city, Account.industry, User.name, User.email)
        .outerjoin(User, User.id == Account.owner_id).where(Account.id.in_(ids))
    )
    tiers = member_tiers(session, ids)
    for (aid, name, kind, country, region, city, industry, kam_name, kam_email) in rows:
        result[aid] = {
            "account": {"id": aid, "name": name, "kind": kind.value, "country": country or "",
                        "region": region or "", "city": city or "", "industry": industry or "",
                        "loyalty_member": aid in tiers, "loyalty_tier": tiers.get(aid, ""),
                        "categories": sorted(cats[aid])},
            "kam": {"name": kam_name or "", "email": kam_email or "", "signature": ""}
            if kam_name or kam_email else dict(sender),
            "figures": {"revenue_12m": 0.0, "revenue_prev_12m": 0.0, "growth_percent": None,
                        "share_percent": 0.0, "months_active_12m": 0, "last_order_month": ""},
            "top_products": [],
            "recommended_products": [],
        }


def _figures(session, ids, result, start, prev_start, this_month, total) -> None:
    m = MonthlyAccountSales
    recent = m.month >= start
    rows = session.execute(
        select(m.account_id,
               func.sum(func.coalesce(m.revenue, 0)).filter(recent),
               func.sum(func.coalesce(m.revenue, 0)).filter(m.month < start),
               func.count().filter(recent, m.revenue > 0),
               func.max(m.month))
        .where(m.account_id.in_(ids), m.month >= prev_start, m.month < this_month)
        .group_by(m.account_id)
    )
    for aid, rev, prev, active, last in rows:
        fig = result[aid]["figures"]
        rev, prev = round(float(rev or 0), 2), round(float(prev or 0), 2)
        fig.update(revenue_12m=rev, revenue_prev_12m=prev, months_active_12m=int(active or 0),
                   share_percent=round(100 * rev / total, 2) if total else 0.0,
                   growth_percent=round(100 * (rev - prev) / prev, 1) if prev else None,
                   last_order_month=last.strftime("%Y-%m") if last else "")


def _products(session, ids, result, start, this_month) -> dict[int, set[int]]:
    """Fill each account's top products; returns the products each account bought."""
    mp = MonthlyAccountProductSales
    bought: dict[int, dict[int, dict]] = defaultdict(dict)
    for aid, pid, sku, name, revenue in session.execute(
        select(mp.account_id, Product.id, Product.sku, Product.name, func.sum(mp.revenue))
        .join(Product, Product.id == mp.product_id)
        .where(mp.account_id.in_(ids), mp.month >= start, mp.month < this_month)
        .group_by(mp.account_id, Product.id, Product.sku, Product.name)
    ):
        bought[aid][pid] = {"sku": sku, "name": name, "revenue": round(float(revenue or 0), 2)}
    for aid, products in bought.items():
        ranked = sorted(products.values(), key=lambda p: -p["revenue"])
        result[aid]["top_products"] = ranked[:TOP_PRODUCTS]
    return {aid: set(products) for aid, products in bought.items()}


def _peer_rankings(session, run_id, start, this_month) -> dict[int | None, list[dict]]:
    """The top assortment ranked per segment of the run: most buyers first, then most revenue.

    One GROUP BY over the monthly aggregates gives the buyers and revenue of
    every top-assortment product per segment of ``run_id``. Segments are
    disjoint, so their sums (with the accounts outside any segment) rank over
    every account, under the key None: the ranking for an account without a
    segment, and for every account before the first segmentation.
    """
    mp, seg = MonthlyAccountProductSales, AccountSegment
    products = [{"id": pid, "sku": sku, "name": name,
                 "price": float(price) if price is not None else None}
                for pid, sku, name, price in session.execute(
                    select(Product.id, Product.sku, Product.name, Product.price)
                    .where(Product.top_assortment.is_(True)))]
    buyers: dict[int | None, Counter] = defaultdict(Counter)
    revenue: dict[int | None, defaultdict[int, float]] = defaultdict(lambda: defaultdict(float))
    for segment_id, pid, n, amount in session.execute(
        select(seg.segment_id, mp.product_id, func.count(distinct(mp.account_id)),
               func.sum(mp.revenue))
        .join(Product, Product.id == mp.product_id)
        .outerjoin(seg, (seg.account_id == mp.account_id) & (seg.run_id == run_id))
        .where(Product.top_assortment.is_(True), mp.month >= start, mp.month < this_month)
        .group_by(seg.segment_id, mp.product_id)
    ):
        for key in {segment_id, None}:
            buyers[key][pid] += n
            revenue[key][pid] += float(amount or 0)

    def ranked(key: int | None) -> list[dict]:
        return sorted(products, key=lambda p: (-buyers[key][p["id"]], -revenue[key][p["id"]],
                                               p["sku"]))

    return {key: ranked(key) for key in {None, *buyers}}


def _recommend(session, ids, result, bought, run_id, rankings) -> None:
    """Top-assortment products each account does not buy yet, ranked by its segment's peers."""
    segments = dict(session.execute(
        select(AccountSegment.account_id, AccountSegment.segment_id)
        .where(AccountSegment.run_id == run_id, AccountSegment.account_id.in_(ids))).all())
    for aid in ids:
        if aid in result:
            ranked = rankings.get(segments.get(aid), rankings[None])
            result[aid]["recommended_products"] = [
                p for p in ranked if p["id"] not in bought.get(aid, ())][:RECOMMENDED]


def contact_context(contact: Contact) -> dict:
    """The contact part of the context."""
    return {"id": contact.id, "name": contact.name, "first_name": contact.name.split()[0]
            if contact.name else "", "email": contact.email or "", "role": contact.role.value,
            "position": contact.position or "", "language": contact.language}


def message_context(account_ctx: dict, contact: dict, offer: dict,
                    unsubscribe_url: str = "#", accept_url: str = "#") -> dict:
    """The whole context of one message (``accept_url``: an invitation's signed "yes")."""
    return {**account_ctx, "contact": contact, "offer": offer, "unsubscribe_url": unsubscribe_url,
            "accept_url": accept_url}
