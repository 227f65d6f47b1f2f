"""Recording and reading the audit log.

Any part of abm that does something sensitive calls :func:`record` in the same
transaction as the action, so the action and its trace commit (or roll back)
together. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.audit.models import AuditEvent

# The actions abm records. Others may be added; these names are what the admin
# filters on, so reuse them rather than inventing near-synonyms.
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_THROTTLED = "login_throttled"
LOGOUT = "logout"
ROLE_CHANGED = "user_role_changed"
USER_CREATED = "user_created"
USER_UPDATED = "user_updated"
TOKEN_CREATED = "api_token_created"  # noqa: S105 - an action name, not a secret
TOKEN_REVOKED = "api_token_revoked"  # noqa: S105 - an action name, not a secret
APPROVAL = "campaign_approval"
TEMPLATE_EDITED = "template_edited"
EXPORT = "export"
SEND = "campaign_send"
IMPORT = "import"
EXCHANGE_RATE = "exchange_rate"
SETTING_CHANGED = "setting_changed"
GREETING_DATE = "greeting_date"
ACTIONS = (
    LOGIN, LOGIN_FAILED, LOGIN_THROTTLED, LOGOUT, ROLE_CHANGED, USER_CREATED, USER_UPDATED,
    TOKEN_CREATED, TOKEN_REVOKED, APPROVAL, TEMPLATE_EDITED, EXPORT, SEND, IMPORT,
    EXCHANGE_RATE, SETTING_CHANGED, GREETING_DATE,
)

MAX_TARGET = 200


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does a sensitive action, and through what, as its audit event records it.

    The services that do sensitive things take one and write their own event, so
    that the web pages, the API and the command line leave the same trace.

    Attributes:
        user_id: the user acting; None where no user is known (the command line).
        address: the client's network address, for an action that came from a request.
        via: the channel, kept in the event's details, when it is not the web pages
            (``"api"``, ``"cli"``).
    """

    user_id: int | None = None
    address: str | None = None
    via: str | None = None


NOBODY = Actor()  # no known user, no request: a test, a script
COMMAND_LINE = Actor(via="cli")  # whoever runs an ``abm`` command on the server


def record_by(session: Session, actor: Actor, action: str, target: str | None = None,
              details: dict | None = None) -> AuditEvent:
    """:func:`record` an event done by ``actor``: its user, its address, its channel."""
    details = dict(details or {}) | ({"via": actor.via} if actor.via else {})
    return record(session, actor.user_id, action, target, details, address=actor.address)


def record(
    session: Session,
    actor_id: int | None,
    action: str,
    target: str | None = None,
    details: dict | None = None,
    *,
    address: str | None = None,
) -> AuditEvent:
    """Add an event to the audit log. The caller commits.

    Args:
        session: the session of the action being recorded.
        actor_id: the user who acted, or None when unknown (failed login).
        action: what was done, one of the constants of this module if it fits.
        target: what it was done to, as ``kind:id`` (``user:12``) or a short text.
        details: plain JSON data worth keeping (never passwords or secrets).
        address: the client's network address, when the action came from a request.

    Returns:
        The new event (flushed, so it has its id).
    """
    if not action or len(action) > 50:
        raise ValueError("an audit action is 1 to 50 characters")
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        target=None if target is None else str(target)[:MAX_TARGET],
        address=(address or None) and address[:45],
        details=details or None,
    )
    session.add(event)
    session.flush()
    return event


def list_events(
    session: Session,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """The latest events first, optionally filtered.

    Args:
        action: only events of this action.
        actor_id: only events by this user.
        since: only events at or after this moment.
        until: only events before this moment.
        before_id: the keyset cursor: only events older than this id.
        limit: at most this many rows.
    """
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.occurred_at < until)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    return list(session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit)))


def last_actor(session: Session, action: str, target: str, event: str) -> int | None:
    """Who last did ``action`` to ``target`` with ``details["event"] == event`` (None: unknown)."""
    for actor_id, details in session.execute(
            select(AuditEvent.actor_id, AuditEvent.details)
            .where(AuditEvent.action == action, AuditEvent.target == target)
            .order_by(AuditEvent.id.desc()).limit(50)):
        if (details or {}).get("event") == event:
            return actor_id
    return None
