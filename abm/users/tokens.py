"""API tokens: per user, shown once, stored as a SHA-256 hash, revocable.

A token is ``abm_`` followed by 43 URL-safe characters (256 random bits). Only
its hash is stored, so a copy of the database does not let anyone in; the
first characters are kept in clear so that a user can tell their tokens apart.
A token acts as its user with the user's *current* role: demoting or
deactivating the user takes effect on their tokens at once. Issuing and
revoking write their audit events here, whichever page, endpoint or command
asked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from abm.audit import services as audit
from abm.audit.services import NOBODY, Actor
from abm.db import Base, utcnow
from abm.users.models import User

PREFIX = "abm_"
SHOWN_CHARS = 10  # "abm_" and 6 characters of the secret: enough to recognise, not to guess
# Writing last_used_at on every call would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    shown: Mapped[str] = mapped_column(String(SHOWN_CHARS))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def active(self) -> bool:
        """Neither revoked nor expired."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > utcnow()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expires_after(days: int | None) -> datetime | None:
    """The expiry of a token that lives ``days`` days from now (None: it never expires)."""
    return utcnow() + timedelta(days=days) if days else None


def issue_token(
    session: Session, user_id: int, name: str, *, expires_at: datetime | None = None,
    by: Actor = NOBODY,
) -> tuple[ApiToken, str]:
    """Create a token for the user and audit it as done ``by`` someone. The caller commits.

    Returns:
        The stored row and the token itself, which is never stored: show it once.
    """
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user_id, name=name.strip()[:100] or "token",
                   token_hash=hash_token(secret), shown=secret[:SHOWN_CHARS],
                   expires_at=expires_at)
    session.add(row)
    session.flush()
    # A token made for someone else names its user: the target is only the token.
    details = {"name": row.name} | ({"user_id": user_id} if by.user_id != user_id else {})
    audit.record_by(session, by, audit.TOKEN_CREATED, f"api_token:{row.id}", details)
    return row, secret


def user_for_token(session: Session, token: str) -> tuple[User, ApiToken] | None:
    """The active user a token belongs to, or None (unknown, revoked, expired, inactive user).

    Marks the token used (at most once per :data:`LAST_USED_RESOLUTION`); the
    caller commits.
    """
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or not row.active or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row.user, row


def list_tokens(session: Session, user_id: int | None = None) -> list[ApiToken]:
    """Tokens newest first: the user's, or everyone's when ``user_id`` is None."""
    stmt = select(ApiToken).order_by(ApiToken.id.desc())
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    return list(session.scalars(stmt))


def get_token(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def token_of(session: Session, token_id: int, user: User) -> ApiToken | None:
    """The token if ``user`` may see and revoke it: their own, or any for an administrator."""
    row = get_token(session, token_id)
    if row is None or (row.user_id != user.id and user.role.value != "admin"):
        return None
    return row


def revoke_token(session: Session, row: ApiToken, *, by: Actor = NOBODY) -> None:
    """Revoke the token and audit it (idempotent: a revoked token keeps its first revocation
    time). The caller commits."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    session.flush()
    audit.record_by(session, by, audit.TOKEN_REVOKED, f"api_token:{row.id}",
                    {"owner_id": row.user_id})
