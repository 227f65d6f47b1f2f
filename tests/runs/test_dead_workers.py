"""A job whose worker dies (kill -9, the OOM killer) is shown failed within 30 s by the workers'
maintenance, `abm worker` alone and no cron; what waited for it can run again."""

from __future__ import annotations

import os
import signal
import time

from rq.job import Job

from abm.analytics.jobs import start_refresh
from abm.analytics.refresh import REFRESH_KIND, running_refresh
from abm.db import get_session
from abm.queue import JOB_HEARTBEAT_GRACE, JOB_HEARTBEAT_SECONDS, MAINTENANCE_EVERY, get_redis
from abm.runs.models import JobRun, RunStatus
from abm.runs.services import WORKER_STOPPED, enqueue_tracked
from tests import jobs_for_tests
from tests.delivery.conftest import kill_worker
from tests.factories import make_user


def _run(session, run_id: str) -> JobRun:
    run = session.get(JobRun, run_id, populate_existing=True)
    session.commit()
    return run


def _wait(condition, timeout: float, step: float = 0.2) -> None:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out"
        time.sleep(step)


def _hold(session, seconds: int, **kwargs) -> str:
    """Queue a job that runs ``seconds`` and wait until a worker has started it."""
    run_id = enqueue_tracked(jobs_for_tests.hold, seconds, queue="analytics", **kwargs)
    _wait(lambda: _run(session, run_id).status != RunStatus.QUEUED, timeout=60)
    return run_id


def test_a_refresh_whose_worker_is_killed_fails_within_30_s_and_the_next_one_runs(
        live_app, start_workers):
    session = get_session()
    manager = make_user(session, "manager")
    session.commit()
    (first,) = start_workers(1, burst=False)
    # A refresh that runs for ten minutes: the dashboard says analytics are being refreshed.
    run_id = _hold(session, 600, kind=REFRESH_KIND, user_id=manager.id)
    assert running_refresh(session).id == run_id
    session.commit()
    kill_worker(first)  # the worker and its work horse, as a container stop would
    killed_at = time.monotonic()
    start_workers(1, burst=False)  # `abm worker`: no cron process
    _wait(lambda: _run(session, run_id).status == RunStatus.FAILED, timeout=90)
    assert time.monotonic() - killed_at < 30
    assert _run(session, run_id).error == WORKER_STOPPED
    assert running_refresh(session) is None  # the dashboard no longer waits for it
    session.commit()
    again = start_refresh(user_id=manager.id)
    assert again != run_id
    _wait(lambda: _run(session, again).status == RunStatus.FINISHED, timeout=120)


def test_a_job_whose_work_horse_alone_is_killed_fails_within_seconds(live_app, start_workers):
    session = get_session()
    start_workers(1, burst=False)
    run_id = _hold(session, 600, kind="hold")
    job = Job.fetch(run_id, connection=get_redis().connection)
    _wait(lambda: "pid" in job.get_meta(refresh=True), timeout=10)
    pid = job.meta["pid"]
    os.kill(pid, signal.SIGKILL)  # as the OOM killer does to the process using the memory
    killed_at = time.monotonic()
    _wait(lambda: _run(session, run_id).status == RunStatus.FAILED, timeout=60)
    assert time.monotonic() - killed_at < 2 * MAINTENANCE_EVERY + 5
    assert _run(session, run_id).error == WORKER_STOPPED
    later = _hold(session, 0, kind="hold")  # the same worker runs the next one
    _wait(lambda: _run(session, later).status == RunStatus.FINISHED, timeout=60)


def test_a_job_running_longer_than_the_heartbeat_grace_is_not_taken_for_dead(
        live_app, start_workers):
    session = get_session()
    start_workers(1, burst=False)
    run_id = _hold(session, 30, kind="hold")
    time.sleep(JOB_HEARTBEAT_SECONDS + JOB_HEARTBEAT_GRACE + MAINTENANCE_EVERY)
    assert _run(session, run_id).status == RunStatus.STARTED
    _wait(lambda: _run(session, run_id).status == RunStatus.FINISHED, timeout=60)
