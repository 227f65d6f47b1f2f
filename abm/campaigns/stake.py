"""What a manager approves: who gets the offer, what they buy, what it costs, what it may bring.

Everything is read with aggregates over the monthly sales table, the order
lines of earlier campaigns' attribution windows and the analytics labels, a
fixed number of queries whatever the size of the audience:

- the accounts that receive the offer (matched, with at least one recipient)
  and their recipients;
- their revenue over the last 12 full months;
- the cost of the offer if they buy as usual: the discount on that revenue, and
  the volume bonus on each account's revenue above the bonus threshold;
- the extra revenue expected from the uplift (treated against held-out
  accounts, in the attribution window) of earlier campaigns of the same kind,
  or None when there is none to learn from;
- the largest receiving account and its share of the company's revenue.

Figures assume every targeted account receives the offer; the control group
(``holdout_share`` of them) will not, so they are an upper bound.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account, Contact
from abm.analytics.models import AccountAnalytics
from abm.analytics.periods import add_months
from abm.campaigns.audiences import AudienceError, account_condition, contact_condition
from abm.campaigns.models import Campaign
from abm.campaigns.offers import offer_terms
from abm.campaigns.settings import CampaignSettings
from abm.db import utcnow
from abm.delivery.models import HoldoutMember, OutboxMessage, OutboxState
from abm.sales.models import MonthlyAccountSales, OrderLine
from abm.workspace.services import settings_of

EARLIER_CAMPAIGNS = 5  # the latest campaigns of the kind whose uplift counts


@dataclass(frozen=True)
class LargestAccount:
    """The receiving account with the largest share of the company's revenue."""

    id: int
    name: str
    revenue_12m: float
    share: float  # of the company's revenue (0..1)
    from_labels: bool  # the share of the analytics labels, else of the last 12 months
    is_key: bool | None = None
    dependency: bool | None = None
    mono_client: bool | None = None


@dataclass(frozen=True)
class EarlierUplift:
    """One earlier campaign of the same kind, and its uplift per treated account."""

    campaign_id: int
    name: str
    treated_accounts: int
    held_out_accounts: int
    uplift_per_account: float


@dataclass(frozen=True)
class Stake:
    """The approval screen's figures for one campaign (amounts in the workspace currency)."""

    period_start: date
    period_end: date  # the last month included
    accounts: int
    recipients: int
    holdout_share: float
    revenue_12m: float
    discount_percent: float | None
    discount_cost: float | None
    bonus_percent: float | None
    bonus_threshold: float | None
    bonus_accounts: int  # accounts whose revenue is above the bonus threshold
    bonus_base: float  # their revenue above it
    bonus_cost: float | None
    cost: float
    attribution_days: int
    earlier: list[EarlierUplift]
    uplift_per_account: float | None
    expected_extra_revenue: float | None  # None: unknown, no earlier campaign to learn from
    largest: LargestAccount | None


def approval_stake(session: Session, campaign: Campaign, today: date | None = None) -> Stake:
    """The figures of :class:`Stake` for a campaign as it stands (its audience and offer)."""
    settings = settings_of(session, CampaignSettings)
    this_month = (today or date.today()).replace(day=1)
    start = add_months(this_month, -12)
    audience = campaign.audience or {}
    cond, ccond = account_condition(session, audience), contact_condition(audience)
    targets = (select(Contact.account_id).join(Account, Account.id == Contact.account_id)
               .where(cond, ccond).distinct())
    accounts, recipients = session.execute(
        select(func.count(distinct(Contact.account_id)), func.count(Contact.id))
        .join(Account, Account.id == Contact.account_id).where(cond, ccond)).one()
    m = MonthlyAccountSales
    per_account = (
        select(m.account_id.label("account_id"), func.sum(m.revenue).label("revenue"))
        .where(m.account_id.in_(targets), m.month >= start, m.month < this_month)
        .group_by(m.account_id).subquery())
    terms = offer_terms(campaign)
    threshold = terms.bonus_threshold or 0.0
    rev = per_account.c.revenue
    revenue, base, above = session.execute(select(
        func.coalesce(func.sum(rev), 0),
        func.coalesce(func.sum(case((rev > threshold, rev - threshold), else_=0)), 0),
        func.count().filter(rev > threshold))).one()
    revenue, base = float(revenue), float(base)
    discount_cost = _r(revenue * terms.discount_percent / 100) \
        if terms.discount_percent is not None else None
    bonus_cost = _r(base * terms.bonus_percent / 100) if terms.bonus_percent else None
    days = settings.attribution_days
    earlier = _earlier_uplifts(session, campaign, days)
    treated = sum(e.treated_accounts for e in earlier)
    per_account_uplift = _r(sum(e.uplift_per_account * e.treated_accounts for e in earlier)
                            / treated) if treated else None
    return Stake(
        period_start=start, period_end=add_months(this_month, -1), accounts=accounts,
        recipients=recipients, holdout_share=campaign.holdout_share, revenue_12m=_r(revenue),
        discount_percent=terms.discount_percent, discount_cost=discount_cost,
        bonus_percent=terms.bonus_percent if terms.has_bonus else None,
        bonus_threshold=threshold if terms.has_bonus else None,
        bonus_accounts=int(above or 0) if terms.has_bonus else 0,
        bonus_base=_r(base) if terms.has_bonus else 0.0, bonus_cost=bonus_cost,
        cost=_r((discount_cost or 0) + (bonus_cost or 0)), attribution_days=days,
        earlier=earlier, uplift_per_account=per_account_uplift,
        expected_extra_revenue=_r(per_account_uplift * accounts)
        if per_account_uplift is not None else None,
        largest=_largest(session, per_account, start, this_month),
    )


