"""Notifications as stored: a code and parameters per user, the e-mail choices, the digests sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from abm.db import Base, utcnow
from abm.enums import StrEnum


class NotificationKind(StrEnum):
    """What a notification is about; each kind is worded in ``texts.py`` and chosen for e-mail."""

    TASK_ASSIGNED = "task_assigned"
    TASK_DUE = "task_due"
    APPROVAL_WAITING = "approval_waiting"
    APPROVAL_DECIDED = "approval_decided"
    ALERTS_RAISED = "alerts_raised"
    RUN_FINISHED = "run_finished"


class Notification(Base):
    """One thing one user should know; ``key`` keeps a repeated event (a daily scan) single.

    ``subject`` names what it is about (``campaign:12``) when something else may later
    settle it for the user: a request another approver decided is then resolved
    (``resolved_at``, ``resolution``: how and by whom), kept as it was told and no
    longer unread. ``read_at`` stays what the user did.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_notifications_user_key"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    key: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class NotificationPreference(Base):
    """Which kinds a user also wants by e-mail, in one daily digest (none by default)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)


class NotificationDigest(Base):
    """A digest mailed to a user for a day: at most one per (user, day), whatever reruns."""

    __tablename__ = "notification_digests"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_notification_digests_user_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
