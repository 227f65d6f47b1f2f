"""Accounts: the rules about customers and prospects."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.orm import Session

from abm.accounts.models import Account, AccountKind


def count_accounts_by_kind(session: Session) -> dict[str, int]:
    """Number of accounts of each kind, every kind present (zero when none)."""
    rows = session.execute(select(Account.kind, func.count()).group_by(Account.kind))
    counts = {kind.value: 0 for kind in AccountKind}
    counts.update({kind.value: n for kind, n in rows})
    return counts


# Who sees which accounts. Sales (KAM) work their own book; everyone else works
# every account, because marketing and management plan across the whole base.
ALL_ACCOUNTS_ROLES = frozenset({"admin", "manager", "marketing"})


@dataclass(frozen=True)
class Viewer:
    """The user looking at accounts: enough to apply the visibility rule.

    Attributes:
        user_id: the user's id.
        role: the user's role value (``admin``, ``manager``, ``marketing``, ``sales``).
    """

    user_id: int
    role: str

    @property
    def sees_every_account(self) -> bool:
        return self.role in ALL_ACCOUNTS_ROLES


def visibility_clause(viewer: Viewer) -> ColumnElement[bool]:
    """The WHERE condition on :class:`Account` that limits rows to what ``viewer`` may see."""
    if viewer.sees_every_account:
        return true()
    return Account.owner_id == viewer.user_id


def visible_accounts(viewer: Viewer) -> Select:
    """``SELECT Account`` restricted to the accounts ``viewer`` may see."""
    return select(Account).where(visibility_clause(viewer))


def get_visible_account(session: Session, account_id: int, viewer: Viewer) -> Account | None:
    """The account if it exists and ``viewer`` may see it, else None (never tell which)."""
    return session.scalar(visible_accounts(viewer).where(Account.id == account_id))


def can_see_account(session: Session, account_id: int, viewer: Viewer) -> bool:
    """Whether ``viewer`` may see the account (False when it does not exist)."""
    stmt = select(Account.id).where(Account.id == account_id, visibility_clause(viewer))
    return session.scalar(stmt) is not None


def can_edit_account(account: Account, viewer: Viewer) -> bool:
    """Dossier, categories and qualification: management, or the sales owner.

    Marketing reads every account and works on it through tasks and interactions,
    but the facts of the dossier belong to whoever sells to the account.
    """
    if viewer.role in ("admin", "manager"):
        return True
    return viewer.role == "sales" and account.owner_id == viewer.user_id


def can_reassign_account(viewer: Viewer) -> bool:
    """Only management moves an account from one owner to another."""
    return viewer.role in ("admin", "manager")


def visible_ids(session: Session, viewer: Viewer, account_ids: Collection[int]) -> set[int]:
    """Which of ``account_ids`` ``viewer`` may open."""
    ids = list(account_ids)
    if viewer.sees_every_account:
        return set(ids)
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found.update(session.scalars(select(Account.id).where(
            Account.id.in_(ids[start:start + 500]), visibility_clause(viewer))))
    return found
