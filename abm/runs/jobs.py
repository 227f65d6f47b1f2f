"""Housekeeping jobs for job runs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete

from abm.db import get_session, utcnow
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
