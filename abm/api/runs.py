"""Background job runs: progress and outcome of imports, analytics, segmentation, sends."""

from __future__ import annotations

from datetime import datetime

from flask import url_for

from abm.api.core import ApiError, current_user, operation
from abm.api.schemas import Output
from abm.db import get_session
from abm.runs.models import RunStatus
from abm.runs.services import get_run


class RunOut(Output):
    id: str
    kind: str
    status: RunStatus
    done: int
    total: int | None
    percent: int | None
    message: str | None
    result: dict | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@operation("GET", "/runs/<run_id>", summary="A job run's progress", tag="runs", response=RunOut)
def get(run_id: str) -> RunOut:
    """Your own runs; management sees every run (others answer 404)."""
    run = get_run(get_session(), run_id)
    user = current_user()
    if run is None or (run.created_by_id not in (None, user.id)
                       and user.role.value not in ("admin", "manager")):
        raise ApiError(404, "no such run")
    return RunOut.model_validate(run)


class RunStarted(Output):
    """A background job was started: follow it at ``status_url``."""

    run_id: str
    status_url: str


def run_started(run_id: str) -> RunStarted:
    return RunStarted(run_id=run_id, status_url=url_for("api.runs_get", run_id=run_id))
