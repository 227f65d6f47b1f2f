"""The team's work on accounts: logging interactions, tasks, comments, and "my tasks"."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from abm.accounts import work
from abm.accounts.contacts import account_contacts
from abm.accounts.models import TaskStatus
from abm.db import get_session
from abm.web.accounts import (
    EVERY_ROLE,
    assignee_choices,
    contact_choices,
    interaction_kind_choices,
    load_account,
)
from abm.web.auth import current_viewer, role_required
from abm.web.forms import CommentForm, InteractionForm, TaskForm

bp = Blueprint("activity", __name__)


def _form_errors(form) -> None:
    for field, errors in form.errors.items():
        label = form[field].label.text if field in form else field
        for error in errors:
            flash(_("%(field)s: %(reason)s", field=label, reason=error), "error")


@bp.route("/accounts/<int:account_id>/interactions", methods=["POST"])
@role_required(*EVERY_ROLE)
def log_interaction(account_id: int):
    session = get_session()
    account = load_account(account_id)
    form = InteractionForm(prefix="interaction")
    form.kind.choices = interaction_kind_choices()
    form.contact_id.choices = contact_choices(account_contacts(session, account.id))
    if form.validate_on_submit():
        # The browser sends wall time without a zone: the workspace's, as the pages show it.
        when = form.occurred_at.data.replace(tzinfo=get_timezone())
        work.log_interaction(session, account_id=account.id, user_id=current_user.id,
                             kind=form.kind.data, occurred_at=when, text=form.text.data or "",
                             contact_id=form.contact_id.data)
        session.commit()
        flash(_("Interaction logged."), "info")
    else:
        _form_errors(form)
    return redirect(url_for("accounts.show", account_id=account.id) + "#interactions")


@bp.route("/accounts/<int:account_id>/tasks", methods=["POST"])
@role_required(*EVERY_ROLE)
def create_task(account_id: int):
    session = get_session()
    account = load_account(account_id)
    form = TaskForm(prefix="task")
    form.assignee_id.choices = assignee_choices()
    if form.validate_on_submit():
        work.create_task(session, account_id=account.id, creator_id=current_user.id,
                         title=form.title.data, description=form.description.data,
                         assignee_id=form.assignee_id.data, due_on=form.due_on.data)
        session.commit()
        flash(_("Task added."), "info")
    else:
        _form_errors(form)
    return redirect(url_for("accounts.show", account_id=account.id) + "#tasks")


def _task_or_404(task_id: int):
    task = work.get_task_for(get_session(), task_id, current_viewer())
    if task is None:
        abort(404)
    return task


@bp.route("/tasks/<int:task_id>/status", methods=["POST"])
@role_required(*EVERY_ROLE)
def task_status(task_id: int):
    session = get_session()
    task = _task_or_404(task_id)
    status = request.form.get("status", "")
    if status not in {s.value for s in TaskStatus}:
        abort(400)
    work.set_task_status(session, task, status)
    session.commit()
    return redirect(_back(task))


@bp.route("/tasks/<int:task_id>/comments", methods=["POST"])
@role_required(*EVERY_ROLE)
def task_comment(task_id: int):
    session = get_session()
    task = _task_or_404(task_id)
    form = CommentForm(prefix="comment")
    if form.validate_on_submit():
        work.add_task_comment(session, task, author_id=current_user.id, text=form.text.data)
        session.commit()
    else:
        _form_errors(form)
    return redirect(_back(task))


def _back(task) -> str:
    if request.form.get("back") == "tasks":
        return url_for(".my_tasks")
    return url_for("accounts.show", account_id=task.account_id) + f"#task-{task.id}"


@bp.route("/tasks")
@role_required(*EVERY_ROLE)
def my_tasks():
    return render_template("tasks/index.html",
                           tasks=work.open_tasks_for(get_session(), current_user.id))
