"""Administration: the users of the workspace and their roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from abm.audit import services as audit
from abm.db import get_session
from abm.users.models import User
from abm.users.services import create_user, list_users, update_user
from abm.web import labels
from abm.web.auth import role_required
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
            user = create_user(session, email=form.email.data, name=form.name.data,
                               role=form.role.data, password=form.password.data)
            audit.record(session, current_user.id, audit.USER_CREATED, f"user:{user.id}",
                         {"role": user.role.value}, address=request.remote_addr)
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
            before = {"role": user.role.value, "active": user.active}
            update_user(session, user, role=form.role.data, active=form.active.data)
            after = {"role": user.role.value, "active": user.active}
            if after != before:
                changed_role = after["role"] != before["role"]
                action = audit.ROLE_CHANGED if changed_role else audit.USER_UPDATED
                audit.record(session, current_user.id, action, f"user:{user.id}",
                             {"from": before, "to": after}, address=request.remote_addr)
            session.commit()
            flash(_("User updated."), "info")
    return redirect(url_for(".users"))
