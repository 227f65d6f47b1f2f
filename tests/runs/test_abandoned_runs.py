"""A run whose job RQ gave up (its worker died under it) is closed, and only such a run."""

from __future__ import annotations

import pytest
from rq.job import Job, JobStatus

from abm.notifications import services as inbox
from abm.queue import get_redis
from abm.runs.models import JobRun, RunStatus
from abm.runs.services import WORKER_STOPPED, close_abandoned_runs, enqueue_tracked
from tests import jobs_for_tests


def _running(session, user_id: int | None = None) -> tuple[str, Job]:
    """A run its worker has started (as :func:`abm.runs.services.tracked` marks it), and its job."""
    run_id = enqueue_tracked(jobs_for_tests.hold, 60, queue="analytics", kind="count",
                             user_id=user_id)
    session.get(JobRun, run_id).status = RunStatus.STARTED
    session.commit()
    job = Job.fetch(run_id, connection=get_redis().connection)
    job.set_status(JobStatus.STARTED)
    return run_id, job


def _close(session) -> list[str]:
    closed = close_abandoned_runs(session, get_redis().connection)
    session.commit()
    session.expire_all()
    return closed


@pytest.mark.parametrize("given_up", [JobStatus.FAILED, JobStatus.STOPPED])
def test_a_running_run_whose_job_rq_gave_up_is_failed_as_its_worker_stopped(
        app, session, given_up):
    run_id, job = _running(session)
    job.set_status(given_up)
    assert _close(session) == [run_id]
    run = session.get(JobRun, run_id)
    assert (run.status, run.error) == (RunStatus.FAILED, WORKER_STOPPED)
    assert run.finished_at is not None


def test_a_running_run_whose_job_is_gone_from_redis_is_failed(app, session):
    run_id, job = _running(session)
    job.delete()
    assert _close(session) == [run_id]
    assert session.get(JobRun, run_id).error == WORKER_STOPPED


def test_whoever_started_a_run_closed_so_is_told_it_failed(app, session, users):
    run_id, job = _running(session, user_id=users["manager"].id)
    job.set_status(JobStatus.FAILED)
    _close(session)
    [told] = inbox.inbox(session, users["manager"].id)
    assert told.params == {"run_id": run_id, "kind": "count", "failed": True}


def test_runs_whose_job_is_alive_or_that_ended_are_left_alone(app, session):
    running, _ = _running(session)  # its job started: a worker sends heartbeats for it
    queued = enqueue_tracked(jobs_for_tests.hold, 60, queue="analytics")
    finished, job = _running(session)
    session.get(JobRun, finished).status = RunStatus.FINISHED
    session.commit()
    job.delete()  # its result expired long after the run recorded it
    assert _close(session) == []
    assert [session.get(JobRun, i).status for i in (running, queued, finished)] == [
        RunStatus.STARTED, RunStatus.QUEUED, RunStatus.FINISHED]
