"""Loyalty programmes and memberships: the one write path of each change, with its audit entry.

The web pages, the API, the accounts import and the invitation campaign all
call these functions; the caller has checked that the user may see the
account, and commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from abm.audit import services as audit
from abm.audit.services import Actor
from abm.db import utcnow
from abm.loyalty.models import (
    LoyaltyMembership,
    LoyaltyProgramme,
    LoyaltyTier,
    MembershipStatus,
    TierRule,
)
from abm.workspace.refusals import N_, Refusal

PROGRAMME_SAVED = "loyalty_programme_saved"
MEMBERSHIP_CHANGED = "loyalty_membership"
INVITED = "loyalty_invited"
ACCEPTED = "loyalty_accepted"
UNSET: object = object()  # "leave as it is", where None means "no tier"
STATUS_REFUSAL = N_("%(status)s is not invited, member or left")


class LoyaltyError(Refusal):
    """A change the rules refuse; the message says why (worded for the user from its
    ``template``, see :class:`~abm.workspace.refusals.Refusal`)."""


class NotFound(LoyaltyError):
    """The programme, tier or proposal named does not exist."""


class Conflict(LoyaltyError):
    """The change clashes with what is stored (a name taken, a decision made)."""


@dataclass(frozen=True)
class TierView:
    id: int
    name: str
    rank: int
    min_revenue: float | None


@dataclass(frozen=True)
class ProgrammeView:
    id: int
    name: str
    description: str | None
    rule: str
    period_months: int
    active: bool
    tiers: list[TierView]


@dataclass(frozen=True)
class MembershipView:
    """One account's membership of one programme, as pages and the API show it."""

    id: int
    account_id: int
    programme_id: int
    programme: str
    tier: str | None
    status: str
    since: date | None
    invited_at: datetime | None
    accepted_at: datetime | None
    left_at: datetime | None


@dataclass(frozen=True)
class TierInput:
    name: str
    min_revenue: float | None = None


@dataclass(frozen=True)
class AcceptResult:
    account_id: int
    programme: str
    already: bool  # accepted before: the link was followed again


def _programme_view(p: LoyaltyProgramme) -> ProgrammeView:
    return ProgrammeView(p.id, p.name, p.description, p.rule.value, p.period_months, p.active,
                         [TierView(t.id, t.name, t.rank, t.min_revenue) for t in p.tiers])


def membership_view(m: LoyaltyMembership) -> MembershipView:
    return MembershipView(m.id, m.account_id, m.programme_id, m.programme.name,
                          m.tier.name if m.tier else None, m.status.value, m.since,
                          m.invited_at, m.accepted_at, m.left_at)


def programmes(session: Session, *, active_only: bool = False) -> list[ProgrammeView]:
    stmt = select(LoyaltyProgramme).order_by(LoyaltyProgramme.name)
    if active_only:
        stmt = stmt.where(LoyaltyProgramme.active.is_(True))
    return [_programme_view(p) for p in session.scalars(stmt)]


def get_programme(session: Session, programme_id: int) -> ProgrammeView | None:
    programme = session.get(LoyaltyProgramme, programme_id)
    return None if programme is None else _programme_view(programme)


def _check_tiers(rule: TierRule, tiers: Sequence[TierInput]) -> None:
    names = [t.name.strip() for t in tiers]
    if any(not n or len(n) > 50 for n in names):
        raise LoyaltyError.worded(N_("a tier needs a name of at most 50 characters"))
    if len({n.casefold() for n in names}) != len(names):
        raise LoyaltyError.worded(N_("two tiers have the same name"))
    if rule == TierRule.REVENUE:
        revenues = [t.min_revenue for t in tiers]
        if not tiers or any(r is None or r < 0 for r in revenues):
            raise LoyaltyError.worded(N_("the revenue rule needs a minimum revenue for every "
                                        "tier"))
        if revenues != sorted(revenues):  # type: ignore[type-var]
            raise LoyaltyError.worded(N_("list the tiers from the lowest minimum revenue to the "
                                        "highest"))


