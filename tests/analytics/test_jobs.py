from datetime import date
from importlib import import_module

from sqlalchemy import func, select

from abm.analytics import jobs
from abm.analytics.models import AccountAnalytics, Alert, ChurnState, KeyAccountReport
from abm.queue import enqueue
from abm.runs.models import JobRun, RunStatus
from tests.analytics.shop import PERIOD

ANALYTICS_JOBS = {
    "abm.analytics.jobs.build_monthly_report": "15 2 1 * *",
    "abm.analytics.jobs.refresh_account_labels": "0 4 * * *",
    "abm.analytics.jobs.update_churn_states": "15 4 * * *",
    "abm.analytics.jobs.raise_alerts": "30 4 * * *",
}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _sales(shop, session) -> None:
    account = shop.account("A", terms_reviewed_on=None)
    shop.monthly(account, dict.fromkeys(PERIOD, 100))
    shop.refresh()
    session.commit()


def test_the_schedule_runs_the_report_monthly_and_the_rest_daily():
    cron = import_module("workers.cron")
    mine = {path: expr for path, _queue, expr, _kw in cron.PERIODIC
            if path.startswith("abm.analytics.")}
    assert mine == ANALYTICS_JOBS


def test_the_monthly_report_job_stores_the_report(app, session, shop, run_jobs):
    _sales(shop, session)
    job_id = enqueue(jobs.build_monthly_report, "2026-11-15", queue="analytics")
    run_jobs()
    session.expire_all()
    run = session.get(JobRun, job_id)
    assert run.status == RunStatus.FINISHED, run.error
    assert run.result["month"] == "2026-10-01"
    assert session.scalar(select(KeyAccountReport.month)) == date(2026, 10, 1)


def test_the_daily_jobs_store_labels_churn_states_and_alerts(app, session, shop, run_jobs):
    _sales(shop, session)
    for job in (jobs.refresh_account_labels, jobs.update_churn_states, jobs.raise_alerts):
        enqueue(job, "2026-11-15", queue="analytics")
    run_jobs()
    session.expire_all()
    assert {r.status for r in session.scalars(select(JobRun))} == {RunStatus.FINISHED}
    assert _count(session, AccountAnalytics) == 1
    assert _count(session, ChurnState) == 1
    assert _count(session, Alert) == 2  # terms never reviewed, no interaction


def test_the_full_refresh_job_reports_its_progress(app, session, shop, run_jobs):
    _sales(shop, session)
    job_id = enqueue(jobs.refresh_all, "2026-11-15", queue="analytics")
    run_jobs()
    session.expire_all()
    run = session.get(JobRun, job_id)
    assert run.status == RunStatus.FINISHED, run.error
    assert (run.done, run.total) == (3, 3)
    assert run.result["accounts"] == 1
