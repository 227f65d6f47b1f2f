"""Tasks on accounts, shared by sales and marketing, and their comments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from abm.accounts import work
from abm.accounts.models import Task, TaskStatus
from abm.api import lists
from abm.api.accounts import visible_account
from abm.api.core import ApiError, current_user, current_viewer, operation
from abm.api.schemas import Day, Id, Input, Output, Page, PageQuery, Text
from abm.db import get_session


class TaskOut(Output):
    id: int
    account_id: int
    assignee_id: int | None
    creator_id: int | None
    title: str
    description: str | None
    due_on: date | None
    status: TaskStatus
    created_at: datetime
    updated_at: datetime


class CommentOut(Output):
    id: int
    task_id: int
    author_id: int | None
    text: str
    created_at: datetime


class TaskQuery(PageQuery):
    account_id: Id | None = None
    assignee_id: Id | None = None
    status: TaskStatus | None = None


class TaskCreate(Input):
    account_id: Id
    title: Annotated[str, Text(300, min_length=1)]
    description: Annotated[str, Text(5000)] | None = None
    assignee_id: Id | None = None
    due_on: Day | None = None


class TaskUpdate(Input):
    title: Annotated[str, Text(300, min_length=1)] = None  # type: ignore[assignment]
    description: Annotated[str, Text(5000)] | None = None
    assignee_id: Id | None = None
    due_on: Day | None = None
    status: TaskStatus = None  # type: ignore[assignment]


class CommentCreate(Input):
    text: Annotated[str, Text(5000, min_length=1)]


@operation("GET", "/tasks", summary="List tasks", tag="tasks", query=TaskQuery,
           response=Page[TaskOut])
def list_(query: TaskQuery) -> Page[TaskOut]:
    """Tasks on the accounts you see, and every task assigned to you."""
    rows = lists.tasks(get_session(), current_viewer(), account_id=query.account_id,
                       assignee_id=query.assignee_id, status=query.status,
                       after=query.after, limit=query.limit)
    return Page[TaskOut](items=[TaskOut.model_validate(t) for t in rows.items],
                         next_cursor=None if rows.next_after is None else str(rows.next_after))


def _task(task_id: int) -> Task:
    task = work.get_task_for(get_session(), task_id, current_viewer())
    if task is None:
        raise ApiError(404, "no such task")
    return task


@operation("GET", "/tasks/<int:task_id>", summary="Read a task", tag="tasks", response=TaskOut)
def get(task_id: int) -> TaskOut:
    return TaskOut.model_validate(_task(task_id))


@operation("POST", "/tasks", summary="Add a task to an account", tag="tasks", body=TaskCreate,
           response=TaskOut, status=201, errors=(404,))
def create(body: TaskCreate) -> TaskOut:
    account = visible_account(body.account_id)
    try:
        task = work.create_task(get_session(), account_id=account.id,
                                creator_id=current_user().id, title=body.title,
                                description=body.description, assignee_id=body.assignee_id,
                                due_on=body.due_on)
    except work.UnknownAssignee as exc:
        raise ApiError(404, str(exc)) from None
    return TaskOut.model_validate(task)


@operation("PATCH", "/tasks/<int:task_id>", summary="Update a task", tag="tasks",
           body=TaskUpdate, response=TaskOut)
def update(task_id: int, body: TaskUpdate) -> TaskOut:
    task = _task(task_id)
    try:
        work.update_task(get_session(), task, body.model_dump(include=body.model_fields_set),
                         by_id=current_user().id)
    except work.UnknownAssignee as exc:
        raise ApiError(404, str(exc)) from None
    return TaskOut.model_validate(task)


@operation("POST", "/tasks/<int:task_id>/comments", summary="Comment on a task", tag="tasks",
           body=CommentCreate, response=CommentOut, status=201)
def comment(task_id: int, body: CommentCreate) -> CommentOut:
    comment = work.add_task_comment(get_session(), _task(task_id), author_id=current_user().id,
                                    text=body.text)
    return CommentOut.model_validate(comment)
