"""One row per sensitive action (logins, role changes, approvals, exports, sends, imports)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from abm.db import Base, BigId, utcnow


class AuditEvent(Base):
    """A sensitive action. Rows are only ever added: the log is evidence.

    ``actor_id`` is empty for actions without a known user (a failed login for
    an unknown email); ``target`` names what the action was done to, for
    example ``user:12`` or ``campaign:7``; ``address`` is the client address.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_action_occurred_at", "action", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict | None] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.target}>"
