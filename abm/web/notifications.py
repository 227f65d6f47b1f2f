"""The inbox: each user's notifications, the unread count in the header, the e-mail choices.

Notifications are stored as codes and parameters (:mod:`abm.notifications`) and
worded here in the reader's language; marking read is a POST with CSRF.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from abm.db import get_session
from abm.notifications import services
from abm.notifications.models import NotificationKind
from abm.notifications.texts import kind_label, render
from abm.web.accounts import EVERY_ROLE
from abm.web.auth import role_required

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

# Where a notification leads: (endpoint, its arguments from the parameters, fixed ones).
Link = tuple[str, dict[str, str], dict[str, str]]
_LINKS: dict[str, Link] = {
    NotificationKind.TASK_ASSIGNED: ("accounts.show", {"account_id": "account_id"}, {}),
    NotificationKind.TASK_DUE: ("accounts.show", {"account_id": "account_id"}, {}),
    NotificationKind.APPROVAL_WAITING: ("approvals.index", {}, {}),
    NotificationKind.APPROVAL_DECIDED: ("campaigns.show", {"campaign_id": "campaign_id"}, {}),
    NotificationKind.ALERTS_RAISED: ("alerts.index", {}, {"mine": "1"}),
}
# A request settled by someone else leads to the campaign: it has left the approvals page.
_RESOLVED_LINKS: dict[str, Link] = {
    NotificationKind.APPROVAL_WAITING: ("campaigns.show", {"campaign_id": "campaign_id"}, {}),
}


def link(kind: str, params: dict[str, Any], resolved: bool = False) -> str | None:
    """The page a notification is about, or None (an old or foreign parameter set).

    A campaign waiting for approval leads to its own card on the approvals page, new
    alerts to the open alerts of the reader's accounts.
    """
    found: Link
    if kind == NotificationKind.RUN_FINISHED and str(params.get("kind", "")).startswith("import"):
        found = ("imports.run", {"run_id": "run_id"}, {})
    elif resolved and kind in _RESOLVED_LINKS:
        found = _RESOLVED_LINKS[kind]
    elif kind in _LINKS:
        found = _LINKS[kind]
    else:
        return None
    endpoint, args, fixed = found
    anchor = None
    if (kind == NotificationKind.APPROVAL_WAITING and not resolved
            and isinstance(params.get("campaign_id"), int)):
        anchor = f"campaign-{params['campaign_id']}"
    try:
        values: dict[str, Any] = fixed | {name: params[key] for name, key in args.items()}
        return url_for(endpoint, _anchor=anchor, **values)
    except (KeyError, BuildError):
        return None


@bp.app_context_processor
def _unread():
    """The header's unread count: one indexed count per page of a logged-in user."""
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return services.unread_count(get_session(), current_user.id)

    return {"unread_notifications": unread_notifications}


@bp.route("/")
@role_required(*EVERY_ROLE)
def index():
    session = get_session()
    t = get_translations()
    items = [{"id": n.id, "text": render(t, n.kind, n.params, n.resolution),
              "link": link(n.kind, n.params, resolved=n.resolution is not None),
              "created_at": n.created_at, "read": n.read, "resolved": n.resolution is not None}
             for n in services.inbox(session, current_user.id)]
    return render_template("notifications/index.html", items=items)


@bp.route("/read", methods=["POST"])
@role_required(*EVERY_ROLE)
def mark_read():
    ids = [int(i) for i in request.form.getlist("id") if i.isdigit()]
    services.mark_read(get_session(), current_user.id, ids)
    get_session().commit()
    return redirect(url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@role_required(*EVERY_ROLE)
def mark_all_read():
    n = services.mark_read(get_session(), current_user.id)
    get_session().commit()
    if n:
        flash(_("All notifications marked read."), "info")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@role_required(*EVERY_ROLE)
def preferences():
    session = get_session()
    if request.method == "POST":
        chosen = [k for k in request.form.getlist("email") if k in set(NotificationKind)]
        services.set_email_kinds(session, current_user.id, chosen)
        session.commit()
        flash(_("Your e-mail choices are saved."), "info")
        return redirect(url_for("notifications.preferences"))
    t = get_translations()
    chosen_now = services.email_kinds(session, current_user.id)
    kinds = [{"value": k.value, "label": kind_label(t, k.value), "checked": k.value in chosen_now}
             for k in NotificationKind]
    return render_template("notifications/settings.html", kinds=kinds)
