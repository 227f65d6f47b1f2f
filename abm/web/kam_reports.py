"""The KAM's monthly report as a page: a manager opens any KAM's, a KAM their own.

The figures come from :func:`abm.analytics.kam_report.kam_report`; the printable
view is the same body without the navigation, laid out for paper.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from abm.analytics.kam_report import kam_report, kams
from abm.db import get_session

bp = Blueprint("kam_reports", __name__, url_prefix="/reports/kam")

MANAGERS = ("admin", "manager")


def _may_see(kam_id: int) -> bool:
    return current_user.role.value in MANAGERS or kam_id == current_user.id


def _today() -> date:
    """The day the report is as of: ``?today=YYYY-MM-DD`` shows an earlier month's report."""
    try:
        return date.fromisoformat(request.args.get("today", ""))
    except ValueError:
        return date.today()


@bp.route("/")
@login_required
def index():
    if current_user.role.value in MANAGERS and request.args.get("kam", "").isdigit():
        return redirect(url_for("kam_reports.show", kam_id=int(request.args["kam"])))
    return redirect(url_for("kam_reports.show", kam_id=current_user.id))


def _report(kam_id: int):
    if not _may_see(kam_id):
        abort(403)
    report = kam_report(get_session(), kam_id, _today())
    if report is None:
        abort(404)
    return report


@bp.route("/<int:kam_id>")
@login_required
def show(kam_id: int):
    report = _report(kam_id)
    choices = kams(get_session()) if current_user.role.value in MANAGERS else []
    return render_template("reports/kam.html", report=report, kams=choices, links=True)


@bp.route("/<int:kam_id>/print")
@login_required
def printable(kam_id: int):
    return render_template("reports/kam_print.html", report=_report(kam_id), links=False)
