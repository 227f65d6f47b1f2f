"""Job runs: the progress and outcome of background work, as the UI shows them."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from redis import Redis
from rq.job import Job, JobStatus
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from abm.db import get_session, utcnow
from abm.notifications.models import NotificationKind
from abm.notifications.services import notify
from abm.queue import get_redis
from abm.runs.models import JobRun, RunStatus
from abm.workspace.sections import N_

# The error of a run whose worker died under it (the web words it in the reader's language).
WORKER_STOPPED = N_("The worker running it stopped before it finished.")
# The states of an RQ job from which it will not run again.
_GIVEN_UP = (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def create_run(
    session: Session, job_id: str, *, kind: str, queue: str, user_id: int | None = None
) -> JobRun:
    run = JobRun(id=job_id, kind=kind, queue=queue, created_by_id=user_id)
    session.add(run)
    session.flush()
    return run


def enqueue_tracked(
    func: Callable[..., Any],
    *args: Any,
    queue: str = "default",
    kind: str | None = None,
    user_id: int | None = None,
    job_timeout: int = 3600,
    **kwargs: Any,
) -> str:
    """Record a :class:`JobRun` and enqueue ``func`` on ``queue`` of the current app.

    The row is committed before the job is enqueued, so a worker that picks the
    job at once finds it; ``func`` keeps the row up to date when it is
    :func:`tracked`. The queue itself (:mod:`abm.queue`) knows nothing of runs.

    Args:
        kind: what the UI calls the run (``import:orders``, ``segmentation``...);
            the function's name by default.
        user_id: who started it, shown beside the run.
        job_timeout: seconds RQ lets the job run.

    Returns:
        The job id, which is also the row's id.
    """
    job_id = uuid.uuid4().hex
    session = get_session()
    create_run(session, job_id, kind=kind or func.__name__, queue=queue, user_id=user_id)
    session.commit()
    get_redis().queue(queue).enqueue_call(
        func, args=args, kwargs=kwargs, job_id=job_id, timeout=job_timeout
    )
    return job_id


def get_run(session: Session, job_id: str) -> JobRun | None:
    return session.get(JobRun, job_id)


class Progress:
    """Progress of the current job, written to its row when the job commits a batch.

    Jobs commit once per batch, so the row the UI polls moves with the work and
    never shows progress of work that was rolled back.
    """

    def __init__(self, session: Session, run: JobRun | None) -> None:
        self.session = session
        self.run = run

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        if self.run is None:
            return
        self.run.done = done
        if total is not None:
            self.run.total = total
        if message is not None:
            self.run.message = message


def tracked(func: Callable) -> Callable:
    """Make an RQ job function keep its :class:`JobRun` row up to date.

    The wrapped function receives a ``progress`` keyword argument (a
    :class:`Progress`). Its return value (a dict) is stored as the run's result;
    an exception marks the run failed with its message, then propagates so
    that RQ records the failure too. An exception that offers its data
    (``as_data()``: plain JSON, such as an import refusal's code and parameters) leaves
    it as the failed run's result, for the pages to word the failure in their reader's
    language. Outside a worker (no current RQ job) the function runs as a plain call
    with a progress that records nothing.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from rq import get_current_job

        session = get_session()
        job = get_current_job()
        run = session.get(JobRun, job.id) if job is not None else None
        if run is not None:
            run.status = RunStatus.STARTED
            run.started_at = utcnow()
            session.commit()
        try:
            result = func(*args, progress=Progress(session, run), **kwargs)
        except Exception as exc:
            session.rollback()
            failed = session.get(JobRun, job.id) if job is not None and run is not None else None
            if failed is not None:
                failed.status = RunStatus.FAILED
                failed.error = str(exc) or type(exc).__name__
                failed.result = _failure_data(exc)
                failed.finished_at = utcnow()
                _tell_starter(session, failed)
                session.commit()
            raise
        if run is not None:
            run.status = RunStatus.FINISHED
            run.result = result if isinstance(result, dict) else None
            if run.total is not None:
                run.done = run.total
            run.finished_at = utcnow()
            _tell_starter(session, run)
        session.commit()
        return result

    return wrapper


def _failure_data(exc: Exception) -> dict | None:
    as_data = getattr(exc, "as_data", None)
    return as_data() if callable(as_data) else None


def _tell_starter(session: Session, run: JobRun) -> None:
    """Whoever started the run learns in their inbox that it finished (or failed)."""
    if run.created_by_id is not None:
        notify(session, run.created_by_id, NotificationKind.RUN_FINISHED,
               {"run_id": run.id, "kind": run.kind, "failed": run.status == RunStatus.FAILED},
               key=f"run:{run.id}")


def unfinished_runs(session: Session, kind: str, *, since: datetime) -> list[JobRun]:
    """Runs of ``kind`` created since ``since`` that are queued or running, newest first."""
    return list(session.scalars(
        select(JobRun)
        .where(JobRun.kind == kind, JobRun.created_at >= since,
               JobRun.status.in_([RunStatus.QUEUED, RunStatus.STARTED]))
        .order_by(JobRun.created_at.desc())
    ))


def close_abandoned_runs(session: Session, connection: Redis) -> list[str]:
    """Mark failed, with :data:`WORKER_STOPPED`, the running runs whose job died with its worker.

    A :func:`tracked` job records its own outcome, its exceptions included. So a
    run still running while RQ has given its job up (failed as abandoned when its
    worker stopped sending heartbeats, see :func:`abm.queue.fail_abandoned_jobs`;
    its work horse killed; stopped) or no longer has it at all (a Redis restarted
    without its save) will never be finished by it: the pages would wait for ever.
    Whoever started it is told, as when a job fails. The caller commits.

    Returns:
        The ids of the runs marked failed.
    """
    running = list(session.scalars(select(JobRun).where(JobRun.status == RunStatus.STARTED)))
    jobs = Job.fetch_many([run.id for run in running], connection=connection)
    closed = []
    for run, job in zip(running, jobs, strict=True):
        if (job is None or job.get_status(refresh=False) in _GIVEN_UP) and _fail(session, run):
            closed.append(run.id)
    return closed


def _fail(session: Session, run: JobRun) -> bool:
    """Mark a running run failed as abandoned, unless its job recorded an outcome meanwhile."""
    changed = cast(CursorResult[Any], session.execute(
        update(JobRun).where(JobRun.id == run.id, JobRun.status == RunStatus.STARTED)
        .values(status=RunStatus.FAILED, error=WORKER_STOPPED, finished_at=utcnow())
        .execution_options(synchronize_session=False)))
    if not changed.rowcount:
        return False
    session.refresh(run)
    _tell_starter(session, run)
    return True
