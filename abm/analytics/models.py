"""What analytics keeps: snapshots of every account's labels, the monthly key-account
reports, monitoring alerts with their history, and churn states."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from abm.db import Base, utcnow
from abm.enums import StrEnum, enum_column
from abm.sales.models import Money


class AnalyticsSnapshot(Base):
    """One full refresh: the period, the company totals and the settings it used."""

    __tablename__ = "analytics_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    today: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(String(10))
    total: Mapped[float] = mapped_column(Money)
    accounts: Mapped[int]
    hhi: Mapped[float] = mapped_column(Float)
    core_accounts: Mapped[int]
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)


class CompanyFigures(Base):
    """The dashboard's company-wide figures, stored when the data behind them changes.

    Reading them is one query; computing them reads every account's monthly
    sales (seconds at 100k accounts), so the analytics refresh stores them
    with the labels they show and pages never compute them.
    """

    __tablename__ = "company_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)


class AccountAnalytics(Base):
    """The latest labels of one account and the numbers behind them ("why is it key?")."""

    __tablename__ = "account_analytics"
    __table_args__ = (
        Index("ix_account_analytics_abc_xyz", "abc", "xyz"),
        # The accounts list's sorts: each is read in index order, a page at a time.
        Index("ix_account_analytics_revenue", "revenue", "account_id"),
        Index("ix_account_analytics_share", "share", "account_id"),
        Index("ix_account_analytics_growth", "growth", "account_id"),
    )

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("analytics_snapshots.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[float] = mapped_column(Money)
    revenue: Mapped[float | None] = mapped_column(Money)  # over the period, whatever the measure
    share: Mapped[float] = mapped_column(Float)
    rank: Mapped[int]
    cumulative_share: Mapped[float] = mapped_column(Float)
    is_key: Mapped[bool]
    dependency: Mapped[bool]
    mono_client: Mapped[bool]
    pareto_core: Mapped[bool]
    near_key: Mapped[bool]
    growth: Mapped[float | None] = mapped_column(Float)
    abc: Mapped[str | None] = mapped_column(String(1))
    xyz: Mapped[str | None] = mapped_column(String(1))
    cv: Mapped[float | None] = mapped_column(Float)
    mean_monthly: Mapped[float] = mapped_column(Money)


class KeyAccountReport(Base):
    """The monthly top-N accounts by average monthly shipments, kept to compare months."""

    __tablename__ = "key_account_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, unique=True)
    top_n: Mapped[int]
    months: Mapped[int]
    measure: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rows: Mapped[list[KeyAccountReportRow]] = relationship(
        back_populates="report", cascade="all, delete-orphan",
        order_by="KeyAccountReportRow.rank",
    )


class KeyAccountReportRow(Base):
    __tablename__ = "key_account_report_rows"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("key_account_reports.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    rank: Mapped[int]
    average: Mapped[float] = mapped_column(Money)
    monthly: Mapped[list[float]] = mapped_column(JSON)

    report: Mapped[KeyAccountReport] = relationship(back_populates="rows")


class AlertKind(StrEnum):
    NO_SHIPMENTS = "no_shipments"
    WHITE_SPACE = "white_space"
    DECLINE_VS_PREVIOUS = "decline_vs_previous"
    DECLINE_VS_LAST_YEAR = "decline_vs_last_year"
    TERMS_REVIEW_DUE = "terms_review_due"
    OVERDUE_RECEIVABLE = "overdue_receivable"
    NO_INTERACTION = "no_interaction"
    NO_VISIT = "no_visit"
    COMPETITOR_SILENCE = "competitor_silence"


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Alert(Base):
    """A monitoring alert on a key account, raised once per (account, kind, cause).

    ``cause`` names what the alert is about (the empty month, the product, the
    receivable, the date of the last review ...): the unique constraint is what
    keeps a daily run from raising it twice.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("account_id", "kind", "cause", name="uq_alerts_account_kind_cause"),
        Index("ix_alerts_status_raised", "status", "raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[AlertKind] = mapped_column(enum_column(AlertKind, "alert_kind"))
    cause: Mapped[str] = mapped_column(String(100))
    status: Mapped[AlertStatus] = mapped_column(
        enum_column(AlertStatus, "alert_status"), default=AlertStatus.OPEN
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # What the alert says is its kind and these parameters, worded when read in the
    # reader's language (abm.analytics.wording): no sentence is stored.
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None]

    events: Mapped[list[AlertEvent]] = relationship(
        back_populates="alert", cascade="all, delete-orphan", order_by="AlertEvent.id"
    )


class AlertEvent(Base):
    """One change of an alert: raised, acknowledged, assigned, resolved (by whom, why)."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[AlertStatus] = mapped_column(enum_column(AlertStatus, "alert_status"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")

    alert: Mapped[Alert] = relationship(back_populates="events")


class ChurnStateKind(StrEnum):
    ACTIVE = "active"
    AT_RISK = "at_risk"
    LOST = "lost"


class ChurnState(Base):
    """An account's churn state by its own rhythm, and since when it holds."""

    __tablename__ = "churn_states"
    # Also the accounts list's churn-risk order: the states sort lost > at_risk > active.
    __table_args__ = (
        Index("ix_churn_states_state_stake", "state", "revenue_at_stake", "account_id"),
    )

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[ChurnStateKind] = mapped_column(enum_column(ChurnStateKind, "churn_state"))
    since: Mapped[date] = mapped_column(Date)
    last_purchase_on: Mapped[date] = mapped_column(Date)
    rhythm_days: Mapped[float] = mapped_column(Float)
    silence_days: Mapped[int]
    revenue_drop: Mapped[float | None] = mapped_column(Float)
    revenue_at_stake: Mapped[float] = mapped_column(Money)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class KamReportMailing(Base):
    """A KAM's monthly report mailed for a month: one per (user, month), whatever reruns."""

    __tablename__ = "kam_report_mailings"
    __table_args__ = (
        UniqueConstraint("user_id", "month", name="uq_kam_report_mailings_user_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class LossAction(StrEnum):
    LOST = "lost"
    WON_BACK = "won_back"


class AccountLoss(Base):
    """An account marked lost or won back, with the reason and what its loss costs.

    ``reason`` is a code of the workspace's list (``AnalyticsSettings.loss_reasons``);
    ``monthly_revenue`` is the account's average monthly revenue over the 12 full
    months before the mark, kept as it was then so that the lost-revenue report
    does not move when later lines arrive.
    """

    __tablename__ = "account_losses"
    __table_args__ = (Index("ix_account_losses_action_on", "action", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[LossAction] = mapped_column(enum_column(LossAction, "loss_action"))
    reason: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    occurred_on: Mapped[date] = mapped_column(Date)
    monthly_revenue: Mapped[float] = mapped_column(Money)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
