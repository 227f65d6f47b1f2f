"""Accounts: the rules about customers and prospects, and the one way an account is written.

The pages, the API and the command line create and change accounts through
:func:`create_account` and :func:`update_account`, so that who may own, edit and
move an account is decided in one place.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.orm import Session

from abm.accounts.models import Account, AccountCategory, AccountKind, Category
from abm.users.models import User


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


def visibility_clause(viewer: Viewer, *, own_only: bool = False) -> ColumnElement[bool]:
    """The WHERE condition on :class:`Account` that limits rows to what ``viewer`` may see
    (``own_only``: to the accounts they own, whatever their role)."""
    if viewer.sees_every_account and not own_only:
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
class NotAllowed(PermissionError):
    """The viewer may not make this change; the message (English) says why."""


class UnknownOwner(LookupError):
    """The owner named for an account is no user."""


DOSSIER_FIELDS = (
    "name", "industry", "country", "region", "city", "employees", "website", "description",
    "history", "structure", "competitors", "current_supplier", "competitor_key_client",
    "win_plan", "terms_reviewed_on",
)
QUALIFICATION_FIELDS = ("has_need", "can_pay", "has_authority")
ACCOUNT_FIELDS = ("kind", "external_id", *DOSSIER_FIELDS, *QUALIFICATION_FIELDS)
# What the stored analytics show of an account (names in lists, counts by kind, owners
# of alerts, terms reviews due): a change of one leaves their figures stale.
SHOWN_BY_ANALYTICS = ("name", "external_id", "kind", "owner_id", "terms_reviewed_on")


@dataclass(frozen=True, slots=True)
class SavedAccount:
    """An account just created or changed.

    Attributes:
        account: the row (flushed).
        figures_stale: whether the analytics show something that changed: the caller
            starts their refresh once it has committed.
    """

    account: Account
    figures_stale: bool


def create_account(session: Session, viewer: Viewer, values: Mapping[str, Any]) -> SavedAccount:
    """Create an account from ``values`` (``name`` and any of :data:`ACCOUNT_FIELDS`,
    ``categories``, ``owner_id``). The caller commits.

    Sales users own the accounts they create; management may name any owner, or none.

    Raises:
        NotAllowed: a sales user named someone else as the owner.
        UnknownOwner: no user has the owner's id.
    """
    owner_id = values.get("owner_id")
    if can_reassign_account(viewer):
        _check_owner(session, owner_id)
    elif owner_id not in (None, viewer.user_id):
        raise NotAllowed("only management assigns accounts to someone else")
    else:
        owner_id = viewer.user_id
    account = Account(name=values["name"], kind=values.get("kind") or AccountKind.CUSTOMER,
                      owner_id=owner_id)
    session.add(account)
    _apply(session, account, values)
    return SavedAccount(account, figures_stale=True)


def update_account(session: Session, viewer: Viewer, account: Account,
                   values: Mapping[str, Any]) -> SavedAccount:
    """Change the fields present in ``values`` (as for :func:`create_account`). The caller
    commits.

    Raises:
        NotAllowed: the viewer may not edit the account, or moves it to another owner
            without being management.
        UnknownOwner: no user has the new owner's id.
    """
    if not can_edit_account(account, viewer):
        raise NotAllowed("you may not edit this account")
    before = [getattr(account, name) for name in SHOWN_BY_ANALYTICS]
    if "owner_id" in values and values["owner_id"] != account.owner_id:
        if not can_reassign_account(viewer):
            raise NotAllowed("only management moves an account to another owner")
        _check_owner(session, values["owner_id"])
        account.owner_id = values["owner_id"]
    _apply(session, account, values)
    after = [getattr(account, name) for name in SHOWN_BY_ANALYTICS]
    return SavedAccount(account, figures_stale=after != before)


def _check_owner(session: Session, owner_id: int | None) -> None:
    if owner_id is not None and session.get(User, owner_id) is None:
        raise UnknownOwner("owner_id: no such user")


def _apply(session: Session, account: Account, values: Mapping[str, Any]) -> None:
    if values.get("country"):
        values = {**values, "country": values["country"].upper()}  # ISO codes are capitals
    update_dossier(session, account, values)
    if "categories" in values:
        set_categories(session, account, values["categories"] or [])


def assign_fields(row: object, values: Mapping[str, Any], names: Iterable[str]) -> None:
    """Set the fields of ``names`` present in ``values`` on ``row`` (others are ignored).

    An empty string is stored as NULL, so that "cleared" and "never filled" read the same:
    the rule of every record a person fills in (accounts, contacts, tenders).
    """
    for name in names:
        if name in values:
            value = values[name]
            setattr(row, name, None if value == "" else value)


def update_dossier(session: Session, account: Account, values: Mapping[str, Any]) -> None:
    """Set the fields of :data:`ACCOUNT_FIELDS` present in ``values`` (see
    :func:`assign_fields`)."""
    assign_fields(account, values, ACCOUNT_FIELDS)
    session.flush()


def set_categories(session: Session, account: Account, categories: Iterable[str]) -> None:
    """Replace the account's qualitative categories with ``categories``."""
    wanted = {Category(c) for c in categories}
    account.categories = [c for c in account.categories if c.category in wanted]
    have = {c.category for c in account.categories}
    for category in sorted(wanted - have, key=lambda c: c.value):
        account.categories.append(AccountCategory(category=category))
    session.flush()
