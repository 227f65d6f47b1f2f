"""Schedules that hold: the campaign row is the truth, RQ's scheduler only times its start job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from abm.audit.models import AuditEvent
from abm.campaigns import jobs, scheduling, services
from abm.campaigns.models import Campaign, CampaignStatus
from abm.delivery.models import OutboxMessage
from abm.queue import get_redis
from abm.runs.models import JobRun
from abm.settings.services import update_settings
from abm.workspace.settings import WorkspaceSettings


@pytest.fixture
def queue(app):
    return get_redis(app).queue(jobs.QUEUE)


@pytest.fixture
def campaign(session, make_accounts):
    make_accounts(2, contacts=1)
    made = services.create_campaign(session, name="Later", kind="promotion", holdout_share=0)
    session.commit()
    return made


def _scheduled_time(queue, job_id: str) -> datetime | None:
    return ScheduledJobRegistry(queue=queue).get_scheduled_time(job_id)


def _now() -> datetime:
    return datetime.now(UTC)


def test_a_campaign_scheduled_for_later_waits_in_the_scheduled_registry(session, queue, campaign):
    at = (_now() + timedelta(hours=2)).replace(microsecond=250_000)
    job_id = services.schedule(session, campaign.id, queue=queue, mode="at", at=at)
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.SCHEDULED
    assert campaign.scheduled_at == at and campaign.start_job_id == job_id
    assert job_id in ScheduledJobRegistry(queue=queue).get_job_ids()
    # Rounded up to the whole second RQ keeps: never a moment early.
    assert _scheduled_time(queue, job_id) == at.replace(microsecond=0) + timedelta(seconds=1)
    assert session.get(JobRun, job_id).status.value == "queued"
    assert queue.count == 0


def test_a_time_without_an_offset_is_in_the_workspace_time_zone(session, queue, campaign):
    update_settings(session, WorkspaceSettings, time_zone="Europe/Moscow")
    local = (_now() + timedelta(days=1)).astimezone(ZoneInfo("Europe/Moscow")).replace(
        tzinfo=None, second=0, microsecond=0)
    services.schedule(session, campaign.id, queue=queue, mode="at", at=local)
    session.refresh(campaign)
    assert campaign.scheduled_at == local.replace(tzinfo=ZoneInfo("Europe/Moscow"))
    assert campaign.scheduled_at.utcoffset() == timedelta(0)  # stored, and read back, in UTC
    assert campaign.scheduled_at.hour == (local.hour - 3) % 24


def test_a_time_with_an_offset_keeps_it(session, queue, campaign):
    update_settings(session, WorkspaceSettings, time_zone="Europe/Moscow")
    at = datetime.fromisoformat("2999-06-01T09:00+05:00")
    services.schedule(session, campaign.id, queue=queue, mode="at", at=at)
    session.refresh(campaign)
    assert campaign.scheduled_at == datetime(2999, 6, 1, 4, 0, tzinfo=UTC)


def test_a_time_in_the_past_is_refused_and_nothing_is_kept(session, queue, campaign):
    with pytest.raises(services.ScheduleError, match="is in the past"):
        services.schedule(session, campaign.id, queue=queue, mode="at",
                          at=_now() - timedelta(hours=1))
    session.rollback()
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.DRAFT and campaign.start_job_id is None
    assert queue.count == 0 and ScheduledJobRegistry(queue=queue).count == 0


def test_rescheduling_replaces_the_start_job_and_is_audited(session, queue, campaign):
    first = services.schedule(session, campaign.id, queue=queue, mode="at",
                              at=_now() + timedelta(hours=1))
    later = _now() + timedelta(hours=5)
    second = services.schedule(session, campaign.id, queue=queue, mode="at", at=later)
    session.refresh(campaign)
    assert second != first and campaign.start_job_id == second
    assert campaign.scheduled_at == later
    assert ScheduledJobRegistry(queue=queue).get_job_ids() == [second]
    assert session.get(JobRun, first).result == {"skipped": "superseded"}
    events = session.scalars(select(AuditEvent.details).where(
        AuditEvent.target == f"campaign:{campaign.id}").order_by(AuditEvent.id)).all()
    assert [e["event"] for e in events] == ["scheduled", "rescheduled"]


def test_rescheduling_to_now_starts_it_at_once(session, queue, campaign, run_jobs):
    services.schedule(session, campaign.id, queue=queue, mode="at", at=_now() + timedelta(days=1))
    job_id = services.schedule(session, campaign.id, queue=queue, mode="now")
    assert queue.job_ids == [job_id] and ScheduledJobRegistry(queue=queue).count == 0
    run_jobs()
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.DONE


def test_cancelling_withdraws_the_start_job(session, queue, campaign):
    job_id = services.schedule(session, campaign.id, queue=queue, mode="at",
                               at=_now() + timedelta(hours=1))
    services.cancel_campaign(session, campaign.id, queue=queue)
    session.commit()
    assert ScheduledJobRegistry(queue=queue).count == 0
    assert Job.exists(job_id, connection=queue.connection) is False
    assert session.get(Campaign, campaign.id).status == CampaignStatus.CANCELLED


def test_a_trigger_campaign_cannot_be_rescheduled(session, queue, campaign):
    assert services.schedule(session, campaign.id, queue=queue, mode="trigger",
                             trigger="birthday") is None
    with pytest.raises(services.CampaignError, match="runs until it is cancelled"):
        services.schedule(session, campaign.id, queue=queue, mode="at",
                          at=_now() + timedelta(hours=1))


def test_a_start_job_that_is_no_longer_the_campaigns_does_nothing(session, queue, campaign,
                                                                  run_jobs):
    services.schedule(session, campaign.id, queue=queue, mode="now")
    stale = queue.enqueue_call(scheduling.START_JOB, args=(campaign.id,))
    queue.connection.lrem(queue.key, 0, campaign.start_job_id)  # only the stale one runs
    run_jobs()
    assert stale.latest_result().return_value == {"skipped": "superseded"}
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.SCHEDULED
    assert session.scalar(select(OutboxMessage.id)) is None


def test_a_start_job_run_before_its_time_does_nothing(session, queue, campaign, run_jobs):
    job_id = services.schedule(session, campaign.id, queue=queue, mode="at",
                               at=_now() + timedelta(hours=1))
    job = Job.fetch(job_id, connection=queue.connection)
    ScheduledJobRegistry(queue=queue).remove(job)
    queue.enqueue_job(job)  # as a scheduler with a wrong clock would
    run_jobs()
    assert job.latest_result().return_value["skipped"] == "not due"
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.SCHEDULED


def test_a_due_campaign_whose_job_was_lost_is_started_by_the_due_check(
        session, queue, campaign, run_jobs):
    services.schedule(session, campaign.id, queue=queue, mode="at",
                      at=_now() + timedelta(seconds=30))
    queue.connection.flushdb()  # Redis lost its data: the scheduled job is gone
    assert jobs.start_due_campaigns() == {"started": []}  # not due yet
    session.execute(Campaign.__table__.update().values(  # time passes
        scheduled_at=_now() - scheduling.GRACE - timedelta(seconds=1)))
    session.commit()
    assert jobs.start_due_campaigns() == {"started": [campaign.id]}
    assert jobs.start_due_campaigns() == {"started": []}  # once only: its new job waits
    run_jobs()
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.DONE


def test_the_due_check_leaves_a_start_job_that_waits_in_the_queue(session, queue, campaign):
    services.schedule(session, campaign.id, queue=queue, mode="now")
    later = _now() + timedelta(minutes=5)
    assert scheduling.start_due_campaigns(session, queue, now=later) == []
    assert queue.count == 1


def test_the_due_check_replaces_a_start_job_the_scheduler_never_moved(session, queue, campaign):
    job_id = services.schedule(session, campaign.id, queue=queue, mode="at",
                               at=_now() + timedelta(seconds=5))
    later = _now() + timedelta(minutes=5)  # no scheduler ran: the job is still "scheduled"
    assert Job.fetch(job_id, connection=queue.connection).get_status() == JobStatus.SCHEDULED
    assert scheduling.start_due_campaigns(session, queue, now=later) == [campaign.id]
    session.refresh(campaign)
    assert campaign.start_job_id != job_id and queue.job_ids == [campaign.start_job_id]


def test_the_sweep_starts_due_campaigns_too(session, queue, campaign):
    services.schedule(session, campaign.id, queue=queue, mode="now")
    session.execute(Campaign.__table__.update().values(
        scheduled_at=_now() - timedelta(minutes=5)))
    session.commit()
    queue.connection.flushdb()
    assert jobs.sweep_outbox()["started"] == [campaign.id]


def test_waiting_campaigns_lists_later_schedules_soonest_first(session, queue, make_accounts):
    make_accounts(1)
    a = services.create_campaign(session, name="A", kind="promotion")
    b = services.create_campaign(session, name="B", kind="promotion")
    session.commit()
    services.schedule(session, a.id, queue=queue, mode="at", at=_now() + timedelta(days=2))
    services.schedule(session, b.id, queue=queue, mode="at", at=_now() + timedelta(days=1))
    assert [w.name for w in scheduling.waiting_campaigns(session)] == ["B", "A"]
