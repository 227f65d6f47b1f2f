"""The daily e-mail digest: what each user chose to receive by mail, gathered once a day.

A digest covers the notifications of the chosen kinds created since the user's
previous digest (or the last day, for the first one) and still unread: neither
read nor resolved (an approval another manager decided is not mailed as waiting). The
``notification_digests`` row of (user, day) is what keeps a rerun from mailing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.db import utcnow
from abm.notifications.models import (
    Notification,
    NotificationDigest,
    NotificationPreference,
)
from abm.notifications.services import NotificationView, unread, view_of
from abm.notifications.texts import render, translations_for
from abm.users.models import User


@dataclass(frozen=True)
class Digest:
    """One user's digest for a day: to whom, in which language, and what it tells."""

    user_id: int
    email: str
    name: str
    language: str
    day: date
    items: list[NotificationView]


def _since(session: Session, user_id: int, now: datetime) -> datetime:
    last = session.scalar(select(NotificationDigest.sent_at).where(
        NotificationDigest.user_id == user_id).order_by(NotificationDigest.sent_at.desc()).limit(1))
    return last if last is not None else now - timedelta(days=1)


def due_digests(session: Session, day: date, now: datetime | None = None) -> list[Digest]:
    """The digests still to send for ``day``: users with e-mail choices, no digest yet, news."""
    now = now or utcnow()
    done = set(session.scalars(select(NotificationDigest.user_id).where(
        NotificationDigest.day == day)))
    result = []
    rows = session.execute(select(User, NotificationPreference.email_kinds).join(
        NotificationPreference, NotificationPreference.user_id == User.id).where(
        User.active.is_(True)).order_by(User.id)).all()
    for user, kinds in rows:
        if user.id in done or not kinds:
            continue
        items = [view_of(n) for n in session.scalars(select(Notification).where(
            Notification.user_id == user.id, Notification.kind.in_(kinds),
            unread(),
            Notification.created_at > _since(session, user.id, now),
            Notification.created_at <= now).order_by(Notification.created_at, Notification.id))]
        if items:
            result.append(Digest(user_id=user.id, email=user.email, name=user.name,
                                 language=user.language or "en", day=day, items=items))
    return result


def record_digest(session: Session, digest: Digest) -> None:
    """Note the digest as sent (the caller commits once the transport has accepted it)."""
    session.add(NotificationDigest(user_id=digest.user_id, day=digest.day,
                                   count=len(digest.items)))
    session.flush()


@dataclass(frozen=True)
class DigestText:
    subject: str
    text: str
    html: str


def compose(digest: Digest, inbox_url: str) -> DigestText:
    """The digest worded in the reader's language, as plain text and as escaped HTML."""
    t = translations_for(digest.language)
    day = format_date(digest.day, format="long", locale=digest.language)
    subject = t.gettext("Your notifications of %(day)s") % {"day": day}
    lines = [render(t, n.kind, n.params) for n in digest.items]
    more = t.gettext("All your notifications: %(url)s") % {"url": inbox_url}
    text = "\n".join([f"{digest.name},", "", *(f"- {line}" for line in lines), "", more]) + "\n"
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    html = (f"<p>{escape(digest.name)},</p><ul>{items}</ul>"
            f'<p><a href="{escape(inbox_url)}">{escape(t.gettext("Open the inbox"))}</a></p>')
    return DigestText(subject=subject, text=text, html=html)
