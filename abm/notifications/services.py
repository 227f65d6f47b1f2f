"""The one write path of notifications (``notify``, ``resolve``) and the reads of the inbox.

Domains call :func:`notify` from their own services when something happens that
a user should know, and :func:`resolve` when something settles it for them (a
request another approver decided); the inbox, the header count, the API and the
digest read what they stored. Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from abm.db import utcnow
from abm.notifications.models import Notification, NotificationKind, NotificationPreference
from abm.users.models import Role, User

APPROVER_ROLES = (Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class NotificationView:
    """A notification as the inbox, the API and the digest show it (worded by ``texts``).

    ``read`` is whether it still asks for the user's attention: read by them, or
    resolved by someone else (``resolution`` then says how and by whom).
    """

    id: int
    kind: str
    params: dict[str, Any]
    created_at: datetime
    read: bool
    resolution: dict[str, Any] | None = None
    resolved_at: datetime | None = None


def view_of(n: Notification) -> NotificationView:
    resolution = dict(n.resolution or {}) if n.resolved_at is not None else None
    return NotificationView(id=n.id, kind=n.kind, params=dict(n.params or {}),
                            created_at=n.created_at,
                            read=n.read_at is not None or n.resolved_at is not None,
                            resolution=resolution, resolved_at=n.resolved_at)


def unread() -> ColumnElement[bool]:
    """The condition of a notification that still asks for its user's attention."""
    return Notification.read_at.is_(None) & Notification.resolved_at.is_(None)


def notify(session: Session, user_ids: int | Iterable[int | None] | None,
           kind: NotificationKind, params: dict[str, Any] | None = None, *,
           key: str | None = None, subject: str | None = None) -> int:
    """Tell each of ``user_ids`` (None entries skipped) that ``kind`` happened; returns how many.

    Args:
        params: plain JSON values the wording needs (names, counts, ids for links).
        key: when given, a user who already has a notification with this key gets
            none again (a daily scan that runs twice says it once).
        subject: what it is about (``campaign:12``), for :func:`resolve` to find it.
    """
    ids = [user_ids] if isinstance(user_ids, int) else [u for u in (user_ids or []) if u]
    ids = sorted(set(ids))
    if key is not None and ids:
        have = set(session.scalars(select(Notification.user_id).where(
            Notification.user_id.in_(ids), Notification.key == key)))
        ids = [u for u in ids if u not in have]
    session.add_all(Notification(user_id=u, kind=NotificationKind(kind).value,
                                 params=params or {}, key=key, subject=subject) for u in ids)
    session.flush()
    return len(ids)


def resolve(session: Session, subject: str, kind: NotificationKind,
            resolution: dict[str, Any]) -> int:
    """Settle every user's unresolved ``kind`` notifications about ``subject``; returns how many.

    What was told stays as it was, and so does whether the user read it: the
    resolution is written beside it, and the notification no longer counts as unread.

    Args:
        resolution: plain JSON values the wording needs: ``code`` (how it ended,
            such as ``approved``), ``by`` (who settled it, by name) and ``by_id``.
    """
    result = session.execute(update(Notification).where(
        Notification.subject == subject, Notification.kind == NotificationKind(kind).value,
        Notification.resolved_at.is_(None)).values(resolved_at=utcnow(), resolution=resolution)
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def approver_ids(session: Session) -> list[int]:
    """The active managers and admins: who decides on approvals."""
    return list(session.scalars(select(User.id).where(
        User.active.is_(True), User.role.in_(APPROVER_ROLES)).order_by(User.id)))


def inbox(session: Session, user_id: int, *, unread_only: bool = False,
          limit: int = 100) -> list[NotificationView]:
    """The user's notifications, newest first (``unread_only``: those still asking attention)."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(unread())
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return [view_of(n) for n in session.scalars(query)]


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are neither read nor resolved (the header's badge)."""
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, unread())) or 0


def mark_read(session: Session, user_id: int, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications ``ids`` read (all of them when None); returns how many.

    Another user's ids are left alone: a user reads only their own inbox. A
    resolved one is not unread, and keeps no read time the user did not give it.
    """
    query = update(Notification).where(Notification.user_id == user_id, unread())
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
