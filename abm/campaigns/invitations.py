"""Loyalty invitations sent as campaigns: who was invited, and the recipient's "yes".

A loyalty-invitation campaign names its programme in its offer
(``programme_id``); without one it invites to the workspace's only active
programme. Its messages carry a signed accept link (``accept_url``) whose
token is the message's outbox id: the message says which account, contact
and campaign, and so which programme, accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.audit.services import Actor
from abm.campaigns.models import Campaign, CampaignKind
from abm.delivery.models import OutboxMessage, OutboxState
from abm.loyalty.services import (
    AcceptResult,
    accept,
    default_programme_id,
    get_programme,
    invite,
    memberships,
)

LINK = Actor(via="accept link")  # the recipient, who has no user


def programme_of(session: Session, campaign: Campaign) -> int | None:
    """The programme a loyalty-invitation campaign invites to (None: not one, or none known)."""
    if campaign.kind != CampaignKind.LOYALTY_INVITATION:
        return None
    named = (campaign.offer or {}).get("programme_id")
    if isinstance(named, int) and not isinstance(named, bool):
        return named
    return default_programme_id(session)


def record_invitations(session: Session, campaign: Campaign, actor: Actor) -> int:
    """Mark invited the accounts the campaign's invitation went out to: a message taken by the
    mail server (held-out, capped, suppressed or failed ones invite nobody); nothing for a
    campaign of another kind. Idempotent. Returns how many were new."""
    programme_id = programme_of(session, campaign)
    if programme_id is None:
        return 0
    accounts = session.scalars(select(OutboxMessage.account_id).distinct().where(
        OutboxMessage.campaign_id == campaign.id, OutboxMessage.state == OutboxState.SENT))
    return invite(session, actor, programme_id, list(accounts), campaign_id=campaign.id)


def accept_invitation(session: Session, outbox_id: int) -> AcceptResult | None:
    """Record the acceptance the link of message ``outbox_id`` says (idempotent).

    Returns:
        What was recorded, or None when the message is gone or is no invitation.
    """
    message = session.get(OutboxMessage, outbox_id)
    if message is None:
        return None
    campaign = session.get(Campaign, message.campaign_id)
    programme_id = programme_of(session, campaign) if campaign is not None else None
    if programme_id is None:
        return None
    return accept(session, LINK, programme_id, message.account_id, contact_id=message.contact_id)


@dataclass(frozen=True)
class Invitation:
    """What the accept page shows before the recipient says yes."""

    account: str
    programme: str
    accepted: bool


def invitation_of(session: Session, outbox_id: int) -> Invitation | None:
    """The invitation message ``outbox_id`` carries, or None (gone, or no invitation)."""
    message = session.get(OutboxMessage, outbox_id)
    campaign = session.get(Campaign, message.campaign_id) if message is not None else None
    programme_id = programme_of(session, campaign) if campaign is not None else None
    if message is None or programme_id is None:
        return None
    programme = get_programme(session, programme_id)
    account = session.get(Account, message.account_id)
    if programme is None or account is None:
        return None
    accepted = any(m.programme_id == programme_id and m.accepted_at is not None
                   for m in memberships(session, account.id))
    return Invitation(account.name, programme.name, accepted)
