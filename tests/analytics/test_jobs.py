from datetime import timedelta
from importlib import import_module

from sqlalchemy import func, select

from abm.analytics import jobs
from abm.analytics.models import AccountAnalytics, Alert, ChurnState, KeyAccountReport
from abm.analytics.refresh import REFRESH_KIND, running_refresh
from abm.db import utcnow
from abm.queue import get_redis
from abm.runs.models import JobRun, RunStatus
from tests.analytics.shop import PERIOD

DAY = "2026-11-15"


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _sales(shop, session) -> None:
    account = shop.account("A", terms_reviewed_on=None)
    shop.monthly(account, dict.fromkeys(PERIOD, 100))
    shop.refresh()
    session.commit()


def test_the_schedule_refreshes_the_analytics_nightly():
    cron = import_module("workers.cron")
    mine = {path: expr for path, _queue, expr, _kw in cron.PERIODIC
            if path.startswith("abm.analytics.")}
    assert mine == {"abm.analytics.jobs.refresh_analytics": "0 4 * * *"}
    assert cron._resolve("abm.analytics.jobs.refresh_analytics") is jobs.refresh_analytics


def test_the_refresh_job_stores_everything_and_reports_its_progress(app, session, shop,
                                                                    run_jobs):
    _sales(shop, session)
    job_id = jobs.start_refresh(today=DAY)
    run_jobs()
    session.expire_all()
    run = session.get(JobRun, job_id)
    assert run.status == RunStatus.FINISHED, run.error
    assert (run.done, run.total, run.message) == (4, 4, "done")
    assert run.kind == REFRESH_KIND and run.result["accounts"] == 1
    assert _count(session, AccountAnalytics) == 1
    assert _count(session, ChurnState) == 1
    assert _count(session, Alert) == 3  # terms never reviewed, no interaction, no visit
    assert _count(session, KeyAccountReport) == 2


def test_a_refresh_waiting_in_the_queue_takes_in_the_next_request(app, session):
    first = jobs.start_refresh(user_id=None, today=DAY)
    assert jobs.start_refresh(today=DAY) == first
    assert _count(session, JobRun) == 1


def test_a_running_refresh_does_not_take_in_a_new_request(app, session):
    first = jobs.start_refresh(today=DAY)
    session.get(JobRun, first).status = RunStatus.STARTED  # may have read the data already
    session.commit()
    assert jobs.start_refresh(today=DAY) != first


def test_a_queued_row_whose_job_redis_lost_does_not_take_in_a_request(app, session):
    first = jobs.start_refresh(today=DAY)
    get_redis().connection.flushdb()
    second = jobs.start_refresh(today=DAY)
    assert second != first
    assert jobs.start_refresh(today=DAY) == second


def test_the_dashboard_hears_of_a_refresh_until_it_is_done(app, session, run_jobs):
    assert running_refresh(session) is None
    job_id = jobs.start_refresh(today=DAY)
    assert running_refresh(session).id == job_id
    run_jobs()
    session.expire_all()
    assert running_refresh(session) is None


def test_a_refresh_left_unfinished_longer_than_its_timeout_is_forgotten(app, session):
    job_id = jobs.start_refresh(today=DAY)
    run = session.get(JobRun, job_id)
    run.status = RunStatus.STARTED
    run.created_at = utcnow() - timedelta(hours=2)  # its worker died
    session.commit()
    assert running_refresh(session) is None
