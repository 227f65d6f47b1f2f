"""The first page behind the login: account counts and revenue by month."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from abm.accounts.services import count_accounts_by_kind
from abm.db import get_session
from abm.sales.services import revenue_by_month

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@login_required
def index():
    session = get_session()
    return render_template(
        "dashboard/index.html",
        counts=count_accounts_by_kind(session),
        months=revenue_by_month(session),
    )
