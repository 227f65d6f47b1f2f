"""Housekeeping of job runs: the workers' maintenance, the periodic pruning."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete

from abm.db import get_session, utcnow
from abm.queue import get_redis
from abm.runs import services
from abm.runs.models import JobRun, RunStatus


def prune_runs(keep_days: int = 90) -> int:
    """Delete finished and failed run rows older than ``keep_days``."""
    session = get_session()
    cutoff = utcnow() - timedelta(days=keep_days)
    result = cast(CursorResult[Any], session.execute(
        delete(JobRun).where(
            JobRun.status.in_([RunStatus.FINISHED, RunStatus.FAILED]), JobRun.created_at < cutoff
        )
    ))
    session.commit()
    return result.rowcount


def close_abandoned_runs() -> list[str]:
    """What every worker runs every few seconds (see :class:`abm.queue.Maintenance`): a run
    whose worker died under it is marked failed within seconds, so that the page following
    it says so and what waits for it can start again. Returns the ids of the runs closed."""
    session = get_session()
    closed = services.close_abandoned_runs(session, get_redis().connection)
    session.commit()
    return closed
