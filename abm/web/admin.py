"""Administration: the users of the workspace and their roles, and the audit log."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Form,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from abm.audit import services as audit
from abm.db import get_session
from abm.users.models import User
from abm.users.services import create_user, list_users, update_user
from abm.web import labels
from abm.web.auth import current_actor, role_required
from abm.web.forms import options

bp = Blueprint("admin", __name__, url_prefix="/admin")


def role_choices() -> list[tuple[str, str]]:
    return labels.choices("role")


class NewUserForm(FlaskForm):
    # A shape check only: the email_validator package is not a dependency.
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"))
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=10, max=200)])


class EditUserForm(FlaskForm):
    role = SelectField(_l("Role"))
    active = BooleanField(_l("Active"))


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    session = get_session()
    form = NewUserForm(prefix="new")
    form.role.choices = options(role_choices())
    status = 200
    if form.validate_on_submit():
        try:
            create_user(session, email=form.email.data, name=form.name.data,
                        role=form.role.data, password=form.password.data, by=current_actor())
            session.commit()
        except IntegrityError:
            session.rollback()
            form.email.errors.append(_("A user with this email exists already."))
            status = 422
        else:
            flash(_("User created."), "info")
            return redirect(url_for(".users"))
    elif form.is_submitted():
        status = 422
    return render_template("admin/users.html", users=list_users(session), form=form,
                           roles=role_choices()), status


@bp.route("/users/<int:user_id>", methods=["POST"])
@role_required("admin")
def edit_user(user_id: int):
    session = get_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    form = EditUserForm()
    form.role.choices = options(role_choices())
    if form.validate_on_submit():
        if user.id == current_user.id and (form.role.data != "admin" or not form.active.data):
            # An admin who demotes themselves can lock everyone out of the settings.
            flash(_("You cannot remove your own administrator access."), "error")
        else:
            update_user(session, user, role=form.role.data, active=form.active.data,
                        by=current_actor())
            session.commit()
            flash(_("User updated."), "info")
    return redirect(url_for(".users"))


AUDIT_PAGE = 50


class AuditFilterForm(Form):
    """The filters of the audit log, read from the query string (a GET form: no CSRF)."""

    action = SelectField(_l("Action"), validators=[Optional()])
    user = SelectField(_l("User"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
    before = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**63 - 1)])


def _start_of(day) -> datetime:
    """The start of a day of the workspace time zone, the one the log's times are shown in."""
    return datetime.combine(day, time.min, tzinfo=get_timezone())


@bp.route("/audit")
@role_required("admin")
def audit_log():
    """Sensitive actions, newest first, filtered by action, user and dates, a page at a time."""
    session = get_session()
    users_by_id = {u.id: u for u in list_users(session)}
    form = AuditFilterForm(request.args)
    form.action.choices = [("", _("All"))] + [(a, labels.label("audit_action", a))
                                              for a in audit.ACTIONS]
    form.user.choices = [("", _("All"))] + [(str(i), u.name) for i, u in users_by_id.items()]
    if not form.validate():
        return render_template("admin/audit.html", form=form, events=[], users=users_by_id,
                               next_url=None, first_url=None), 422
    rows = audit.list_events(
        session, action=form.action.data or None,
        actor_id=int(form.user.data) if form.user.data else None,
        since=_start_of(form.since.data) if form.since.data else None,
        until=_start_of(form.until.data + timedelta(days=1)) if form.until.data else None,
        before_id=form.before.data, limit=AUDIT_PAGE + 1)
    kept: dict[str, Any] = {k: v for k, v in request.args.items() if k != "before" and v}
    next_url = None
    if len(rows) > AUDIT_PAGE:
        rows = rows[:AUDIT_PAGE]
        next_url = url_for(".audit_log", **kept, before=rows[-1].id)
    first_url = url_for(".audit_log", **kept) if form.before.data else None
    return render_template("admin/audit.html", form=form, events=rows, users=users_by_id,
                           next_url=next_url, first_url=first_url)
