"""The first page behind the login: revenue, concentration, key accounts, alerts, win-back.

Management can refresh the analytics from here: the refresh runs in a worker
and its page shows a progress bar that refreshes itself until it is done.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from abm.analytics.company import company_figures, compute_company_figures
from abm.analytics.refresh import REFRESH_KIND, running_refresh
from abm.db import get_session
from abm.web.auth import current_viewer, role_required
from abm.web.charts import bar_chart
from abm.web.dashboard_panels import build_panels

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@login_required
def index():
    session = get_session()
    # Before the first import or analytics job has stored them (a new database,
    # or data written by other means), the figures are computed for the page.
    figures = company_figures(session) or compute_company_figures(session)
    months = figures.months
    return render_template(
        "dashboard/index.html",
        counts=figures.counts,
        months=months,
        chart=bar_chart([m["revenue"] for m in months]),
        panels=build_panels(session, current_viewer(), figures),
        refreshing=running_refresh(session),
    )


@bp.route("/analytics/refresh", methods=["POST"])
@role_required("manager")
def refresh_analytics():
    from abm.analytics.jobs import start_refresh

    run_id = start_refresh(user_id=current_user.id)
    return redirect(url_for(".refresh_run", run_id=run_id))


@bp.route("/analytics/refresh/<run_id>")
@role_required("manager")
def refresh_run(run_id: str):
    from abm.runs.services import get_run

    run = get_run(get_session(), run_id)
    if run is None or run.kind != REFRESH_KIND:
        abort(404)
    finished = run.status.value in ("finished", "failed")
    return render_template("dashboard/refresh.html", run=run, finished=finished)
