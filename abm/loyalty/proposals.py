"""Tier changes the revenue rule proposes each month, and a manager's decision on each.

The rule never moves a member by itself: a tier often carries terms (DOMAIN.md:
individual terms only after management approval), so each month it proposes,
and a manager confirms or rejects. Proposing twice for a month adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.audit import services as audit
from abm.audit.services import Actor
from abm.db import utcnow
from abm.loyalty.models import (
    LoyaltyMembership,
    LoyaltyProgramme,
    LoyaltyTier,
    MembershipStatus,
    ProposalStatus,
    TierProposal,
    TierRule,
)
from abm.loyalty.services import Conflict, NotFound, account_ids_with_status
from abm.sales.models import MonthlyAccountSales
from abm.sales.months import add_months, month_start
from abm.workspace.refusals import N_

DECIDED = "loyalty_tier_decided"


@dataclass(frozen=True)
class ProposalView:
    id: int
    account_id: int
    account_name: str
    programme: str
    month: date
    from_tier: str | None
    to_tier: str | None
    revenue: float
    status: str


def tier_for(tiers: list[LoyaltyTier], revenue: float) -> LoyaltyTier | None:
    """The highest tier whose minimum the revenue reaches (None: below every tier)."""
    reached = [t for t in tiers if t.min_revenue is not None and revenue >= t.min_revenue]
    return max(reached, key=lambda t: (t.min_revenue, t.rank)) if reached else None


def _revenues(session: Session, programme: LoyaltyProgramme, month: date) -> dict[int, float]:
    """Each member's revenue over the programme's period: the full months before ``month``."""
    members = account_ids_with_status(MembershipStatus.MEMBER, programme.id)
    start = add_months(month, -programme.period_months)
    rows = session.execute(
        select(MonthlyAccountSales.account_id,
               func.coalesce(func.sum(MonthlyAccountSales.revenue), 0))
        .where(MonthlyAccountSales.account_id.in_(members),
               MonthlyAccountSales.month >= start, MonthlyAccountSales.month < month)
        .group_by(MonthlyAccountSales.account_id))
    return {account_id: float(revenue) for account_id, revenue in rows}


def propose_tier_changes(session: Session, today: date | None = None) -> int:
    """Propose, for this month, the tier the revenue rule gives each member whose tier differs.

    Returns:
        How many proposals were added.
    """
    month = month_start(today or utcnow().date())
    added = 0
    for programme in session.scalars(select(LoyaltyProgramme).where(
            LoyaltyProgramme.active.is_(True), LoyaltyProgramme.rule == TierRule.REVENUE)):
        revenues = _revenues(session, programme, month)
        done = set(session.scalars(select(TierProposal.membership_id).join(
            LoyaltyMembership, LoyaltyMembership.id == TierProposal.membership_id)
                                   .where(LoyaltyMembership.programme_id == programme.id,
                                          TierProposal.month == month)))
        for m in session.scalars(select(LoyaltyMembership).where(
                LoyaltyMembership.programme_id == programme.id,
                LoyaltyMembership.account_id.in_(
                    account_ids_with_status(MembershipStatus.MEMBER, programme.id)))):
            revenue = revenues.get(m.account_id, 0.0)
            target = tier_for(list(programme.tiers), revenue)
            if m.id in done or (target.id if target else None) == m.tier_id:
                continue
            session.add(TierProposal(membership_id=m.id, month=month, from_tier_id=m.tier_id,
                                     to_tier_id=target.id if target else None,
                                     revenue=round(revenue, 2)))
            added += 1
    session.flush()
    return added


def _view(p: TierProposal, account_name: str) -> ProposalView:
    return ProposalView(p.id, p.membership.account_id, account_name, p.membership.programme.name,
                        p.month, p.from_tier.name if p.from_tier else None,
                        p.to_tier.name if p.to_tier else None, p.revenue, p.status.value)


def pending_proposals(session: Session, account_id: int | None = None) -> list[ProposalView]:
    """Proposals waiting for a manager, by account name."""
    stmt = (select(TierProposal, Account.name).select_from(TierProposal)
            .join(LoyaltyMembership, LoyaltyMembership.id == TierProposal.membership_id)
            .join(Account, Account.id == LoyaltyMembership.account_id)
            .where(TierProposal.status == ProposalStatus.PENDING)
            .order_by(Account.name, TierProposal.id))
    if account_id is not None:
        stmt = stmt.where(LoyaltyMembership.account_id == account_id)
    return [_view(p, name) for p, name in session.execute(stmt)]


def decide_proposal(session: Session, actor: Actor, proposal_id: int,
                    confirm: bool) -> ProposalView:
    """Confirm (the member moves to the proposed tier from today) or reject a proposal.

    Raises:
        LoyaltyError: no such proposal, or it was decided already.
    """
    proposal = session.get(TierProposal, proposal_id)
    if proposal is None:
        raise NotFound.worded(N_("no such proposal"))
    if proposal.status != ProposalStatus.PENDING:
        raise Conflict.worded(N_("this proposal was decided already"))
    now = utcnow()
    proposal.status = ProposalStatus.CONFIRMED if confirm else ProposalStatus.REJECTED
    proposal.decided_by_id, proposal.decided_at = actor.user_id, now
    m = proposal.membership
    if confirm:
        m.tier_id, m.since = proposal.to_tier_id, now.date()
    session.flush()
    session.refresh(m)
    view = _view(proposal, session.get(Account, m.account_id).name)  # type: ignore[union-attr]
    audit.record_by(session, actor, DECIDED, f"account:{m.account_id}",
                    {"programme": view.programme, "from": view.from_tier, "to": view.to_tier,
                     "decision": view.status, "month": view.month.isoformat()})
    return view
