"""Why accounts leave: marking an account lost or won back, and the lost-revenue report.

The mark is made on the account page by whoever may edit the account; the
report (by reason and period, with a CSV export) is for the company-wide roles.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from abm.analytics.losses import (
    PERIODS,
    LossError,
    LossReportRow,
    lost_revenue_report,
    mark_account,
)
from abm.analytics.settings import AnalyticsSettings
from abm.db import get_session
from abm.web.accounts import load_editable_account
from abm.web.auth import current_actor, role_required
from abm.web.csv_export import csv_response
from abm.web.labels import label
from abm.workspace.services import settings_of

bp = Blueprint("losses", __name__)

REPORT_ROLES = ("admin", "manager", "marketing")


@bp.route("/accounts/<int:account_id>/loss", methods=["POST"])
@role_required("manager", "sales")
def mark(account_id: int):
    """Mark the account lost or won back, with a reason of the workspace's list and a note."""
    session = get_session()
    account = load_editable_account(account_id)
    action = request.form.get("action", "")
    if action not in ("lost", "won_back"):
        abort(400)
    try:
        mark_account(session, account.id, action, request.form.get("reason", ""),
                     request.form.get("note", "")[:5000], actor=current_actor())
    except LossError:
        session.rollback()
        flash(_("Choose a reason from the list."), "error")
    else:
        session.commit()
        flash(_("Marked as lost.") if action == "lost" else _("Marked as won back."), "info")
    return redirect(url_for("accounts.show", account_id=account.id) + "#losses")


@bp.app_template_global("loss_reasons")
def loss_reasons() -> list[tuple[str, str]]:
    """The workspace's reasons as (value, name in the reader's language)."""
    return [(r, label("loss_reason", r))
            for r in settings_of(get_session(), AnalyticsSettings).loss_reason_list]


def _by() -> str:
    by = request.args.get("by", "month")
    return by if by in PERIODS else "month"


@bp.route("/reports/losses")
@role_required(*REPORT_ROLES)
def report():
    """Lost revenue by reason and period."""
    by = _by()
    rows = lost_revenue_report(get_session(), by=by)
    return render_template("reports/losses.html", rows=rows, by=by, periods=PERIODS,
                           total=round(sum(r.annual_revenue for r in rows), 2))


@bp.route("/reports/losses.csv")
@role_required(*REPORT_ROLES)
def export():
    """The report as CSV: reason codes beside their names, amounts unformatted."""
    by = _by()

    def rows(session) -> list[list[object]]:
        return [_csv_row(r) for r in lost_revenue_report(session, by=by)]

    return csv_response(f"lost-revenue-by-{by}.csv",
                        ["period", "reason", "reason_text", "accounts", "monthly_revenue",
                         "annual_revenue"], rows)


def _csv_row(r: LossReportRow) -> list[object]:
    return [r.period, r.reason, label("loss_reason", r.reason), r.accounts, r.monthly_revenue,
            r.annual_revenue]
