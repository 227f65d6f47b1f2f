"""The workspace's own dates worth a greeting: marketing reads them, managers edit them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from abm.campaigns.audience_errors import AudienceError
from abm.campaigns.audience_form import resolve_accounts
from abm.campaigns.greeting_dates import GreetingDateError, delete_date, list_dates, save_date
from abm.db import get_session
from abm.web.auth import current_actor, role_required

bp = Blueprint("greeting_dates", __name__, url_prefix="/campaigns/dates")
EDITORS = ("manager",)  # admins always pass role_required


class DateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[Optional(), Length(max=200)])
    day = IntegerField(_l("Day"), validators=[DataRequired(), NumberRange(1, 31)])
    month = IntegerField(_l("Month"), validators=[DataRequired(), NumberRange(1, 12)])
    since_year = IntegerField(_l("Since (year)"), validators=[Optional()])
    account = StringField(_l("Account (external id or id; empty: the workspace's own date)"),
                          validators=[Optional(), Length(max=100)])


def _page(form: DateForm, status: int = 200):
    return render_template("campaigns/pages/dates.html", dates=list_dates(get_session()),
                           form=form, editable=current_user.role.value in ("admin", "manager")
                           ), status


@bp.route("/")
@role_required("manager", "marketing")
def index():
    return _page(DateForm())


@bp.route("/", methods=["POST"])
@role_required(*EDITORS)
def add():
    form = DateForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    session = get_session()
    try:
        account_id = resolve_accounts(session, form.account.data)[0] \
            if (form.account.data or "").strip() else None
        save_date(session, {"name": form.name.data, "name_ru": form.name_ru.data,
                            "day": form.day.data, "month": form.month.data,
                            "since_year": form.since_year.data, "account_id": account_id},
                  current_actor())
    except AudienceError:
        session.rollback()
        form.account.errors = [_("No such account.")]
        return _page(form, 422)
    except GreetingDateError as exc:
        session.rollback()
        field, message = {
            "day": (form.day, _("This is not a day of the year.")),
            "since_year": (form.since_year, _("Enter a past year.")),
            "account_id": (form.account, _("No such account.")),
        }.get(exc.field, (form.name, _("A name of 1 to 200 characters is needed.")))
        field.errors = [message]
        return _page(form, 422)
    session.commit()
    flash(_("Date saved."), "info")
    return redirect(url_for(".index"))


@bp.route("/<int:date_id>/delete", methods=["POST"])
@role_required(*EDITORS)
def delete(date_id: int):
    session = get_session()
    try:
        delete_date(session, date_id, current_actor())
    except LookupError:
        abort(404)
    session.commit()
    flash(_("Date deleted."), "info")
    return redirect(url_for(".index"))
