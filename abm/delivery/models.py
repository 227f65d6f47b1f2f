"""The outbox (one row per campaign, contact and step), tracking events and holdout membership."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from abm.db import Base, BigId, utcnow
from abm.enums import StrEnum, enum_column


class OutboxState(StrEnum):
    """Where a message stands; every final state but SENT has a :class:`OutboxReason`."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry of a temporary failure
    BOUNCED = "bounced"  # the server refused the recipient (RCPT 5xx); the address is suppressed
    REFUSED = "refused"  # the server refused the sender or the message itself (MAIL, DATA 5xx)
    UNDELIVERABLE = "undeliverable"  # the address cannot be sent to (no SMTPUTF8, invalid)
    SUPPRESSED = "suppressed"  # unsubscribed, bounced or no consent at send time
    CAPPED = "capped"  # over a frequency cap at send time
    INVALID = "invalid"  # the template did not render; never sent
    DUPLICATE = "duplicate"  # another contact of the campaign has the address: it gets the one


class OutboxReason(StrEnum):
    """Why a message was not sent: a code the campaign page translates (details in last_error)."""

    TEMPLATE_ERROR = "template_error"  # last_error: the renderer's message
    NEEDS_SMTPUTF8 = "needs_smtputf8"  # a UTF-8 local part; the server has no SMTPUTF8
    INVALID_ADDRESS = "invalid_address"  # last_error: what is wrong with it
    RECIPIENT_REFUSED = "recipient_refused"  # last_error: the server's reply
    SENDER_REFUSED = "sender_refused"
    MESSAGE_REFUSED = "message_refused"
    TEMPORARY_FAILURE = "temporary_failure"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED_BEFORE = "bounced_before"
    NO_CONSENT = "no_consent"
    NO_ADDRESS = "no_address"
    CONTACT_CAP = "contact_cap"
    ACCOUNT_CAP = "account_cap"
    DUPLICATE_ADDRESS = "duplicate_address"  # last_error: the id of the contact who gets it


class EventKind(StrEnum):
    OPEN = "open"
    CLICK = "click"
    UNSUBSCRIBE = "unsubscribe"
    BOUNCE = "bounce"


class OutboxMessage(Base):
    """A message to send. Claimed atomically before SMTP and marked right after it.

    The unique key makes filling the outbox idempotent, so a duplicated or
    retried job finds the rows already there and adds nothing.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id", "step",
                         name="uq_outbox_campaign_contact_step"),
        # Claims walk it in order: earliest due first, then by id (migration 0010).
        Index("ix_outbox_campaign_state_next", "campaign_id", "state", "next_attempt_at", "id"),
        Index("ix_outbox_contact_sent", "contact_id", "sent_at"),
        Index("ix_outbox_account_sent", "account_id", "sent_at"),
        Index("ix_outbox_claim_token", "claim_token"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    # 0 for a one-off send; a trigger window or a greeting's year for repeated sends.
    step: Mapped[int] = mapped_column(default=0)
    state: Mapped[OutboxState] = mapped_column(
        enum_column(OutboxState, "outbox_state"), default=OutboxState.PENDING
    )
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(250))
    last_error: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[OutboxReason | None] = mapped_column(enum_column(OutboxReason, "outbox_reason"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackingEvent(Base):
    """An open, click, unsubscribe or bounce of one outbox message."""

    __tablename__ = "tracking_events"
    __table_args__ = (Index("ix_tracking_events_campaign_kind", "campaign_id", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "tracking_event_kind"))
    url: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)


class HoldoutMember(Base):
    """An account held out of a campaign: never contacted, the control group of the uplift."""

    __tablename__ = "holdout_members"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
