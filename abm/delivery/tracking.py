"""Recording what recipients do with a message: opens, clicks and unsubscribes."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from abm.accounts.models import Account, Contact
from abm.db import utcnow
from abm.delivery.marking import mark
from abm.delivery.models import EventKind, OutboxMessage, OutboxReason, OutboxState, TrackingEvent


def _message(session: Session, outbox_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, outbox_id)


def record_event(session: Session, outbox_id: int, kind: EventKind,
                 url: str | None = None) -> bool:
    """Add an event to a message; False when the message no longer exists."""
    message = _message(session, outbox_id)
    if message is None:
        return False
    session.add(TrackingEvent(outbox_id=outbox_id, campaign_id=message.campaign_id, kind=kind,
                              url=url))
    return True


def unsubscribe(session: Session, outbox_id: int) -> dict | None:
    """Unsubscribe the contact a message went to, from now on (idempotent).

    Returns:
        {"contact_id", "email", "already": True when they were unsubscribed before},
        or None when the message no longer exists.
    """
    message = _message(session, outbox_id)
    if message is None:
        return None
    contact = session.get(Contact, message.contact_id)
    if contact is None:  # the row's contact is gone with its messages (cascade)
        return None
    already = contact.unsubscribed_at is not None
    if not already:
        # A plain UPDATE, so that a send loop reading the contact sees it at its next batch.
        session.execute(update(Contact).where(Contact.id == contact.id,
                                              Contact.unsubscribed_at.is_(None))
                        .values(unsubscribed_at=utcnow())
                        .execution_options(synchronize_session="fetch"))
        record_event(session, outbox_id, EventKind.UNSUBSCRIBE)
    return {"contact_id": contact.id, "email": contact.email, "already": already}


def message_contact_email(session: Session, outbox_id: int) -> str | None:
    """The address a message went to (shown on the unsubscribe page)."""
    return session.scalar(select(Contact.email).join(
        OutboxMessage, OutboxMessage.contact_id == Contact.id).where(OutboxMessage.id == outbox_id))


def recipient_language(session: Session, outbox_id: int, languages: tuple[str, ...],
                       default: str = "en") -> str:
    """The language to speak to the recipient of a message in, of ``languages``.

    The contact's own language, else the main language of the account's country
    (Babel's likely-subtags data: RU, BY and KZ give Russian), else ``default``:
    never the browser's, which may be a shared or a company one.
    """
    row = session.execute(
        select(Contact.language, Account.country).join(
            OutboxMessage, OutboxMessage.contact_id == Contact.id)
        .join(Account, Account.id == Contact.account_id).where(OutboxMessage.id == outbox_id)
    ).first()
    if row is None:
        return default
    language, country = row
    if language in languages:
        return language
    try:
        spoken = Locale.parse(f"und_{country}").language if country else None
    except (UnknownLocaleError, ValueError):
        spoken = None
    return spoken if spoken in languages else default


def mark_bounced(session: Session, outbox_id: int, token: str, *, contact_id: int,
                 campaign_id: int, detail: str) -> bool:
    """A recipient refused for good: the row bounced, its contact never mailed again, a bounce
    event; all committed together. False (nothing written) if the claim was lost."""
    if not mark(session, outbox_id, token, OutboxState.BOUNCED, error=detail,
                reason=OutboxReason.RECIPIENT_REFUSED, commit=False):
        session.rollback()
        return False
    now = utcnow()
    session.execute(update(Contact).where(Contact.id == contact_id, Contact.bounced_at.is_(None))
                    .values(bounced_at=now).execution_options(synchronize_session=False))
    session.execute(insert(TrackingEvent).values(outbox_id=outbox_id, campaign_id=campaign_id,
                                                 kind=EventKind.BOUNCE, url=None,
                                                 occurred_at=now))
    session.commit()
    return True
