"""The team's work on one account: tenders, interactions, tasks and comments.

The caller (a view) has already checked that the user may see the account;
these functions record what was done. The caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from abm.accounts.models import (
    Account,
    Contact,
    Interaction,
    InteractionKind,
    Task,
    TaskComment,
    TaskStatus,
    Tender,
)
from abm.accounts.services import Viewer, assign_fields, visibility_clause
from abm.notifications.models import NotificationKind
from abm.notifications.services import notify
from abm.users.models import User

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
    assign_fields(tender, values, TENDER_FIELDS)
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


class UnknownAssignee(LookupError):
    """A task given to someone who is not an active user."""


def _check_assignee(session: Session, assignee_id: int | None) -> None:
    if assignee_id is None:
        return
    user = session.get(User, assignee_id)
    if user is None or not user.active:
        raise UnknownAssignee("assignee_id: no such active user")


def create_task(
    session: Session, *, account_id: int, creator_id: int, title: str,
    description: str | None = None, assignee_id: int | None = None, due_on: date | None = None,
) -> Task:
    """Add a task to the account (title stripped, an empty description NULL).

    Raises:
        UnknownAssignee: the assignee is not an active user.
    """
    _check_assignee(session, assignee_id)
    task = Task(account_id=account_id, creator_id=creator_id, title=title.strip(),
                description=description or None, assignee_id=assignee_id, due_on=due_on)
    session.add(task)
    session.flush()
    _tell_assignee(session, task, creator_id)
    return task


def _tell_assignee(session: Session, task: Task, by_id: int | None) -> None:
    """A task given to someone else lands in their inbox (one's own task does not)."""
    if task.assignee_id is None or task.assignee_id == by_id:
        return
    by = session.get(User, by_id) if by_id is not None else None
    account = session.get(Account, task.account_id)
    notify(session, task.assignee_id, NotificationKind.TASK_ASSIGNED,
           {"task_id": task.id, "title": task.title, "account_id": task.account_id,
            "account": account.name if account else "", "by": by.name if by else ""})


def notify_tasks_due(session: Session, today: date) -> int:
    """Tell each assignee of an open task due ``today`` (once per task and day)."""
    told = 0
    rows = session.execute(
        select(Task.id, Task.title, Task.assignee_id, Task.account_id, Account.name)
        .join(Account, Account.id == Task.account_id)
        .where(Task.due_on == today, Task.assignee_id.is_not(None),
               Task.status.in_([TaskStatus.OPEN, TaskStatus.IN_PROGRESS])))
    for task_id, title, assignee_id, account_id, account in rows:
        told += notify(session, assignee_id, NotificationKind.TASK_DUE,
                       {"task_id": task_id, "title": title, "account_id": account_id,
                        "account": account}, key=f"task_due:{task_id}:{today.isoformat()}")
    return told


def update_task(session: Session, task: Task, values: Mapping[str, Any], *,
                by_id: int | None = None) -> None:
    """Change the fields present in ``values`` (title, description, assignee_id, due_on,
    status) by the rules of :func:`create_task`.

    Raises:
        UnknownAssignee: the new assignee is not an active user.
    """
    reassigned = "assignee_id" in values and values["assignee_id"] != task.assignee_id
    if "assignee_id" in values:
        _check_assignee(session, values["assignee_id"])
        task.assignee_id = values["assignee_id"]
    if "title" in values:
        task.title = values["title"].strip()
    if "description" in values:
        task.description = values["description"] or None
    if "due_on" in values:
        task.due_on = values["due_on"]
    if "status" in values:
        task.status = TaskStatus(values["status"])
    session.flush()
    if reassigned:
        _tell_assignee(session, task, by_id)


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