def save_programme(session: Session, actor: Actor, *, name: str, rule: str,
                   tiers: Sequence[TierInput], period_months: int = 12,
                   description: str | None = None, active: bool = True,
                   programme_id: int | None = None) -> ProgrammeView:
    """Create a programme, or update one; its tiers are ranked in the order given (lowest first).

    Tiers keep their ids by name, so memberships keep tiers that stay.

    Raises:
        LoyaltyError: a name taken or empty, tiers the rule cannot use, an unknown programme.
    """
    name, rule_value = name.strip(), TierRule(rule)
    if not name or len(name) > 200:
        raise LoyaltyError.worded(N_("a programme needs a name of at most 200 characters"))
    if not 1 <= period_months <= 60:
        raise LoyaltyError.worded(N_("the period is from 1 to 60 months"))
    _check_tiers(rule_value, tiers)
    clash = session.scalar(select(LoyaltyProgramme.id).where(LoyaltyProgramme.name == name))
    if clash is not None and clash != programme_id:
        raise Conflict.worded(N_("a programme named %(name)s exists already"), name=repr(name))
    if programme_id is None:
        programme = LoyaltyProgramme(name=name)
        session.add(programme)
    else:
        found = session.get(LoyaltyProgramme, programme_id)
        if found is None:
            raise NotFound.worded(N_("no such programme"))
        programme = found
    programme.name, programme.rule, programme.period_months = name, rule_value, period_months
    programme.description, programme.active = (description or "").strip() or None, active
    by_name = {t.name: t for t in programme.tiers}
    kept = []
    for rank, given in enumerate(tiers):
        tier = by_name.pop(given.name.strip(), None) or LoyaltyTier(name=given.name.strip())
        tier.rank, tier.min_revenue = rank, given.min_revenue
        kept.append(tier)
    programme.tiers = kept
    session.flush()
    audit.record_by(session, actor, PROGRAMME_SAVED, f"loyalty_programme:{programme.id}",
                    {"name": name, "rule": rule_value.value, "tiers": [t.name for t in kept]})
    return _programme_view(programme)


def memberships(session: Session, account_id: int) -> list[MembershipView]:
    """The account's memberships, of every programme, by programme name."""
    rows = session.scalars(
        select(LoyaltyMembership).join(LoyaltyProgramme)
        .where(LoyaltyMembership.account_id == account_id).order_by(LoyaltyProgramme.name))
    return [membership_view(m) for m in rows]


def _membership(session: Session, programme_id: int, account_id: int) -> LoyaltyMembership:
    found = session.scalar(select(LoyaltyMembership).where(
        LoyaltyMembership.programme_id == programme_id,
        LoyaltyMembership.account_id == account_id))
    if found is not None:
        return found
    if session.get(LoyaltyProgramme, programme_id) is None:
        raise NotFound.worded(N_("no such programme"))
    membership = LoyaltyMembership(programme_id=programme_id, account_id=account_id)
    session.add(membership)
    return membership


def tier_named(session: Session, programme_id: int, name: str) -> LoyaltyTier:
    tier = session.scalar(select(LoyaltyTier).where(LoyaltyTier.programme_id == programme_id,
                                                    LoyaltyTier.name == name.strip()))
    if tier is None:
        raise NotFound.worded(N_("the programme has no tier named %(name)s"), name=repr(name))
    return tier


def _set_status(m: LoyaltyMembership, status: MembershipStatus, now: datetime) -> None:
    if status == MembershipStatus.INVITED:
        m.invited_at = m.invited_at or now
        m.accepted_at = m.left_at = None
    elif status == MembershipStatus.MEMBER and m.status != MembershipStatus.MEMBER:
        m.accepted_at, m.left_at = now, None
        m.since = m.since or now.date()
    elif status == MembershipStatus.LEFT and m.status != MembershipStatus.LEFT:
        m.left_at = now


def update_membership(session: Session, actor: Actor, account_id: int, programme_id: int, *,
                      status: str | None = None, tier: object = UNSET) -> MembershipView:
    """Record an account's membership of a programme: its status and (by name) its tier.

    Args:
        status: ``invited``, ``member`` or ``left``; None leaves it (a new row is invited).
        tier: a tier name of the programme, None for no tier, or UNSET to leave it.

    Raises:
        LoyaltyError: an unknown programme or tier, or a status that is not one.
    """
    m = _membership(session, programme_id, account_id)
    now, before = utcnow(), (m.status.value if m.id else None, m.tier.name if m.tier else None)
    if status is not None:
        try:
            _set_status(m, MembershipStatus(status), now)
        except ValueError:
            raise LoyaltyError.worded(STATUS_REFUSAL, status=repr(status)) from None
    elif m.id is None:
        m.invited_at = now
    if tier is not UNSET:
        new = None if tier in (None, "") else tier_named(session, programme_id, str(tier))
        if (new.id if new else None) != m.tier_id:
            m.tier, m.since = new, now.date()
    session.flush()
    session.refresh(m)
    after = membership_view(m)
    if list(before) != [after.status, after.tier]:  # an import run twice records it once
        audit.record_by(session, actor, MEMBERSHIP_CHANGED, f"account:{account_id}",
                        {"programme": after.programme, "from": list(before),
                         "to": [after.status, after.tier]})
    return after