def _r(value: float) -> float:
    return round(float(value), 2)


def _largest(session: Session, per_account, start: date, end: date) -> LargestAccount | None:
    """The receiving account with the largest share: the analytics label's share where the
    account has one, else its share of everyone's revenue over the same 12 months."""
    total = float(session.scalar(select(func.coalesce(func.sum(MonthlyAccountSales.revenue), 0))
                                 .where(MonthlyAccountSales.month >= start,
                                        MonthlyAccountSales.month < end)) or 0)
    if not total:
        return None
    aa, rev = AccountAnalytics, per_account.c.revenue
    row = session.execute(
        select(Account.id, Account.name, rev, aa.share, aa.is_key, aa.dependency, aa.mono_client)
        .select_from(per_account).join(Account, Account.id == per_account.c.account_id)
        .outerjoin(aa, aa.account_id == Account.id)
        .order_by(func.coalesce(aa.share, rev / total).desc(), Account.id).limit(1)).first()
    if row is None:
        return None
    aid, name, revenue, share, is_key, dependency, mono = row
    labelled = share is not None
    return LargestAccount(id=aid, name=name, revenue_12m=_r(revenue),
                          share=round(float(share if labelled else revenue / total), 4),
                          from_labels=labelled, is_key=is_key, dependency=dependency,
                          mono_client=mono)


def _earlier_uplifts(session: Session, campaign: Campaign, days: int) -> list[EarlierUplift]:
    """The uplift of the latest campaigns of the same kind whose attribution window is over.

    Defined as on the results page (:mod:`abm.campaigns.results`): mean revenue
    shipped in the window per treated account (sent at least one message) less
    the same per held-out account; a campaign without both groups teaches nothing.
    """
    over = utcnow() - timedelta(days=days)
    found = []
    for cid, name, started in session.execute(
            select(Campaign.id, Campaign.name, Campaign.started_at)
            .where(Campaign.kind == campaign.kind, Campaign.id != campaign.id,
                   Campaign.started_at.is_not(None), Campaign.started_at <= over)
            .order_by(Campaign.started_at.desc()).limit(EARLIER_CAMPAIGNS)):
        if started is None:  # excluded by the query
            continue
        treated = (select(OutboxMessage.account_id).where(
            OutboxMessage.campaign_id == cid, OutboxMessage.state == OutboxState.SENT).distinct())
        held = select(HoldoutMember.account_id).where(HoldoutMember.campaign_id == cid)
        n_treated, n_held = (session.scalar(select(func.count()).select_from(q.subquery()))
                             for q in (treated, held))
        if not n_treated or not n_held:
            continue
        first = started.date() if isinstance(started, datetime) else started
        shipped = [float(session.scalar(
            select(func.coalesce(func.sum(OrderLine.revenue), 0))
            .where(OrderLine.account_id.in_(group), OrderLine.date >= first,
                   OrderLine.date < first + timedelta(days=days))) or 0)
            for group in (treated, held)]
        found.append(EarlierUplift(cid, name, n_treated, n_held,
                                   _r(shipped[0] / n_treated - shipped[1] / n_held)))
    return found


def stake_summary(session: Session, campaign: Campaign) -> dict:
    """The main figures of the stake, as plain JSON for the audit log (or why there are none:
    an audience that no longer evaluates does not stop a manager from rejecting it)."""
    try:
        stake = approval_stake(session, campaign)
    except AudienceError as exc:
        return {"error": str(exc)}
    keep = ("accounts", "recipients", "revenue_12m", "discount_cost", "bonus_cost", "cost",
            "uplift_per_account", "expected_extra_revenue")
    summary = {k: v for k, v in asdict(stake).items() if k in keep}
    summary["period"] = [stake.period_start.isoformat(), stake.period_end.isoformat()]
    if stake.largest is not None:
        summary["largest_account"] = {"id": stake.largest.id, "share": stake.largest.share}
    return summary
