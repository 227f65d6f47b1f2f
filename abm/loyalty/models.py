"""Loyalty programmes, their tiers, the accounts' memberships and the tier changes proposed.

DOMAIN.md: key accounts take part in special loyalty programmes; invitations
and membership are tracked. A membership is one row per account and
programme whose dates tell its story: invited, accepted, left. A programme's
tiers are placed by a rule (revenue over a period) or by hand; the rule only
proposes, and a manager confirms each change (:class:`TierProposal`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from abm.db import Base, utcnow
from abm.enums import StrEnum, enum_column

# Exact in the database, plain floats in Python (as the sales amounts).
Money = Numeric(18, 2, asdecimal=False)


class TierRule(StrEnum):
    """How a programme places its members in tiers."""

    REVENUE = "revenue"  # the highest tier whose threshold the revenue over the period reaches
    MANUAL = "manual"  # chosen by hand


class MembershipStatus(StrEnum):
    """Where a membership stands, read from its dates (the latest step wins)."""

    INVITED = "invited"
    MEMBER = "member"
    LEFT = "left"


class ProposalStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class LoyaltyProgramme(Base):
    __tablename__ = "loyalty_programmes"
    __table_args__ = (
        CheckConstraint("period_months >= 1 AND period_months <= 60",
                        name="period_months_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[TierRule] = mapped_column(enum_column(TierRule, "loyalty_tier_rule"),
                                           default=TierRule.MANUAL)
    # The revenue rule sums the account's revenue over this many full months.
    period_months: Mapped[int] = mapped_column(default=12)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tiers: Mapped[list[LoyaltyTier]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", lazy="selectin",
        order_by="LoyaltyTier.rank")


class LoyaltyTier(Base):
    __tablename__ = "loyalty_tiers"
    __table_args__ = (
        UniqueConstraint("programme_id", "name"),
        CheckConstraint("min_revenue IS NULL OR min_revenue >= 0", name="min_revenue_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("loyalty_programmes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(50))
    # Higher ranks are better tiers; the revenue rule needs ranks in threshold order.
    rank: Mapped[int] = mapped_column(default=0)
    # The revenue over the programme's period from which an account belongs to this tier.
    min_revenue: Mapped[float | None] = mapped_column(Money)

    programme: Mapped[LoyaltyProgramme] = relationship(back_populates="tiers")


class LoyaltyMembership(Base):
    __tablename__ = "loyalty_memberships"
    __table_args__ = (UniqueConstraint("programme_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("loyalty_programmes.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"),
                                            index=True)
    tier_id: Mapped[int | None] = mapped_column(
        ForeignKey("loyalty_tiers.id", ondelete="SET NULL"))
    # The day the account entered its current tier.
    since: Mapped[date | None] = mapped_column(Date)
    invited_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    programme: Mapped[LoyaltyProgramme] = relationship(lazy="joined")
    tier: Mapped[LoyaltyTier | None] = relationship(lazy="joined")

    @property
    def status(self) -> MembershipStatus:
        if self.left_at is not None and (self.accepted_at is None
                                         or self.left_at >= self.accepted_at):
            return MembershipStatus.LEFT
        if self.accepted_at is not None:
            return MembershipStatus.MEMBER
        return MembershipStatus.INVITED


class TierProposal(Base):
    """A tier change the programme's rule proposes for a month, until a manager decides."""

    __tablename__ = "loyalty_tier_proposals"
    __table_args__ = (UniqueConstraint("membership_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("loyalty_memberships.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month proposed for
    from_tier_id: Mapped[int | None] = mapped_column(
        ForeignKey("loyalty_tiers.id", ondelete="SET NULL"))
    to_tier_id: Mapped[int | None] = mapped_column(
        ForeignKey("loyalty_tiers.id", ondelete="CASCADE"))
    revenue: Mapped[float] = mapped_column(Money)  # what the rule measured
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus, "loyalty_proposal_status"), default=ProposalStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    membership: Mapped[LoyaltyMembership] = relationship(lazy="joined")
    from_tier: Mapped[LoyaltyTier | None] = relationship(foreign_keys=[from_tier_id],
                                                         lazy="joined")
    to_tier: Mapped[LoyaltyTier | None] = relationship(foreign_keys=[to_tier_id], lazy="joined")
