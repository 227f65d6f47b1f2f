"""The first page behind the login: revenue, concentration, key accounts, alerts, win-back."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from abm.analytics.company import company_figures, compute_company_figures
from abm.db import get_session
from abm.web.auth import current_viewer
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
    months = figures["months"]
    return render_template(
        "dashboard/index.html",
        counts=figures["counts"],
        months=months,
        chart=bar_chart([m["revenue"] for m in months]),
        panels=build_panels(session, current_viewer(), figures),
    )
