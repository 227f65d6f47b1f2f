"""The outbox: filling it once per (campaign, contact, step), claiming rows, giving them back.

Claims are a single UPDATE ... WHERE state = 'pending' that stamps a random
claim token (with SKIP LOCKED on PostgreSQL), so two workers never hold the
same row; every later write names the token (marking a row is
:mod:`abm.delivery.marking`), so a worker whose lease ran out cannot mark a row
another worker took over. Every write transaction begins
with its write, which keeps SQLite from failing a read-then-write upgrade.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Result, and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from abm.accounts.models import Contact
from abm.db import utcnow
from abm.delivery.addresses import address_key
from abm.delivery.models import HoldoutMember, OutboxMessage, OutboxReason, OutboxState

_CHUNK = 500


def _cursor(result: Result[Any]) -> CursorResult[Any]:
    """The result of an UPDATE as what it is, a cursor's (which has a row count)."""
    return cast(CursorResult[Any], result)


def _insert_ignore(session: Session, table):
    """INSERT ... ON CONFLICT DO NOTHING for the dialect in use."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"the outbox does not support {dialect}")  # pragma: no cover


def holdout_rank(campaign_id: int, account_id: int) -> float:
    """A stable pseudo-random number in [0, 1) per campaign and account."""
    digest = hashlib.sha256(f"{campaign_id}:{account_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def choose_holdout(campaign_id: int, account_ids: Iterable[int], share: float) -> set[int]:
    """The ``round(share * n)`` accounts held out, the same every time for a campaign."""
    ids = sorted(set(account_ids), key=lambda a: (holdout_rank(campaign_id, a), a))
    return set(ids[: round(share * len(ids))])


def held_out(session: Session, campaign_id: int) -> set[int]:
    return set(session.scalars(select(HoldoutMember.account_id)
                               .where(HoldoutMember.campaign_id == campaign_id)))


def fill_outbox(session: Session, campaign_id: int, recipients: list[tuple[int, int]],
                share: float, step: int = 0) -> dict:
    """Add one pending row per recipient, holding out a share of the accounts.

    The first fill of a campaign holds out exactly ``round(share * accounts)``;
    accounts that join later (trigger scans) are held out by the same stable
    rank, so membership never depends on the order of scans. Rows that exist
    already are left alone, so filling twice adds nothing. Contacts who share an
    address get one message between them (:func:`mark_duplicate_addresses`).

    Args:
        recipients: (account_id, contact_id) pairs.

    Returns:
        {"accounts", "held_out", "rows": rows added, "duplicates": of them, left unsent
         as their address gets the message of another contact}
    """
    accounts = {a for a, _ in recipients}
    existing = held_out(session, campaign_id)
    already = session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.campaign_id == campaign_id))
    if not existing and not already:
        hold = choose_holdout(campaign_id, accounts, share)
    else:
        hold = existing | {a for a in accounts - existing
                           if holdout_rank(campaign_id, a) < share}
    new_hold = sorted(hold - existing)
    for start in range(0, len(new_hold), _CHUNK):
        session.execute(_insert_ignore(session, HoldoutMember), [
            {"campaign_id": campaign_id, "account_id": a, "created_at": utcnow()}
            for a in new_hold[start : start + _CHUNK]])
    now = utcnow()
    rows = [{"campaign_id": campaign_id, "account_id": a, "contact_id": c, "step": step,
             "state": OutboxState.PENDING, "attempts": 0, "next_attempt_at": now,
             "created_at": now, "reason": None, "last_error": None}
            for a, c in recipients if a not in hold]
    duplicates = mark_duplicate_addresses(session, campaign_id, step, rows)
    for start in range(0, len(rows), _CHUNK):
        session.execute(_insert_ignore(session, OutboxMessage), rows[start : start + _CHUNK])
    # Drivers disagree on the rowcount of a multi-row insert that skips conflicts: count.
    after = session.scalar(select(func.count()).select_from(OutboxMessage)
                           .where(OutboxMessage.campaign_id == campaign_id))
    added = (after or 0) - (already or 0)
    return {"accounts": len(accounts), "held_out": len(hold & accounts), "rows": added,
            "duplicates": duplicates}


def mark_duplicate_addresses(session: Session, campaign_id: int, step: int,
                             rows: list[dict]) -> int:
    """Make the rows of contacts whose address another contact gets duplicates, not messages.

    One message per address per campaign step, whichever contacts share it
    (a shared mailbox, a person entered twice): the contact already in the
    outbox for that step gets it, else the one with the lowest id. The
    others' rows are kept, as ``duplicate`` with the id of that contact in
    ``last_error``, so that the campaign page can say who got it instead.
    Addresses count the same whatever their case or the form of their domain.

    Args:
        rows: the rows about to be inserted (dicts), changed in place.

    Returns:
        How many rows were made duplicates.
    """
    emails: dict[int, str | None] = {}
    ids = [r["contact_id"] for r in rows]
    for start in range(0, len(ids), _CHUNK):
        emails.update(session.execute(select(Contact.id, Contact.email).where(
            Contact.id.in_(ids[start : start + _CHUNK]))).all())
    taken: dict[str, int] = {}
    for contact_id, email in session.execute(
            select(OutboxMessage.contact_id, Contact.email)
            .join(Contact, Contact.id == OutboxMessage.contact_id)
            .where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.step == step,
                   OutboxMessage.state != OutboxState.DUPLICATE)
            .order_by(OutboxMessage.contact_id)):
        key = address_key(email)
        if key is not None:
            taken.setdefault(key, contact_id)
    duplicates = 0
    for row in sorted(rows, key=lambda r: r["contact_id"]):
        key = address_key(emails.get(row["contact_id"]))
        if key is None:
            continue
        first = taken.setdefault(key, row["contact_id"])
        if first != row["contact_id"]:
            row.update(state=OutboxState.DUPLICATE, reason=OutboxReason.DUPLICATE_ADDRESS,
                       last_error=str(first))
            duplicates += 1
    return duplicates


def claim_batch(session: Session, campaign_id: int, size: int,
                now: datetime | None = None) -> str | None:
    """Claim up to ``size`` due pending rows of a campaign; returns the claim token or None."""
    now = now or utcnow()
    token = uuid.uuid4().hex
    inner = aliased(OutboxMessage)  # an alias, or the subquery would correlate to the UPDATE
    due = (select(inner.id)
           .where(inner.campaign_id == campaign_id, inner.state == OutboxState.PENDING,
                  inner.next_attempt_at <= now)
           # Earliest due first, in the index's order (no sort of the pending rows).
           .order_by(inner.next_attempt_at, inner.id).limit(size)
           .with_for_update(skip_locked=True))
    if session.get_bind().dialect.name == "postgresql":
        # Lock first, then update: PostgreSQL may re-run a LIMIT ... SKIP LOCKED
        # subquery inside an UPDATE and so claim more rows than asked.
        ids = list(session.scalars(due))
        if not ids:
            session.commit()
            return None
        # The rows are locked as pending by this transaction: the ids say it all (a
        # condition on the state as well let the planner pick the state's index).
        chosen: list[ColumnElement[bool]] = [OutboxMessage.id.in_(ids)]
    else:
        # SQLite: one statement, so the transaction starts with its write.
        chosen = [OutboxMessage.id.in_(due.scalar_subquery()),
                  OutboxMessage.state == OutboxState.PENDING]
    result = _cursor(session.execute(
        update(OutboxMessage)
        .where(*chosen)
        .values(state=OutboxState.CLAIMED, claim_token=token, claimed_at=now,
                attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)))
    session.commit()
    return token if result.rowcount else None


def release_stale_claims(session: Session, lease: timedelta, campaign_id: int | None = None) -> int:
    """Return to pending the rows claimed longer ago than ``lease`` (their worker died)."""
    cond = [OutboxMessage.state == OutboxState.CLAIMED,
            OutboxMessage.claimed_at < utcnow() - lease]
    if campaign_id is not None:
        cond.append(OutboxMessage.campaign_id == campaign_id)
    result = _cursor(session.execute(
        update(OutboxMessage).where(*cond)
        .values(state=OutboxState.PENDING, claim_token=None, claimed_at=None)
        .execution_options(synchronize_session=False)))
    session.commit()
    return int(result.rowcount)


def release_claim(session: Session, token: str, delay: timedelta = timedelta(0),
                  error: str | None = None) -> int:
    """Give back every row still held under ``token`` (the attempt is not counted).

    Args:
        error: why (the server could not be reached...), kept as the rows' last error.
    """
    values: dict[str, object] = {"state": OutboxState.PENDING, "claim_token": None,
                                 "claimed_at": None,
              "attempts": OutboxMessage.attempts - 1, "next_attempt_at": utcnow() + delay}
    if error is not None:
        values["last_error"] = error
    result = _cursor(session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.claim_token == token, OutboxMessage.state == OutboxState.CLAIMED)
        .values(**values)
        .execution_options(synchronize_session=False)))
    session.commit()
    return int(result.rowcount)


def postpone_due(session: Session, campaign_id: int, until: datetime) -> int:
    """Make every pending row of a campaign due at ``until`` at the earliest (and commit).

    For a server that is down: the campaign waits for it as a whole, so that no
    worker claims its rows only to find the server still gone.
    """
    result = _cursor(session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.campaign_id == campaign_id,
               OutboxMessage.state == OutboxState.PENDING, OutboxMessage.next_attempt_at < until)
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)))
    session.commit()
    return int(result.rowcount)


def counts_by_state(session: Session, campaign_id: int) -> dict[str, int]:
    """Outbox rows of a campaign per state, every state present."""
    rows = dict(session.execute(
        select(OutboxMessage.state, func.count()).where(OutboxMessage.campaign_id == campaign_id)
        .group_by(OutboxMessage.state)).all())
    return {s.value: rows.get(s, 0) for s in OutboxState}


def next_due(session: Session, campaign_id: int) -> tuple[int, datetime | None]:
    """(rows not yet final, earliest next attempt of the pending ones)."""
    open_states = (OutboxState.PENDING, OutboxState.CLAIMED)
    n, earliest = session.execute(
        select(func.count(), func.min(OutboxMessage.next_attempt_at).filter(
            OutboxMessage.state == OutboxState.PENDING))
        .where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.state.in_(open_states))
    ).one()
    if earliest is not None and earliest.tzinfo is None:  # aggregates skip the column type
        from datetime import UTC

        earliest = earliest.replace(tzinfo=UTC) if isinstance(earliest, datetime) else \
            datetime.fromisoformat(str(earliest)).replace(tzinfo=UTC)
    return n, earliest


def sent_counts(session: Session, column, ids: list[int], since: datetime) -> dict[int, int]:
    """Messages sent since ``since`` per contact or account (``column`` says which)."""
    if not ids:
        return {}
    return dict(session.execute(
        select(column, func.count()).where(
            and_(column.in_(ids), OutboxMessage.state == OutboxState.SENT,
                 OutboxMessage.sent_at >= since))
        .group_by(column)).all())
