"""API tokens in the web UI: each user creates (shown once), lists and revokes their own;
administrators see and revoke everyone's."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from abm.db import get_session
from abm.users import tokens
from abm.web.accounts import EVERY_ROLE
from abm.web.auth import current_actor, role_required

bp = Blueprint("tokens", __name__, url_prefix="/tokens")


class NewTokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    expires_in_days = IntegerField(_l("Expires after (days)"),
                                   validators=[Optional(), NumberRange(min=1, max=3650)])


def _is_admin() -> bool:
    return current_user.role.value == "admin"


def _page(form: NewTokenForm, secret: str | None = None, status: int = 200):
    rows = tokens.list_tokens(get_session(), None if _is_admin() else current_user.id)
    return render_template("admin/tokens.html", tokens=rows, form=form, secret=secret,
                           show_owner=_is_admin()), status


@bp.route("/", methods=["GET", "POST"])
@role_required(*EVERY_ROLE)
def index():
    """The list, and the form that creates a token; a new token is shown on this answer only."""
    form = NewTokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422 if form.is_submitted() else 200)
    session = get_session()
    _, secret = tokens.issue_token(session, current_user.id, form.name.data,
                                   expires_at=tokens.expires_after(form.expires_in_days.data),
                                   by=current_actor())
    session.commit()
    return _page(NewTokenForm(formdata=None), secret=secret, status=201)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@role_required(*EVERY_ROLE)
def revoke(token_id: int):
    session = get_session()
    row = tokens.token_of(session, token_id, current_user)
    if row is None:
        abort(404)
    tokens.revoke_token(session, row, by=current_actor())
    session.commit()
    flash(_("Token revoked."), "info")
    return redirect(url_for(".index"))
