"""Exchange rates: the administrators keep what other currencies are worth in the workspace's.

Imports convert the lines of other currencies at these rates; a line whose currency
has no rate on its day is refused, and its error points here.
"""

from __future__ import annotations

import functools

from babel.numbers import get_currency_name
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from abm.currencies import services
from abm.currencies.codes import currency_codes
from abm.db import get_session
from abm.web.auth import role_required
from abm.web.forms import options

bp = Blueprint("rates", __name__, url_prefix="/admin/rates")


@functools.lru_cache(maxsize=8)
def _named_currencies(locale: str) -> tuple[tuple[str, str], ...]:
    return tuple((code, f"{code} — {get_currency_name(code, locale=locale)}")
                 for code in sorted(currency_codes()))


def currency_pairs(first: str | None = None, *,
                   leave_out: str | None = None) -> list[tuple[str, str]]:
    """Every ISO 4217 code with its name in the user's language, ``first`` first."""
    named = [pair for pair in _named_currencies(str(get_locale() or "en"))
             if pair[0] != leave_out]
    named.sort(key=lambda pair: pair[0] != first)  # stable: the rest stay in code order
    return named


def currency_choices(first: str | None = None, *, leave_out: str | None = None) -> list:
    """:func:`currency_pairs` as the options of a select field."""
    return options(currency_pairs(first, leave_out=leave_out))


class CommaDecimalField(DecimalField):
    """A decimal number written with either decimal mark (92,5 or 92.5)."""

    def process_formdata(self, valuelist):
        super().process_formdata([v.strip().replace(" ", "").replace(",", ".")
                                  for v in valuelist])


def _positive_rate(_form, field) -> None:
    if field.data is None or not 0 < field.data < services.MAX_RATE:
        raise ValidationError(_("A rate is a positive number."))


class RateForm(FlaskForm):
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    rate = CommaDecimalField(_l("Worth in the workspace currency"), places=None,
                             validators=[InputRequired(), _positive_rate])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])


def error_text(exc: services.RateError) -> str:
    """The reason a rate was refused, in the user's language."""
    p = exc.params
    if exc.code == "duplicate":
        return _("A rate %(currency)s→%(base)s from %(day)s exists already: change that one.",
                 **p)
    if exc.code == "same":
        return _("%(currency)s is the workspace currency itself.", **p)
    if exc.code == "currency":
        return _("%(currency)s is not an ISO 4217 currency code.", **p)
    return _("A rate is a positive number.")


def _page(form: RateForm, status: int = 200):
    session = get_session()
    base = services.workspace_currency(session)
    return render_template("admin/rates.html", form=form, rates=services.list_rates(session),
                           base=base), status


def _new_form(base: str, formdata=None) -> RateForm:
    form = RateForm(formdata=formdata) if formdata is not None else RateForm()
    form.currency.choices = currency_choices("USD" if base != "USD" else "EUR", leave_out=base)
    return form


@bp.route("/", methods=["GET", "POST"])
@role_required("admin")
def index():
    session = get_session()
    form = _new_form(services.workspace_currency(session))
    if not form.validate_on_submit():
        return _page(form, 422 if form.is_submitted() else 200)
    try:
        services.save_rate(session, currency=form.currency.data, rate=float(form.rate.data),
                           valid_from=form.valid_from.data, user_id=current_user.id,
                           address=request.remote_addr)
    except services.RateError as exc:
        session.rollback()
        form.currency.errors.append(error_text(exc))
        return _page(form, 422)
    session.commit()
    flash(_("Exchange rate saved."), "info")
    return redirect(url_for(".index"))


@bp.route("/<int:rate_id>", methods=["POST"])
@role_required("admin")
def edit(rate_id: int):
    """Change a rate's value or first day (its currencies stay)."""
    session = get_session()
    form = _new_form(services.workspace_currency(session))
    del form.currency
    if form.validate_on_submit():
        try:
            services.change_rate(session, rate_id, rate=float(form.rate.data),
                                 valid_from=form.valid_from.data, user_id=current_user.id,
                                 address=request.remote_addr)
        except services.RateError as exc:
            session.rollback()
            if exc.code == "missing":
                abort(404)
            flash(error_text(exc), "error")
        else:
            session.commit()
            flash(_("Exchange rate saved."), "info")
    else:
        flash(_("Enter a positive rate and a day."), "error")
    return redirect(url_for(".index"))


@bp.route("/<int:rate_id>/delete", methods=["POST"])
@role_required("admin")
def delete(rate_id: int):
    session = get_session()
    try:
        services.delete_rate(session, rate_id, user_id=current_user.id,
                             address=request.remote_addr)
    except services.RateError:
        abort(404)
    session.commit()
    flash(_("Exchange rate deleted."), "info")
    return redirect(url_for(".index"))
