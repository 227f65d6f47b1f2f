"""Language choice and locale-aware formatting of numbers, money and dates in templates."""

from __future__ import annotations

import functools
from datetime import date, datetime

import flask_babel
from babel.numbers import NumberPattern, parse_pattern
from flask import Blueprint, Flask, g, redirect, request, session, url_for
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_login import current_user

from abm.currencies.formats import whole_units_pattern
from abm.currencies.services import workspace_currency
from abm.db import get_session
from abm.users.services import set_language
from abm.web import LANGUAGES
from abm.web.auth import safe_next
from abm.web.labels import hhi_level, label

bp = Blueprint("i18n", __name__)

LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}


@bp.route("/language", methods=["POST"])
def choose_language():
    """Keep the chosen language in the session and, once logged in, on the user."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            set_language(get_session(), current_user, lang)
            get_session().commit()
    back = safe_next(request.form.get("next")) or url_for("dashboard.index")
    return redirect(back)


def current_currency() -> str:
    """The workspace currency, read once per request (a list page formats hundreds of amounts)."""
    if "abm_currency" not in g:
        g.abm_currency = workspace_currency(get_session())
    return g.abm_currency


def _forget_currency() -> None:
    # Requests may share an application context (the test client's do), and with it ``g``.
    g.pop("abm_currency", None)


def money(value: float | None, currency: str | None = None, cents: bool = False) -> str:
    """An amount in the workspace currency, in the user's locale (whole units unless ``cents``)."""
    if value is None:
        return "—"
    code = currency or current_currency()
    if cents:
        return format_currency(value, code)
    locale = get_locale()
    return whole_units_pattern(str(locale), code).apply(value, locale)


# The patterns are parsed once and applied directly: a list page formats hundreds
# of numbers, and Flask-Babel's wrappers cost several times the formatting itself.
@functools.lru_cache(maxsize=16)
def _decimal_pattern(digits: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return _decimal_pattern(digits).apply(value, get_locale())


def decimal(value: float | None) -> str:
    """A number with as many decimals as it has (up to ten), such as an exchange rate."""
    if value is None:
        return "—"
    return _decimal_pattern_up_to(10).apply(value, get_locale())


@functools.lru_cache(maxsize=4)
def _decimal_pattern_up_to(digits: int) -> NumberPattern:
    return parse_pattern("#,##0." + "#" * digits)


def percent(value: float | None, digits: int = 1, signed: bool = False) -> str:
    """A share (0.25) as a percentage in the user's locale (25.0 %); ``signed``: +25.0 %."""
    if value is None:
        return "—"
    return _percent_pattern(digits, signed).apply(value, get_locale())


@functools.lru_cache(maxsize=16)
def _percent_pattern(digits: int, signed: bool) -> NumberPattern:
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return parse_pattern(f"+{pattern};-{pattern}" if signed else pattern)


def day(value: date | datetime | None, form: str = "medium") -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, form)


def moment(value: datetime | None, form: str = "medium") -> str:
    return "—" if value is None else format_datetime(value, form)


def month(value: date | None) -> str:
    """A month as "Mar 2026" (or the locale's own form)."""
    return "—" if value is None else format_date(value, "LLL yyyy")


def accounts_count(n: int) -> str:
    """ "1 account" / "12,345 accounts", with the locale's plural forms and digit grouping."""
    text = get_translations().ungettext("%(num)s account", "%(num)s accounts", n)
    return text % {"num": format_decimal(n)}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # The locale is chosen afresh for every request, even when requests share an
    # application context (as the test client's do).
    app.before_request(flask_babel.refresh)
    app.before_request(_forget_currency)
    app.jinja_env.filters.update(money=money, number=number, decimal=decimal, percent=percent,
                                 day=day, moment=moment, month=month,
                                 accounts_count=accounts_count)
    app.jinja_env.globals.update(LANGUAGE_NAMES=LANGUAGE_NAMES, label=label, hhi_level=hhi_level,
                                 current_language=lambda: str(get_locale() or "en"),
                                 workspace_currency=current_currency,
                                 time_zone=lambda: str(get_timezone()),
                                 role_label=lambda value: label("role", value))
    _composed(app)


def _composed(app: Flask) -> None:
    """The sentences composed from codes and figures (:mod:`abm.web.composed`)."""
    from abm.segments import wording as segment_names
    from abm.web import composed

    app.jinja_env.filters.update(segment_name=segment_names.segment_name)
    app.jinja_env.globals.update(
        segment_phrase=segment_names.segment_phrase, segment_rule=segment_names.segment_rule,
        feature_label=segment_names.feature_label, recommendation=composed.recommendation,
        account_reason=composed.account_reason, run_message=composed.run_message,
        run_error=composed.run_error)
