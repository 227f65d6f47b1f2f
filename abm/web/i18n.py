"""Language choice and locale-aware formatting of numbers, money and dates in templates."""

from __future__ import annotations

import functools
from datetime import date, datetime

import flask_babel
from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from flask import Blueprint, Flask, current_app, redirect, request, session, url_for
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_login import current_user

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


def money(value: float | None, currency: str | None = None, cents: bool = False) -> str:
    """An amount in the workspace currency, in the user's locale (whole units unless ``cents``)."""
    if value is None:
        return "—"
    code = currency or current_app.config.get("ABM_CURRENCY", "EUR")
    if cents:
        return format_currency(value, code)
    locale = get_locale()
    return _whole_units(str(locale), code).apply(value, locale)


# The patterns are parsed once and applied directly: a list page formats hundreds
# of numbers, and Flask-Babel's wrappers cost several times the formatting itself.
@functools.lru_cache(maxsize=64)
def _whole_units(locale: str, currency: str) -> NumberPattern:
    """The locale's own currency pattern (where the sign goes, which spaces), minus the cents,
    with the currency's symbol written in."""
    parsed = Locale.parse(locale)
    symbol = parsed.currency_symbols.get(currency, currency).replace("'", "''")
    pattern = parsed.currency_formats["standard"].pattern.replace(".00", "")
    return parse_pattern(pattern.replace("¤", f"'{symbol}'"))


@functools.lru_cache(maxsize=16)
def _decimal_pattern(digits: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return _decimal_pattern(digits).apply(value, get_locale())


def percent(value: float | None, digits: int = 1) -> str:
    """A share (0.25) as a percentage in the user's locale (25.0 %)."""
    if value is None:
        return "—"
    return format_percent(value, format="#,##0." + "0" * digits + "%" if digits else "#,##0%")


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
    app.jinja_env.filters.update(money=money, number=number, percent=percent, day=day,
                                 moment=moment, month=month,
                                 accounts_count=accounts_count)
    app.jinja_env.globals.update(LANGUAGE_NAMES=LANGUAGE_NAMES, label=label, hhi_level=hhi_level,
                                 current_language=lambda: str(get_locale() or "en"),
                                 time_zone=lambda: str(get_timezone()),
                                 role_label=lambda value: label("role", value))
