"""Account plans: every target account as a market of its own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from abm.accounts.models import Account
from abm.accounts.services import Viewer, can_edit_account
from abm.campaigns.models import AccountPlan, Campaign
from abm.campaigns.services import CampaignError
from abm.workspace.refusals import N_


def can_edit_plan(account: Account, viewer: Viewer) -> bool:
    """Marketing plans every account with sales; sales edit the plans of accounts they own."""
    return viewer.role == "marketing" or can_edit_account(account, viewer)


def get_plan(session: Session, account_id: int) -> AccountPlan:
    """The plan of an account, created empty on first use."""
    plan = session.scalar(select(AccountPlan).where(AccountPlan.account_id == account_id))
    if plan is None:
        if session.get(Account, account_id) is None:
            raise CampaignError.worded(N_("no account %(id)s"), id=account_id)
        plan = AccountPlan(account_id=account_id, objectives="", notes="", terms=[])
        session.add(plan)
        session.flush()
    return plan


def update_plan(session: Session, account_id: int, *, objectives: str | None = None,
                notes: str | None = None, terms: list[dict] | None = None,
                user_id: int | None = None) -> AccountPlan:
    """Change the objectives, notes or terms offered (a list of JSON objects) of a plan."""
    plan = get_plan(session, account_id)
    if terms is not None:
        if not isinstance(terms, list) or not all(isinstance(t, dict) for t in terms):
            raise CampaignError.worded(N_("terms must be a list of objects"))
        plan.terms = terms
    if objectives is not None:
        plan.objectives = objectives
    if notes is not None:
        plan.notes = notes
    plan.updated_by_id = user_id
    return plan


def link_campaign(session: Session, account_id: int, campaign_id: int) -> AccountPlan:
    """Aim a campaign at an account: it appears in the account's plan."""
    plan = get_plan(session, account_id)
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError.worded(N_("no campaign %(id)s"), id=campaign_id)
    if campaign not in plan.campaigns:
        plan.campaigns.append(campaign)
    return plan


def plan_detail(session: Session, account_id: int) -> dict:
    """The plan as plain data: objectives, terms, notes and the campaigns aimed at the account."""
    return _as_dict(account_id, get_plan(session, account_id))


def read_plan(session: Session, account_id: int) -> dict:
    """Like :func:`plan_detail`, but writes nothing: an empty plan when there is none yet."""
    plan = session.scalar(
        select(AccountPlan).where(AccountPlan.account_id == account_id)
        # The campaigns' names, not their templates: the account page stays light.
        .options(selectinload(AccountPlan.campaigns).lazyload(Campaign.templates)))
    return _as_dict(account_id, plan)


def _as_dict(account_id: int, plan: AccountPlan | None) -> dict:
    if plan is None:
        return {"account_id": account_id, "objectives": "", "notes": "", "terms": [],
                "campaigns": [], "updated_at": None}
    return {"account_id": account_id, "objectives": plan.objectives, "notes": plan.notes,
            "terms": plan.terms,
            "campaigns": [{"id": c.id, "name": c.name, "kind": c.kind.value,
                           "status": c.status.value} for c in plan.campaigns],
            "updated_at": plan.updated_at.isoformat() if plan.updated_at else None}
