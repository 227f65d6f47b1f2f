"""Reads for the campaign pages and the CLI: the list and one campaign in full, as plain data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abm.campaigns.models import Campaign, CampaignApproval
from abm.campaigns.offers import offer_dict
from abm.campaigns.services import approval_reasons, get_campaign
from abm.delivery.models import OutboxMessage, OutboxState
from abm.delivery.outbox import counts_by_state
from abm.users.models import User


@dataclass(frozen=True, slots=True)
class CampaignRow:
    """A campaign as lists show it (values of its enums, times in ISO) and its sent count."""

    id: int
    name: str
    kind: str
    status: str
    schedule_mode: str | None
    scheduled_at: str | None
    trigger: str | None
    created_at: str | None
    sent: int


def list_campaigns(session: Session, status: str | None = None, kind: str | None = None,
                   limit: int | None = None) -> list[CampaignRow]:
    """Campaigns, newest first, with their sent count (counted per campaign listed, in the
    outbox's (campaign, state) index, so a long outbox history does not slow the list)."""
    sent = (select(func.count()).where(OutboxMessage.campaign_id == Campaign.id,
                                       OutboxMessage.state == OutboxState.SENT)
            .correlate(Campaign).scalar_subquery())
    stmt = select(Campaign, sent).order_by(Campaign.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Campaign.status == status)
    if kind:
        stmt = stmt.where(Campaign.kind == kind)
    return [CampaignRow(**_summary(c), sent=n) for c, n in session.execute(stmt)]


def count_campaigns(session: Session, status: str) -> int:
    return session.scalar(select(func.count()).select_from(Campaign)
                          .where(Campaign.status == status)) or 0  # a count has a row


def _summary(c: Campaign) -> dict:
    return {"id": c.id, "name": c.name, "kind": c.kind.value, "status": c.status.value,
            "schedule_mode": c.schedule_mode.value if c.schedule_mode else None,
            "scheduled_at": c.scheduled_at.isoformat() if c.scheduled_at else None,
            "trigger": c.trigger.value if c.trigger else None,
            "created_at": c.created_at.isoformat() if c.created_at else None}


def campaign_detail(session: Session, campaign_id: int) -> dict:
    """One campaign: settings, templates, approvals (who, when, why) and outbox counts."""
    c = get_campaign(session, campaign_id)
    approvals = session.execute(
        select(CampaignApproval, User.name).outerjoin(User, User.id == CampaignApproval.user_id)
        .where(CampaignApproval.campaign_id == c.id).order_by(CampaignApproval.decided_at))
    return {
        **_summary(c), "audience": c.audience, "offer": offer_dict(c),
        "default_language": c.default_language, "holdout_share": c.holdout_share,
        "send_window": c.send_window,
        "started_at": c.started_at.isoformat() if c.started_at else None,
        "finished_at": c.finished_at.isoformat() if c.finished_at else None,
        "approval_reasons": [r.as_dict() for r in approval_reasons(session, c)],
        "approvals": [{"decision": a.decision.value, "user": name, "user_id": a.user_id,
                       "reason": a.reason, "decided_at": a.decided_at.isoformat()}
                      for a, name in approvals],
        "templates": {t.language: {"subject": t.subject, "html": t.html, "text": t.text}
                      for t in c.templates},
        "outbox": counts_by_state(session, c.id),
    }
