"""The workspace settings page: every threshold of every domain, shown and changed by admins.

Each setting is declared once with its type, default and limits (see
:mod:`abm.workspace.services`); the page validates with those declarations and
stores nothing unless every value passes.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from abm.currencies.settings import CURRENCY, CurrencyInUse, CurrencyNotKnown
from abm.db import get_session
from abm.web.auth import role_required
from abm.workspace.services import SETTINGS, SettingError, describe_settings, set_settings

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")


def parse_setting(setting: dict, raw: str | None) -> object:
    """The typed value of a setting from its form text (a missing checkbox is false).

    Raises:
        SettingError: not a number where one is needed.
    """
    if setting["type"] == "bool":
        return raw == "on"
    raw = (raw or "").strip()
    if setting["type"] in ("int", "float"):
        try:
            number = float(raw.replace(",", "."))  # either decimal mark
        except ValueError:
            kind = _("a whole number") if setting["type"] == "int" else _("a number")
            raise SettingError(_("%(value)r is not %(kind)s", value=raw, kind=kind)) from None
        # 2.5 for a whole-number setting goes on as it is, for the setting to refuse.
        return int(number) if setting["type"] == "int" and number.is_integer() else number
    return raw


def error_text(exc: SettingError) -> str:
    """Why a value was refused, in the user's language where the setting says so."""
    if isinstance(exc, CurrencyNotKnown):
        return _("%(value)s is not an ISO 4217 currency code (such as EUR, RUB, USD).",
                 value=exc.value)
    if isinstance(exc, CurrencyInUse):
        return ngettext(
            "The currency cannot change from %(current)s to %(new)s: %(num)s order line holds "
            "amounts in %(current)s, which would then be read as %(new)s. To import files in "
            "%(new)s, keep %(current)s and add %(new)s rates on the Exchange rates page.",
            "The currency cannot change from %(current)s to %(new)s: %(num)s order lines hold "
            "amounts in %(current)s, which would then be read as %(new)s. To import files in "
            "%(new)s, keep %(current)s and add %(new)s rates on the Exchange rates page.",
            exc.lines, current=exc.current, new=exc.new)
    return str(exc)


@bp.route("/", methods=["GET", "POST"])
@role_required("admin")
def index():
    session = get_session()
    settings = describe_settings(session)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {}
        for s in settings:
            try:
                value = parse_setting(s, request.form.get(s["key"]))
                values[s["key"]] = SETTINGS[s["key"]].validate(value)
            except SettingError as exc:
                errors[s["key"]] = error_text(exc)
        if not errors:  # nothing is stored unless every value passes
            try:
                set_settings(session, values, user_id=current_user.id)
            except CurrencyInUse as exc:  # a guard: the change itself is refused
                session.rollback()
                errors[CURRENCY] = error_text(exc)
            else:
                session.commit()
                flash(_("Settings saved."), "info")
                return redirect(url_for(".index"))
        for s in settings:
            s["entered"] = request.form.get(s["key"], "")
    groups: dict[str, list[dict]] = {"workspace": []}  # first: what every amount is in
    for s in settings:
        groups.setdefault(s["key"].split(".", 1)[0], []).append(s)
    return render_template("admin/settings.html", groups=groups, errors=errors), \
        422 if errors else 200
