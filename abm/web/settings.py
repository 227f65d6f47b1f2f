"""The workspace settings page: every threshold of every domain, shown and changed by admins.

Each setting is declared once, in its domain's typed section, with its type,
default, limits and description (see :mod:`abm.settings.catalogue`); the page
validates with those declarations and stores nothing unless every value passes.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from abm.currencies.settings import CurrencyInUse
from abm.db import get_session
from abm.settings.services import SettingView, describe_settings, set_settings, validate_setting
from abm.web.auth import role_required
from abm.workspace.sections import N_
from abm.workspace.services import SettingError

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")


def parse_setting(setting: SettingView, raw: str | None) -> object:
    """The typed value of a setting from its form text (a missing checkbox is false).

    Raises:
        SettingError: not a number where one is needed.
    """
    if setting.type == "bool":
        return raw == "on"
    raw = (raw or "").strip()
    if setting.type in ("int", "float"):
        try:
            number = float(raw.replace(",", "."))  # either decimal mark
        except ValueError:
            kind = _("a whole number") if setting.type == "int" else _("a number")
            raise SettingError(setting.key, "not_a_number", N_("%(value)r is not %(kind)s"),
                               value=raw, kind=kind) from None
        # 2.5 for a whole-number setting goes on as it is, for the setting to refuse.
        return int(number) if setting.type == "int" and number.is_integer() else number
    return raw


def error_text(exc: SettingError) -> str:
    """Why a value was refused, in the user's language."""
    if isinstance(exc, CurrencyInUse):
        return ngettext(
            "The currency cannot change from %(current)s to %(new)s: %(num)s order line holds "
            "amounts in %(current)s, which would then be read as %(new)s. To import files in "
            "%(new)s, keep %(current)s and add %(new)s rates on the Exchange rates page.",
            "The currency cannot change from %(current)s to %(new)s: %(num)s order lines hold "
            "amounts in %(current)s, which would then be read as %(new)s. To import files in "
            "%(new)s, keep %(current)s and add %(new)s rates on the Exchange rates page.",
            exc.lines, current=exc.current, new=exc.new)
    return _(exc.template, **exc.params)


@bp.route("/", methods=["GET", "POST"])
@role_required("admin")
def index():
    session = get_session()
    settings = describe_settings(session)
    errors: dict[str, str] = {}
    entered: dict[str, str] = {}
    if request.method == "POST":
        values = {}
        for s in settings:
            try:
                values[s.key] = validate_setting(s.key, parse_setting(s, request.form.get(s.key)))
            except SettingError as exc:
                errors[s.key] = error_text(exc)
        if not errors:  # nothing is stored unless every value passes
            try:
                set_settings(session, values, user_id=current_user.id)
            except SettingError as exc:  # a section's own rule refuses the change itself
                session.rollback()
                errors[exc.key] = error_text(exc)
            else:
                session.commit()
                flash(_("Settings saved."), "info")
                return redirect(url_for(".index"))
        entered = {s.key: request.form.get(s.key, "") for s in settings}
    groups: dict[str, list[SettingView]] = {}
    for s in settings:  # in the catalogue's order: the workspace first, what amounts are in
        groups.setdefault(s.group, []).append(s)
    return render_template("admin/settings.html", groups=groups, errors=errors,
                           entered=entered), 422 if errors else 200
