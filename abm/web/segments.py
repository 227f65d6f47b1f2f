"""The segments page: the latest segmentation, each segment explained, and a button to re-run it.

Segmentation runs in a worker; the run page refreshes itself until it is done.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from abm.db import get_session
from abm.web.auth import role_required
from abm.web.charts import bar_chart
from abm.web.composed import run_error
from abm.web.potential_panel import feature_label, feature_value

bp = Blueprint("segments", __name__, url_prefix="/segments")


@bp.route("/")
@role_required("manager", "marketing")
def index():
    # Imported here: the segmentation domain is optional to the rest of the web UI.
    from abm.segments.reads import latest_segments

    latest = latest_segments(get_session())
    chart = bar_chart([s.size for s in latest.segments]) if latest else None
    peak = max((s.size for s in latest.segments), default=0) if latest else 0
    return render_template("segments/index.html", latest=latest, chart=chart, peak=peak,
                           note=_potential_note(latest.metrics) if latest else None,
                           feature_label=feature_label, feature_value=feature_value)


def _potential_note(metrics: dict) -> str | None:
    """Why the latest run stands without potential, in the reader's language (None: it has
    potential)."""
    from abm.segments.wording import reason_text

    english = metrics.get("potential")
    return reason_text(metrics.get("potential_note"), None if english == "ok" else english)


@bp.route("/run", methods=["POST"])
@role_required("manager", "marketing")
def start():
    from abm.segments.jobs import start_segmentation

    run_id = start_segmentation(user_id=current_user.id)
    return redirect(url_for(".run", run_id=run_id))


@bp.route("/runs/<run_id>")
@role_required("manager", "marketing")
def run(run_id: str):
    from abm.runs.services import get_run

    job = get_run(get_session(), run_id)
    if job is None or job.kind != "segmentation":
        abort(404)
    finished = job.status.value in ("finished", "failed")
    return render_template("segments/run.html", run=job, finished=finished, **_said(job))


def _said(job) -> dict[str, str | None]:
    """What a segmentation run says, in the reader's language: its step, why it failed
    (from the code and parameters it kept), the note of a run made without a new potential
    fit."""
    from abm.segments.wording import reason_text

    kept = job.result or {}
    error = None
    if job.error:
        refusal = ({"code": kept["error_code"], "params": kept.get("error_params") or {}}
                   if kept.get("error_code") else None)
        error = reason_text(refusal, run_error(job.error))
    # Its steps are the catalogue's (abm.segments.services marks them); a finished run's
    # last one ("done") is its status.
    step = job.message if job.message and job.status.value != "finished" else None
    return {"step": _(step) if step else None, "error": error,
            "note": reason_text(kept.get("note_reason"), kept.get("note"))}
