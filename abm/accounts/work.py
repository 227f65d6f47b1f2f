"""The team's work on one account: dossier edits, interactions, tasks and comments.

The caller (a view) has already checked that the user may see the account;
these functions record what was done. The caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from abm.accounts.emails import normalise_email
from abm.accounts.models import (
    Account,
    AccountCategory,
    Category,
    Contact,
    Interaction,
    InteractionKind,
    Task,
    TaskComment,
    TaskStatus,
    Tender,
)
from abm.accounts.services import Viewer, visibility_clause

DOSSIER_FIELDS = (
    "name", "industry", "country", "region", "city", "employees", "website", "description",
    "history", "structure", "competitors", "current_supplier", "terms_reviewed_on",
)
QUALIFICATION_FIELDS = ("has_need", "can_pay", "has_authority")


def update_dossier(session: Session, account: Account, values: dict) -> None:
    """Set the dossier fields present in ``values`` (unknown keys are ignored).

    Empty strings are stored as NULL, so that "cleared" and "never filled" read the same.
    """
    for name in DOSSIER_FIELDS + QUALIFICATION_FIELDS:
        if name in values:
            value = values[name]
            setattr(account, name, None if value == "" else value)
    session.flush()


def set_categories(session: Session, account: Account, categories: Iterable[str]) -> None:
    """Replace the account's qualitative categories with ``categories``."""
    wanted = {Category(c) for c in categories}
    account.categories = [c for c in account.categories if c.category in wanted]
    have = {c.category for c in account.categories}
    for category in sorted(wanted - have, key=lambda c: c.value):
        account.categories.append(AccountCategory(category=category))
    session.flush()


def set_owner(session: Session, account: Account, owner_id: int | None) -> None:
    account.owner_id = owner_id
    session.flush()


def contacts(session: Session, account_id: int) -> list[Contact]:
    """The account's people, decision makers first (by DMU role, then name)."""
    stmt = select(Contact).where(Contact.account_id == account_id).order_by(Contact.role,
                                                                            Contact.name)
    return list(session.scalars(stmt))


CONTACT_FIELDS = ("name", "role", "position", "email", "phone", "birthday", "language",
                  "marketing_consent")


def get_contact(session: Session, account_id: int, contact_id: int) -> Contact | None:
    """The contact if it belongs to the account."""
    contact = session.get(Contact, contact_id)
    return contact if contact is not None and contact.account_id == account_id else None


def save_contact(session: Session, account: Account, values: dict,
                 contact: Contact | None = None) -> Contact:
    """Create a contact on the account, or update ``contact``, from ``values``.

    Empty strings are stored as NULL; an email is validated and stored normalised
    (:func:`~abm.accounts.emails.normalise_email`).

    Raises:
        InvalidEmail: the email is not a valid address.
    """
    if contact is None:
        contact = Contact(account_id=account.id)
        session.add(contact)
    for name in CONTACT_FIELDS:
        if name in values:
            value = values[name]
            if name == "email" and value:
                value = normalise_email(value)
            setattr(contact, name, None if value == "" else value)
    session.flush()
    return contact


TENDER_FIELDS = ("title", "held_on", "outcome", "reason", "amount")


def get_tender(session: Session, account_id: int, tender_id: int) -> Tender | None:
    """The tender if it belongs to the account."""
    tender = session.get(Tender, tender_id)
    return tender if tender is not None and tender.account_id == account_id else None


def save_tender(session: Session, account: Account, values: dict,
                tender: Tender | None = None) -> Tender:
    """Record a tender of the account, or update ``tender``; empty strings are stored as NULL."""
    if tender is None:
        tender = Tender(account_id=account.id)
        session.add(tender)
    for name in TENDER_FIELDS:
        if name in values:
            value = values[name]
            setattr(tender, name, None if value == "" else value)
    session.flush()
    return tender


def delete_tender(session: Session, tender: Tender) -> None:
    session.delete(tender)
    session.flush()


def interactions(session: Session, account_id: int, limit: int = 100) -> list[Interaction]:
    """The latest interactions on the account, newest first."""
    stmt = (
        select(Interaction)
        .where(Interaction.account_id == account_id)
        .options(selectinload(Interaction.user), selectinload(Interaction.contact))
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def log_interaction(
    session: Session, *, account_id: int, user_id: int, kind: InteractionKind | str,
    occurred_at: datetime, text: str = "", contact_id: int | None = None,
) -> Interaction:
    """Record a call, meeting, visit, email, complaint or note on the account.

    Raises:
        ValueError: the contact does not belong to the account.
    """
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.account_id != account_id:
            raise ValueError("the contact does not belong to this account")
    interaction = Interaction(account_id=account_id, user_id=user_id,
                              kind=InteractionKind(kind), occurred_at=occurred_at,
                              text=text or "", contact_id=contact_id)
    session.add(interaction)
    session.flush()
    return interaction


def account_tasks(session: Session, account_id: int) -> list[Task]:
    """The account's tasks: open ones first by due date, then the finished ones."""
    finished = Task.status.in_([TaskStatus.DONE, TaskStatus.CANCELLED])
    stmt = (
        select(Task)
        .where(Task.account_id == account_id)
        .options(selectinload(Task.comments).selectinload(TaskComment.author),
                 selectinload(Task.assignee))
        .order_by(finished, Task.due_on.is_(None), Task.due_on, Task.id)
    )
    return list(session.scalars(stmt))


def create_task(
    session: Session, *, account_id: int, creator_id: int, title: str,
    description: str | None = None, assignee_id: int | None = None, due_on: date | None = None,
) -> Task:
    task = Task(account_id=account_id, creator_id=creator_id, title=title.strip(),
                description=description or None, assignee_id=assignee_id, due_on=due_on)
    session.add(task)
    session.flush()
    return task


def get_task_for(session: Session, task_id: int, viewer: Viewer) -> Task | None:
    """The task if ``viewer`` may work on it: its account is visible, or it is assigned to them."""
    stmt = (
        select(Task)
        .join(Account, Account.id == Task.account_id)
        .where(Task.id == task_id,
               or_(visibility_clause(viewer), Task.assignee_id == viewer.user_id))
    )
    return session.scalar(stmt)


def set_task_status(session: Session, task: Task, status: TaskStatus | str) -> None:
    task.status = TaskStatus(status)
    session.flush()


def add_task_comment(session: Session, task: Task, *, author_id: int, text: str) -> TaskComment:
    comment = TaskComment(task_id=task.id, author_id=author_id, text=text.strip())
    session.add(comment)
    session.flush()
    return comment


def open_tasks_for(session: Session, user_id: int, limit: int = 200) -> list[Task]:
    """Open and in-progress tasks assigned to the user, soonest due first."""
    stmt = (
        select(Task)
        .where(Task.assignee_id == user_id,
               Task.status.in_([TaskStatus.OPEN, TaskStatus.IN_PROGRESS]))
        .options(selectinload(Task.account))
        .order_by(Task.due_on.is_(None), Task.due_on, Task.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))
