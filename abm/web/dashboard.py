"""The first page behind the login: revenue, concentration, key accounts, alerts, win-back."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import login_required

from abm.accounts.insights import data_stamp
from abm.accounts.services import count_accounts_by_kind
from abm.db import get_session
from abm.sales.services import revenue_by_month
from abm.web.auth import current_viewer
from abm.web.charts import bar_chart
from abm.web.dashboard_panels import FigureCache, build_panels

bp = Blueprint("dashboard", __name__)


def figure_cache() -> FigureCache:
    return current_app.extensions.setdefault("abm.web.figures", FigureCache())


@bp.route("/")
@login_required
def index():
    session = get_session()
    cache = figure_cache()
    stamp = data_stamp(session)
    months = cache.get("revenue_by_month", stamp, lambda: revenue_by_month(session))[-24:]
    return render_template(
        "dashboard/index.html",
        counts=count_accounts_by_kind(session),
        months=months,
        chart=bar_chart([m["revenue"] for m in months]),
        panels=build_panels(session, current_viewer(), cache),
    )
