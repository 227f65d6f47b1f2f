"""When a campaign starts: its time in UTC, the RQ job that starts it, and the due-campaign check.

The campaign row holds the truth: ``scheduled_at`` (UTC) and the id of the job
that is to start it (``start_job_id``). RQ's scheduler only times that job.
A job that is no longer the campaign's own (rescheduled, cancelled) does
nothing when it runs, and :func:`start_due_campaigns` gives a new job to a
campaign that is due while its job is gone (a Redis that lost its data, a
process killed between the commit and the enqueue, a scheduler that is not
running), so that no campaign stays "scheduled" for ever.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from abm.campaigns.models import Campaign, CampaignStatus, ScheduleMode, Trigger
from abm.db import utcnow
from abm.runs.models import JobRun, RunStatus
from abm.runs.services import create_run

log = logging.getLogger(__name__)

START_JOB = "abm.campaigns.jobs.start_campaign"  # by name: services do not import jobs
GREETINGS_JOB = "abm.campaigns.jobs.send_greetings"  # the daily scan of birthdays and holidays
JOB_TIMEOUT = 3600
# How late a due campaign's start job may be before the check replaces it (the
# scheduler moves due jobs every second; a busy queue keeps its job alive).
GRACE = timedelta(seconds=30)
# A time this little in the past is taken as "now": the form was filled a moment ago.
PAST_TOLERANCE = timedelta(minutes=1)
ALIVE = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED)


def to_utc(value: datetime, zone: ZoneInfo) -> datetime:
    """``value`` in UTC; a time without an offset is read in ``zone`` (the workspace's)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(ZoneInfo("UTC"))


def enqueue_start(session: Session, queue: Queue, campaign: Campaign, *,
                  user_id: int | None = None, **job_kwargs) -> str | None:
    """Give a scheduled campaign a new start job, commit, and queue it now or at its time.

    The job's id is stored on the campaign (and its run row created) before
    the commit, so the job finds itself the campaign's own. If Redis cannot
    be reached the schedule still holds: the due-campaign check starts it.

    Returns:
        The job id, or None for a trigger campaign (cron adds its recipients).
    """
    if campaign.schedule_mode == ScheduleMode.TRIGGER:
        campaign.start_job_id = None
        session.commit()
        _scan_today(queue, campaign)
        return None
    job_id = uuid.uuid4().hex
    create_run(session, job_id, kind="campaign.start", queue=queue.name, user_id=user_id)
    campaign.start_job_id = job_id
    at = campaign.scheduled_at
    session.commit()
    try:
        if at is not None and at > utcnow():
            queue.enqueue_at(_ceil_second(at), START_JOB, args=(campaign.id,), kwargs=job_kwargs,
                             job_id=job_id, job_timeout=JOB_TIMEOUT)
        else:
            queue.enqueue_call(START_JOB, args=(campaign.id,), kwargs=job_kwargs,
                               job_id=job_id, timeout=JOB_TIMEOUT)
    except RedisError as exc:
        log.warning("campaign %s: its start job could not be queued (%s); the due-campaign "
                    "check will start it", campaign.id, exc)
        _close_run(session, job_id, f"not queued: {exc}")
    return job_id


def _scan_today(queue: Queue, campaign: Campaign) -> None:
    """A greeting campaign scheduled after the day's scan greets today's occasions now, not
    next year: the scan is queued at once (it is idempotent: nobody is greeted twice)."""
    if campaign.trigger not in (Trigger.BIRTHDAY, Trigger.HOLIDAY):
        return
    try:
        queue.enqueue_call(GREETINGS_JOB, timeout=JOB_TIMEOUT)
    except RedisError as exc:
        log.warning("campaign %s: today's greetings scan could not be queued (%s); the daily "
                    "scan adds them", campaign.id, exc)


def _ceil_second(at: datetime) -> datetime:
    """``at`` rounded up to a whole second: RQ's scheduler keeps whole seconds, and a time
    rounded down would let the job start up to a second early."""
    return at if at.microsecond == 0 else at.replace(microsecond=0) + timedelta(seconds=1)


def drop_start_job(queue: Queue, job_id: str | None) -> None:
    """Take a superseded start job out of the scheduled registry or the queue, if it waits.

    Best effort: a job that runs anyway finds it is no longer the campaign's and
    does nothing.
    """
    if not job_id:
        return
    try:
        job = Job.fetch(job_id, connection=queue.connection)
        if job.get_status(refresh=False) in (JobStatus.SCHEDULED, JobStatus.QUEUED,
                                             JobStatus.DEFERRED):
            job.delete()  # out of the scheduled registry or the queue as well
    except (NoSuchJobError, RedisError):
        pass


def _close_run(session: Session, job_id: str, message: str) -> None:
    session.execute(update(JobRun).where(JobRun.id == job_id,
                                         JobRun.status == RunStatus.QUEUED)
                    .values(status=RunStatus.FAILED, error=message, finished_at=utcnow())
                    .execution_options(synchronize_session=False))
    session.commit()


def supersede_run(session: Session, job_id: str | None) -> None:
    """Close the run row of a start job that will not start anything (caller commits)."""
    if job_id:
        session.execute(update(JobRun).where(JobRun.id == job_id,
                                             JobRun.status == RunStatus.QUEUED)
                        .values(status=RunStatus.FINISHED, finished_at=utcnow(),
                                result={"skipped": "superseded"})
                        .execution_options(synchronize_session=False))


def _job_alive(queue: Queue, job_id: str | None) -> bool:
    if not job_id:
        return False
    try:
        return Job.fetch(job_id, connection=queue.connection).get_status(refresh=False) in ALIVE
    except NoSuchJobError:
        return False


def start_due_campaigns(session: Session, queue: Queue, now: datetime | None = None) -> list[int]:
    """Queue a new start job for each campaign due for longer than :data:`GRACE` whose job is
    not waiting in a queue or running. Safe to run in any number of processes at once: a
    campaign's job is replaced only by the process whose update still finds the old id.

    Returns:
        The ids of the campaigns given a new job.
    """
    now = now or utcnow()
    due = session.execute(select(Campaign.id, Campaign.start_job_id).where(
        Campaign.status == CampaignStatus.SCHEDULED,
        Campaign.schedule_mode.in_((ScheduleMode.NOW, ScheduleMode.AT)),
        Campaign.scheduled_at <= now - GRACE).order_by(Campaign.id)).all()
    session.commit()
    started = []
    for campaign_id, old in due:
        if _job_alive(queue, old):
            continue
        job_id = uuid.uuid4().hex
        won = session.execute(update(Campaign).where(
            Campaign.id == campaign_id, Campaign.status == CampaignStatus.SCHEDULED,
            Campaign.start_job_id.is_(old) if old is None else Campaign.start_job_id == old)
            .values(start_job_id=job_id).execution_options(synchronize_session=False))
        # An UPDATE's result is a CursorResult; Session.execute is typed for any statement.
        if cast("CursorResult[Any]", won).rowcount != 1:
            session.rollback()
            continue
        create_run(session, job_id, kind="campaign.start", queue=queue.name)
        supersede_run(session, old)
        session.commit()
        queue.enqueue_call(START_JOB, args=(campaign_id,), job_id=job_id, timeout=JOB_TIMEOUT)
        log.info("campaign %s was due without a start job; started it again", campaign_id)
        started.append(campaign_id)
    return started


@dataclass(frozen=True)
class Waiting:
    """A campaign scheduled for later: what ``abm worker --burst`` reports leaving queued."""

    id: int
    name: str
    scheduled_at: datetime


def waiting_campaigns(session: Session, now: datetime | None = None) -> list[Waiting]:
    """Campaigns scheduled for a later time, soonest first."""
    rows = session.execute(select(Campaign.id, Campaign.name, Campaign.scheduled_at).where(
        Campaign.status == CampaignStatus.SCHEDULED, Campaign.schedule_mode == ScheduleMode.AT,
        Campaign.scheduled_at > (now or utcnow())).order_by(Campaign.scheduled_at)).all()
    session.commit()
    return [Waiting(cid, name, at) for cid, name, at in rows if at is not None]  # by the query
