"""Progress of background jobs, polled by pages that started one."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask_login import current_user, login_required

from abm.db import get_session
from abm.runs.services import get_run
from abm.web.composed import run_error

bp = Blueprint("runs", __name__, url_prefix="/runs")


@bp.route("/<run_id>")
@login_required
def status(run_id: str):
    """The run's state as JSON: status, done, total, percent, message, result, error (in the
    reader's language when the runs domain worded it)."""
    run = get_run(get_session(), run_id)
    if run is None:
        abort(404)
    if run.created_by_id not in (None, current_user.id) and current_user.role.value not in (
        "admin", "manager"
    ):
        abort(404)  # not yours: do not even confirm it exists
    return jsonify(
        id=run.id,
        kind=run.kind,
        status=run.status.value,
        done=run.done,
        total=run.total,
        percent=run.percent,
        message=run.message,
        result=run.result,
        error=run_error(run.error),
    )
