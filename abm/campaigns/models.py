"""Campaigns, their edited templates, approvals, and the plan kept for each target account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from abm.db import Base, utcnow
from abm.enums import StrEnum, enum_column
from abm.sales.models import Money

Percent = Numeric(5, 2, asdecimal=False)


class CampaignKind(StrEnum):
    PERSONAL_OFFER = "personal_offer"
    LOYALTY_INVITATION = "loyalty_invitation"
    WIN_BACK = "win_back"
    GREETING = "greeting"
    EVENT_INVITATION = "event_invitation"
    PROMOTION = "promotion"
    VOLUME_BONUS = "volume_bonus"
    INDIVIDUAL_TERMS = "individual_terms"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class ScheduleMode(StrEnum):
    NOW = "now"
    AT = "at"
    TRIGGER = "trigger"


class Trigger(StrEnum):
    """Events that add recipients to a running campaign (scanned daily by cron)."""

    WIN_BACK = "win_back"
    BIRTHDAY = "birthday"
    HOLIDAY = "holiday"


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class Campaign(Base):
    """One campaign: who (audience rules), what (kind, templates, offer) and when (schedule)."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("holdout_share >= 0 AND holdout_share < 1", name="holdout_share_range"),
        Index("ix_campaigns_status_kind", "status", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CampaignKind] = mapped_column(enum_column(CampaignKind, "campaign_kind"))
    status: Mapped[CampaignStatus] = mapped_column(
        enum_column(CampaignStatus, "campaign_status"), default=CampaignStatus.DRAFT
    )
    # {"match": "all"|"any", "rules": [{"field", "op", "value"}], "account_ids": [...],
    #  "contact_roles": [...]}; see abm.campaigns.audiences.
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    # What the message shows of the offer: {"title", "details", "valid_until", "link", ...}.
    offer: Mapped[dict] = mapped_column(JSON, default=dict)
    # The economics of the offer, what a manager approves (see abm.campaigns.offers).
    discount_percent: Mapped[float | None] = mapped_column(Percent)
    bonus_percent: Mapped[float | None] = mapped_column(Percent)
    bonus_threshold: Mapped[float | None] = mapped_column(Money)
    payment_days: Mapped[int | None]
    price_list: Mapped[str | None] = mapped_column(String(200))
    terms: Mapped[str | None] = mapped_column(Text)
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    schedule_mode: Mapped[ScheduleMode | None] = mapped_column(
        enum_column(ScheduleMode, "campaign_schedule_mode")
    )
    # UTC. The start job (``start_job_id``) runs then; the due-campaign check
    # restarts a campaign past this time whose job was lost.
    scheduled_at: Mapped[datetime | None]
    start_job_id: Mapped[str | None] = mapped_column(String(64))
    # {"start": "09:00", "end": "18:00", "days": [1..7 ISO weekdays], "holidays": bool};
    # None: any time. See abm.campaigns.send_window.
    send_window: Mapped[dict | None] = mapped_column(JSON)
    trigger: Mapped[Trigger | None] = mapped_column(enum_column(Trigger, "campaign_trigger"))
    holdout_share: Mapped[float] = mapped_column(default=0.1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    templates: Mapped[list[CampaignTemplate]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", lazy="selectin"
    )
    approvals: Mapped[list[CampaignApproval]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan",
        order_by="CampaignApproval.decided_at",
    )

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.kind} {self.status}>"


class CampaignTemplate(Base):
    """A user's edited copy of a message template, one per campaign and language."""

    __tablename__ = "campaign_templates"
    __table_args__ = (
        UniqueConstraint("campaign_id", "language", name="uq_campaign_templates_campaign_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="templates")


class CampaignApproval(Base):
    """A manager's decision on a campaign that needs approval: who, when and why."""

    __tablename__ = "campaign_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[Decision] = mapped_column(enum_column(Decision, "approval_decision"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="approvals")
    user = relationship("User")


class AccountPlan(Base):
    """The account as a market of its own: objectives, terms, notes, the campaigns aimed at it."""

    __tablename__ = "account_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    objectives: Mapped[str] = mapped_column(Text, default="")
    # [{"title", "discount_percent", "valid_until", "approved_campaign_id", ...}]
    terms: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    campaigns: Mapped[list[Campaign]] = relationship(
        secondary="account_plan_campaigns", order_by="Campaign.id", lazy="selectin"
    )


class AccountPlanCampaign(Base):
    __tablename__ = "account_plan_campaigns"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("account_plans.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class GreetingDate(Base):
    """A date the workspace greets on besides public holidays: its own anniversary, or an
    account's (then only that account's contacts are greeted). Managers edit them."""

    __tablename__ = "greeting_dates"
    __table_args__ = (
        CheckConstraint("month BETWEEN 1 AND 12 AND day BETWEEN 1 AND 31", name="day_of_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str | None] = mapped_column(String(200))  # the Russian name, if not `name`
    month: Mapped[int]
    day: Mapped[int]
    since_year: Mapped[int | None]  # the year it began: the greeting can count the years
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