_CHUNK = 500  # accounts per read of their memberships


def invite(session: Session, actor: Actor, programme_id: int, account_ids: Iterable[int],
           *, campaign_id: int | None = None) -> int:
    """Mark accounts invited to a programme (an invitation campaign went out to them).

    Members and those invited before keep their dates. Returns how many were newly invited.
    """
    now, count = utcnow(), 0
    wanted = sorted(set(account_ids))
    known: dict[int, LoyaltyMembership] = {}
    for start in range(0, len(wanted), _CHUNK):  # one read per chunk, not one per account
        known.update((m.account_id, m) for m in session.scalars(select(LoyaltyMembership).where(
            LoyaltyMembership.programme_id == programme_id,
            LoyaltyMembership.account_id.in_(wanted[start:start + _CHUNK]))))
    if len(known) < len(wanted) and session.get(LoyaltyProgramme, programme_id) is None:
        raise NotFound.worded(N_("no such programme"))
    for account_id in wanted:
        m = known.get(account_id)
        if m is None:
            session.add(LoyaltyMembership(programme_id=programme_id, account_id=account_id,
                                          invited_at=now))
            count += 1
        elif m.invited_at is None and m.status == MembershipStatus.INVITED:
            m.invited_at = now
            count += 1
    session.flush()
    if count:
        audit.record_by(session, actor, INVITED, f"loyalty_programme:{programme_id}",
                        {"accounts": count, "campaign_id": campaign_id})
    return count


def accept(session: Session, actor: Actor, programme_id: int, account_id: int,
           *, contact_id: int | None = None) -> AcceptResult:
    """Record that the account accepted the programme's invitation (idempotent).

    Following the link again, or after the account left, changes nothing:
    joining again after leaving is a manager's decision, not a link's.
    """
    m = _membership(session, programme_id, account_id)
    already = m.accepted_at is not None
    if not already:
        now = utcnow()
        m.invited_at, m.accepted_at = m.invited_at or now, now
        m.since = m.since or now.date()
        session.flush()
        audit.record_by(session, actor, ACCEPTED, f"account:{account_id}",
                        {"programme_id": programme_id, "contact_id": contact_id})
    return AcceptResult(account_id, m.programme.name if m.programme else "", already)


def _status_clause(status: str):
    M = LoyaltyMembership
    left = and_(M.left_at.is_not(None), or_(M.accepted_at.is_(None), M.left_at >= M.accepted_at))
    if status == MembershipStatus.LEFT:
        return left
    if status == MembershipStatus.MEMBER:
        return and_(M.accepted_at.is_not(None), ~left)
    return and_(M.accepted_at.is_(None), ~left)


def account_ids_with_status(status: str, programme_id: int | None = None) -> Select:
    """A SELECT of the ids of accounts with a membership in ``status`` (of one programme)."""
    if status not in {s.value for s in MembershipStatus}:
        raise LoyaltyError.worded(STATUS_REFUSAL, status=repr(status))
    stmt = select(LoyaltyMembership.account_id).where(_status_clause(status))
    if programme_id is not None:
        stmt = stmt.where(LoyaltyMembership.programme_id == programme_id)
    return stmt


def account_ids_with_tier(names: Sequence[str]) -> Select:
    """A SELECT of the ids of members (of any programme) whose tier is one of ``names``."""
    return (select(LoyaltyMembership.account_id)
            .join(LoyaltyTier, LoyaltyTier.id == LoyaltyMembership.tier_id)
            .where(LoyaltyTier.name.in_(names), _status_clause(MembershipStatus.MEMBER)))


def member_tiers(session: Session, account_ids: Sequence[int]) -> dict[int, str]:
    """Per account that is a member of some programme: its tier name ("" without one)."""
    rows = session.execute(
        select(LoyaltyMembership.account_id, LoyaltyTier.name)
        .outerjoin(LoyaltyTier, LoyaltyTier.id == LoyaltyMembership.tier_id)
        .where(LoyaltyMembership.account_id.in_(account_ids),
               _status_clause(MembershipStatus.MEMBER))
        .order_by(LoyaltyMembership.account_id, LoyaltyTier.rank.desc()))
    result: dict[int, str] = {}
    for account_id, tier in rows:
        result.setdefault(account_id, tier or "")
    return result


def default_programme_id(session: Session) -> int | None:
    """The programme meant when none is named: the only active one (None with several)."""
    ids = list(session.scalars(select(LoyaltyProgramme.id)
                               .where(LoyaltyProgramme.active.is_(True)).limit(2)))
    return ids[0] if len(ids) == 1 else None
