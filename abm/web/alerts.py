"""The open monitoring alerts, and working them: acknowledge (someone is on it) and resolve
(the cause is found).

Managers work every alert; a sales user works the alerts of the accounts they
see. Marketing reads alerts but does not close them. The list is the dashboard's
panel in full: every open alert one may see, or those of one's own accounts
(where the "new alerts on your accounts" notification leads).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_login import current_user

from abm.accounts.services import can_see_account
from abm.analytics.alerts import AlertError, acknowledge_alert, alert_account_id, resolve_alert
from abm.analytics.wording import Words, alert_text, churn_reason_text
from abm.db import get_session
from abm.web.accounts import EVERY_ROLE
from abm.web.auth import current_viewer, role_required, safe_next
from abm.web.dashboard_panels import open_alerts
from abm.web.labels import label
from abm.workspace.wording import refusal_text

bp = Blueprint("alerts", __name__, url_prefix="/alerts")

ACTIONS = {"acknowledge": acknowledge_alert, "resolve": resolve_alert}
PAGE_LIMIT = 200  # the newest open alerts shown; the page says how many more there are


@bp.route("/")
@role_required(*EVERY_ROLE)
def index():
    """The open alerts the user may see, newest first; ``?mine=1``: of the accounts they own."""
    viewer = current_viewer()
    mine = request.args.get("mine") == "1"
    alerts = open_alerts(get_session(), viewer, own_only=mine, limit=PAGE_LIMIT)
    heading = _("Open alerts on my accounts") if mine else _("Open alerts")
    return render_template("alerts/index.html", alerts=alerts, mine=mine, heading=heading,
                           sees_every_account=viewer.sees_every_account,
                           here=url_for(".index", mine="1") if mine else url_for(".index"))


@bp.route("/<int:alert_id>/<any(acknowledge, resolve):action>", methods=["POST"])
@role_required("manager", "sales")
def change(alert_id: int, action: str):
    session = get_session()
    account_id = alert_account_id(session, alert_id)
    if account_id is None or not can_see_account(session, account_id, current_viewer()):
        abort(404)  # an alert of an account the user cannot see does not exist for them
    try:
        ACTIONS[action](session, alert_id, user_id=current_user.id,
                        note=request.form.get("note", "")[:1000])
    except AlertError as exc:
        session.rollback()
        shown = {"status": label("alert_status", exc.params["status"])} \
            if "status" in exc.params else {}
        flash(_("Not done: %(why)s", why=refusal_text(exc, **shown)), "error")
    else:
        session.commit()
        flash(_("Alert acknowledged.") if action == "acknowledge" else _("Alert resolved."),
              "info")
    return redirect(safe_next(request.form.get("next"))
                    or url_for("accounts.show", account_id=account_id) + "#analytics")


def words() -> Words:
    """The request's translations and locale, for wording stored codes."""
    return Words(get_translations(), str(get_locale()))


@bp.app_template_global("alert_message")
def alert_message(alert) -> str:
    """What an alert says, in the reader's language, from its kind and details."""
    return alert_text(str(alert.kind), alert.details, words())


@bp.app_template_global("churn_reasons")
def churn_reasons(reasons) -> str:
    """Why an account is at risk or lost, in the reader's language."""
    w = words()
    return "; ".join(churn_reason_text(r, w) for r in reasons or [])
