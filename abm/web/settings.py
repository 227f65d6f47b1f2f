"""The workspace settings page: every threshold of every domain, shown and changed by admins.

Each setting is declared once with its type, default and limits (see
:mod:`abm.workspace.services`); the page validates with those declarations and
stores nothing unless every value passes.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

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
                errors[s["key"]] = str(exc)
        if not errors:  # nothing is stored unless every value passes
            set_settings(session, values, user_id=current_user.id)
            session.commit()
            flash(_("Settings saved."), "info")
            return redirect(url_for(".index"))
        for s in settings:
            s["entered"] = request.form.get(s["key"], "")
    groups: dict[str, list[dict]] = {}
    for s in settings:
        groups.setdefault(s["key"].split(".", 1)[0], []).append(s)
    return render_template("admin/settings.html", groups=groups, errors=errors), \
        422 if errors else 200
