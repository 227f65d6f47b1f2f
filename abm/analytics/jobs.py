"""The analytics refresh as an RQ job: after every import, on the button, and nightly.

``today`` is an ISO date string (RQ arguments stay plain data); None means
the real date when the job runs.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import asdict
from datetime import date, timedelta

from abm.analytics import refresh
from abm.db import get_session, reading, utcnow
from abm.runs.models import RunStatus
from abm.runs.services import enqueue_tracked, tracked, unfinished_runs

QUEUE = "analytics"


def _day(today: str | None) -> date:
    return date.fromisoformat(today) if today else date.today()


@tracked
def refresh_analytics(today: str | None = None, *, progress) -> dict:
    """Bring every figure derived from the sales data up to date (one commit at the end).

    The run row moves before each step: the steps before the last only read,
    in transactions that do not take SQLite's write lock, so the pages' own
    writes go on meanwhile; the last step stores everything in one transaction.
    """
    session = get_session()
    mode = ExitStack()
    mode.enter_context(reading())

    def step(done: int, total: int, message: str) -> None:
        session.commit()  # ends the step's reads; nothing is pending in them
        if message == refresh.STEPS[-1]:
            mode.close()  # what follows writes: it waits its turn for the lock
        with reading(False):  # the run row is written in a short transaction of its own
            progress(done, total, message)
            session.commit()

    try:
        result = refresh.refresh_analytics(session, today=_day(today), progress=step)
    finally:
        mode.close()
    progress(len(refresh.STEPS), len(refresh.STEPS), refresh.DONE)
    session.commit()
    return asdict(result)


def start_refresh(*, user_id: int | None = None, today: str | None = None) -> str:
    """Enqueue the refresh unless one is waiting for a worker already; returns its run id.

    Call it after the change of data has been committed. A refresh still
    waiting in the queue has read nothing yet, so it will see the change: a
    second one would only do the same work again. A refresh already running may
    have read the data before the change, so then a new one is queued.
    """
    session = get_session()
    since = utcnow() - timedelta(seconds=refresh.REFRESH_TIMEOUT)
    for run in unfinished_runs(session, refresh.REFRESH_KIND, since=since):
        if run.status == RunStatus.QUEUED and _waiting(run.id, today):
            return run.id
    return enqueue_tracked(refresh_analytics, today, queue=QUEUE, kind=refresh.REFRESH_KIND,
                           user_id=user_id, job_timeout=refresh.REFRESH_TIMEOUT)


def _waiting(job_id: str, today: str | None) -> bool:
    """Whether the job is in its queue, not yet taken by a worker, for the same day."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    from abm.queue import get_redis

    try:
        job = Job.fetch(job_id, connection=get_redis().connection)
    except NoSuchJobError:  # lost with a Redis that was not saved: its row is stale
        return False
    return job.get_status() == JobStatus.QUEUED and tuple(job.args) == (today,)
