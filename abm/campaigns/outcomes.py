"""What campaigns achieved so far: one campaign's delivery progress, one account's history.

Both read a bounded number of rows through the outbox indexes, so that the
campaign and account pages stay fast however many messages were sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from abm.campaigns.models import Campaign
from abm.campaigns.plans import read_plan
from abm.delivery.models import EventKind, HoldoutMember, OutboxMessage, OutboxState, TrackingEvent
from abm.delivery.outbox import counts_by_state

OPEN_STATES = (OutboxState.PENDING, OutboxState.CLAIMED)


@dataclass(frozen=True, slots=True)
class DeliveryProgress:
    """The outbox of a campaign: messages by state, how many in all, how many in a final
    state (sent or not), and that as a percentage (0 for an empty outbox)."""

    states: dict[str, int]
    total: int
    done: int
    percent: int


@dataclass(frozen=True, slots=True)
class CampaignOutcome:
    """What one campaign did with one account: its messages by state (``waiting``: not
    sent yet), what the contacts did, whether the account was held out, and the outcome
    in a word (clicked, opened, unsubscribed, sent, bounced, pending, not_sent, held_out)."""

    id: int
    name: str
    kind: str
    status: str
    messages: int
    sent: int
    bounced: int
    waiting: int
    first_sent_at: datetime | None
    held_out: bool
    opened: int
    clicked: int
    unsubscribed: int
    outcome: str


@dataclass(frozen=True, slots=True)
class AccountCampaigns:
    """What the account page shows of campaigns: the account's plan and its history."""

    plan: dict[str, Any]
    history: list[CampaignOutcome]


def delivery_progress(session: Session, campaign_id: int) -> DeliveryProgress:
    """The outbox of a campaign and how far its delivery is."""
    states = counts_by_state(session, campaign_id)
    total = sum(states.values())
    done = total - sum(states[s.value] for s in OPEN_STATES)
    return DeliveryProgress(states=states, total=total, done=done,
                            percent=round(100 * done / total) if total else 0)


def capped_reasons(session: Session, campaign_id: int) -> dict[str, int]:
    """Capped messages of a campaign by the cap they hit: {"contact_cap": n, "account_cap": m}."""
    return {str(reason): n for reason, n in session.execute(
        select(OutboxMessage.reason, func.count())
        .where(OutboxMessage.campaign_id == campaign_id,
               OutboxMessage.state == OutboxState.CAPPED)
        .group_by(OutboxMessage.reason)).all()}


def _outcome(row: dict) -> str:
    if row["clicked"]:
        return "clicked"
    if row["opened"]:
        return "opened"
    if row["unsubscribed"]:
        return "unsubscribed"
    if row["sent"]:
        return "sent"
    if row["bounced"]:
        return "bounced"
    return "pending" if row["waiting"] else "not_sent"


def account_campaign_history(session: Session, account_id: int,
                             limit: int = 20) -> list[CampaignOutcome]:
    """The latest ``limit`` campaigns that reached the account or held it out, newest first."""
    om = OutboxMessage

    def count(state: OutboxState):
        return func.sum(case((om.state == state, 1), else_=0))

    reached = session.execute(
        select(om.campaign_id, func.count(), count(OutboxState.SENT), count(OutboxState.BOUNCED),
               func.sum(case((om.state.in_(OPEN_STATES), 1), else_=0)), func.min(om.sent_at))
        .where(om.account_id == account_id).group_by(om.campaign_id)
        .order_by(om.campaign_id.desc()).limit(limit)).all()
    held = list(session.scalars(
        select(HoldoutMember.campaign_id).where(HoldoutMember.account_id == account_id)
        .order_by(HoldoutMember.campaign_id.desc()).limit(limit)))
    rows = {cid: {"messages": n, "sent": int(sent or 0), "bounced": int(bounced or 0),
                  "waiting": int(waiting or 0), "first_sent_at": first, "held_out": False}
            for cid, n, sent, bounced, waiting, first in reached}
    for cid in held:
        rows.setdefault(cid, {"messages": 0, "sent": 0, "bounced": 0, "waiting": 0,
                              "first_sent_at": None})["held_out"] = True
    ids = sorted(rows, reverse=True)[:limit]
    if not ids:
        return []
    events = session.execute(
        select(TrackingEvent.campaign_id, TrackingEvent.kind, func.count(distinct(om.id)))
        .join(om, om.id == TrackingEvent.outbox_id)
        .where(om.account_id == account_id, TrackingEvent.campaign_id.in_(ids))
        .group_by(TrackingEvent.campaign_id, TrackingEvent.kind))
    names = {EventKind.OPEN: "opened", EventKind.CLICK: "clicked",
             EventKind.UNSUBSCRIBE: "unsubscribed"}
    counted: dict[int, dict[str, int]] = {cid: dict.fromkeys(names.values(), 0) for cid in ids}
    for cid, event, n in events:
        if event in names:
            counted[cid][names[event]] = n
    campaigns = {cid: (name, kind, status) for cid, name, kind, status in session.execute(
        select(Campaign.id, Campaign.name, Campaign.kind, Campaign.status)
        .where(Campaign.id.in_(ids)))}
    history = []
    for cid in ids:
        (name, kind, status), row = campaigns[cid], {**rows[cid], **counted[cid]}
        history.append(CampaignOutcome(
            id=cid, name=name, kind=kind.value, status=status.value, **row,
            outcome="held_out" if row["held_out"] else _outcome(row)))
    return history


def account_campaigns(session: Session, account_id: int, limit: int = 20) -> AccountCampaigns:
    """What the account page shows of campaigns: the plan and the history."""
    return AccountCampaigns(plan=read_plan(session, account_id),
                            history=account_campaign_history(session, account_id, limit))
