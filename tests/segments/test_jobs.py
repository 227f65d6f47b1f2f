from sqlalchemy import func, select

from abm.runs.models import JobRun, RunStatus
from abm.segments.jobs import segment_accounts, start_potential_fit, start_segmentation
from abm.segments.models import AccountPotential, SegmentationRun
from tests.segments.conftest import build_population


def test_segmentation_runs_as_a_job_on_the_analytics_queue_with_progress(
        session, sales, run_jobs):
    build_population(sales)
    session.commit()
    job_id = start_segmentation(k=5)
    assert session.get(JobRun, job_id).queue == "analytics"
    run_jobs()
    session.expire_all()
    run = session.get(JobRun, job_id)
    assert run.status == RunStatus.FINISHED, run.error
    assert (run.done, run.total, run.message) == (6, 6, "done")
    assert run.result["k"] == 5 and run.result["accounts"] == 100
    assert session.scalar(select(func.count()).select_from(SegmentationRun)) == 1
    assert session.scalar(select(func.count()).select_from(AccountPotential)) == 100


def test_a_segmentation_job_on_degenerate_data_fails_with_a_clear_message(session, run_jobs):
    job_id = start_segmentation()
    run_jobs()
    session.expire_all()
    run = session.get(JobRun, job_id)
    assert run.status == RunStatus.FAILED
    assert run.error == "no accounts with orders to segment: import sales first"


def test_a_potential_fit_runs_as_a_job(session, sales, run_jobs):
    build_population(sales)
    session.commit()
    job_id = start_potential_fit()
    run_jobs()
    session.expire_all()
    run = session.get(JobRun, job_id)
    assert run.status == RunStatus.FINISHED, run.error
    assert run.result["customers"] == 100 and run.result["bgnbd"]["r"] > 0


def test_segmentation_is_a_monthly_periodic_job():
    from workers.cron import PERIODIC, _resolve

    entries = [e for e in PERIODIC if e[0] == "abm.segments.jobs.segment_accounts"]
    assert len(entries) == 1
    path, queue, cron, _ = entries[0]
    assert _resolve(path) is segment_accounts and queue == "analytics"
    minute, hour, day, month, weekday = cron.split()
    assert day == "1" and month == "*" and weekday == "*"


def test_the_job_chooses_k_within_the_workspace_settings(session, sales, run_jobs):
    from abm.settings.services import set_settings

    build_population(sales)
    set_settings(session, {"segmentation.k_min": 3, "segmentation.k_max": 3})
    session.commit()
    job_id = start_segmentation()
    run_jobs()
    session.expire_all()
    run = session.get(JobRun, job_id)
    assert run.status == RunStatus.FINISHED, run.error
    assert run.result["k"] == 3
