"""The one write path of notifications (``notify``) and the reads of the inbox.

Domains call :func:`notify` from their own services when something happens that
a user should know; the inbox, the header count, the API and the digest read
what it stored. Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from abm.db import utcnow
from abm.notifications.models import Notification, NotificationKind, NotificationPreference
from abm.users.models import Role, User

APPROVER_ROLES = (Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class NotificationView:
    """A notification as the inbox, the API and the digest show it (worded by ``texts``)."""

    id: int
    kind: str
    params: dict[str, Any]
    created_at: datetime
    read: bool


def view_of(n: Notification) -> NotificationView:
    return NotificationView(id=n.id, kind=n.kind, params=dict(n.params or {}),
                            created_at=n.created_at, read=n.read_at is not None)


def notify(session: Session, user_ids: int | Iterable[int | None] | None,
           kind: NotificationKind, params: dict[str, Any] | None = None, *,
           key: str | None = None) -> int:
    """Tell each of ``user_ids`` (None entries skipped) that ``kind`` happened; returns how many.

    Args:
        params: plain JSON values the wording needs (names, counts, ids for links).
        key: when given, a user who already has a notification with this key gets
            none again (a daily scan that runs twice says it once).
    """
    ids = [user_ids] if isinstance(user_ids, int) else [u for u in (user_ids or []) if u]
    ids = sorted(set(ids))
    if key is not None and ids:
        have = set(session.scalars(select(Notification.user_id).where(
            Notification.user_id.in_(ids), Notification.key == key)))
        ids = [u for u in ids if u not in have]
    session.add_all(Notification(user_id=u, kind=NotificationKind(kind).value,
                                 params=params or {}, key=key) for u in ids)
    session.flush()
    return len(ids)


def approver_ids(session: Session) -> list[int]:
    """The active managers and admins: who decides on approvals."""
    return list(session.scalars(select(User.id).where(
        User.active.is_(True), User.role.in_(APPROVER_ROLES)).order_by(User.id)))


def inbox(session: Session, user_id: int, *, unread_only: bool = False,
          limit: int = 100) -> list[NotificationView]:
    """The user's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return [view_of(n) for n in session.scalars(query)]


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, user_id: int, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications ``ids`` read (all of them when None); returns how many.

    Another user's ids are left alone: a user reads only their own inbox.
    """
    query = update(Notification).where(Notification.user_id == user_id,
                                       Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    result = session.execute(query.values(read_at=utcnow()).execution_options(
        synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def email_kinds(session: Session, user_id: int) -> set[str]:
    """The kinds the user also wants in the daily e-mail digest."""
    pref = session.get(NotificationPreference, user_id)
    return set(pref.email_kinds) if pref is not None else set()


def set_email_kinds(session: Session, user_id: int, kinds: Iterable[str]) -> set[str]:
    """Choose the kinds mailed in the daily digest (unknown kinds raise ValueError)."""
    chosen = sorted({NotificationKind(k).value for k in kinds})
    pref = session.get(NotificationPreference, user_id)
    if pref is None:
        session.add(NotificationPreference(user_id=user_id, email_kinds=chosen))
    else:
        pref.email_kinds = chosen
    session.flush()
    return set(chosen)
