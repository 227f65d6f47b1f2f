"""The messages of a campaign that were not sent, by why: what a user can act on.

Each final state but ``sent`` is a category with its own remedy: a template to
fix (not rendered), an address to correct (not deliverable), an address the
recipient's server refused (bounced), a message the server refused (refused
by the server), a contact who may not be mailed (suppressed), a frequency
cap, temporary failures that outlasted the retries, and contacts whose
address another contact got (not a failure: one message per address).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account, Contact
from abm.delivery.models import OutboxMessage, OutboxReason, OutboxState

# In the order the campaign page lists them.
CATEGORIES = (OutboxState.INVALID, OutboxState.UNDELIVERABLE, OutboxState.BOUNCED,
              OutboxState.REFUSED, OutboxState.SUPPRESSED, OutboxState.CAPPED,
              OutboxState.FAILED, OutboxState.DUPLICATE)


@dataclass(frozen=True)
class Unsent:
    """One message not sent, with its recipient and why."""

    outbox_id: int
    category: str  # an OutboxState value
    reason: str | None  # an OutboxReason value (None for rows marked before reasons existed)
    detail: str  # the server's reply, the template's error...; for a duplicate, see below
    contact_id: int
    contact_name: str
    email: str
    account_id: int
    account_name: str
    at: datetime | None  # when it was last handled (claimed), else when it was queued
    # For a duplicate: the contact who gets the message of the shared address.
    instead_id: int | None = None
    instead_name: str = ""  # filled by unsent_summary only


@dataclass(frozen=True)
class UnsentGroup:
    category: str
    count: int
    rows: list[Unsent]  # the first ones, by outbox id


def _query(campaign_id: int, category: OutboxState | None):
    om = OutboxMessage
    states = [category] if category is not None else list(CATEGORIES)
    return (select(om.id, om.state, om.reason, om.last_error, om.contact_id, Contact.name,
                   Contact.email, om.account_id, Account.name.label("account_name"),
                   func.coalesce(om.claimed_at, om.created_at).label("at"))
            .join(Contact, Contact.id == om.contact_id)
            .join(Account, Account.id == om.account_id)
            .where(om.campaign_id == campaign_id, om.state.in_(states))
            .order_by(om.id))


def _unsent(row) -> Unsent:
    duplicate = row.reason == OutboxReason.DUPLICATE_ADDRESS
    instead = int(row.last_error) if duplicate and (row.last_error or "").isdigit() else None
    return Unsent(row.id, row.state.value, row.reason.value if row.reason else None,
                  "" if duplicate else (row.last_error or ""), row.contact_id, row.name,
                  row.email or "", row.account_id, row.account_name, row.at, instead)


def unsent_summary(session: Session, campaign_id: int, limit: int = 50) -> list[UnsentGroup]:
    """Every category with its count and its first ``limit`` messages (empty ones too)."""
    om = OutboxMessage
    counts = dict(session.execute(
        select(om.state, func.count()).where(om.campaign_id == campaign_id,
                                             om.state.in_(CATEGORIES))
        .group_by(om.state)).all())
    groups = []
    for category in CATEGORIES:
        n = counts.get(category, 0)
        rows = ([_unsent(r) for r in session.execute(_query(campaign_id, category).limit(limit))]
                if n else [])
        groups.append(UnsentGroup(category.value, n, rows))
    return _with_instead_names(session, groups)


def _with_instead_names(session: Session, groups: list[UnsentGroup]) -> list[UnsentGroup]:
    """The duplicates with the name of the contact who gets their address's message."""
    ids = {r.instead_id for g in groups for r in g.rows if r.instead_id is not None}
    if not ids:
        return groups
    names = dict(session.execute(select(Contact.id, Contact.name)
                                 .where(Contact.id.in_(ids))).all())
    return [UnsentGroup(g.category, g.count, [
        replace(r, instead_name=names.get(r.instead_id, "")) if r.instead_id else r
        for r in g.rows]) for g in groups]


def unsent_rows(session: Session, campaign_id: int,
                category: OutboxState | None = None) -> Iterator[Unsent]:
    """Every message not sent of a campaign (of one category), read in chunks for a download."""
    for row in session.execute(_query(campaign_id, category).execution_options(yield_per=1000)):
        yield _unsent(row)
