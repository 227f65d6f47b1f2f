"""RQ jobs of campaigns: start (fill the outbox), send, the workers' maintenance, the
periodic scans.

Jobs take ids, call services and commit; they run inside the worker's app context.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from flask import current_app
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import exists, or_, select

from abm.audit import services as audit
from abm.campaigns import scheduling, triggers
from abm.campaigns.audiences import recipients
from abm.campaigns.models import Campaign, CampaignStatus, ScheduleMode
from abm.campaigns.sending import SendOptions, send_campaign, sendable
from abm.db import get_session, utcnow
from abm.delivery import outbox
from abm.delivery.leases import CLAIM_LEASE
from abm.delivery.messages import Envelope
from abm.delivery.models import OutboxMessage, OutboxState
from abm.delivery.tokens import Tokens
from abm.delivery.transport import make_transport
from abm.queue import get_redis
from abm.runs.services import create_run, enqueue_tracked, tracked

QUEUE = "campaigns"
# A start job runs at its time or after (see scheduling.enqueue_start); this much early
# allows for the clocks of two machines.
EARLY = timedelta(seconds=1)


def envelope_from_settings(settings) -> Envelope:
    return Envelope(settings.mail_from, settings.public_url, Tokens(settings.secret_key))


def campaign_queue():
    """The RQ queue of campaign jobs, as the scheduling services take it."""
    return get_redis().queue(QUEUE)


def _enqueue_send(campaign_id: int, at: datetime | None = None, **kwargs) -> str:
    """Queue a send job now, or at ``at`` (an aware time) through RQ's scheduler."""
    if at is None:
        return enqueue_tracked(send_campaign_job, campaign_id, queue=QUEUE,
                               kind="campaign.send", **kwargs)
    job_id = uuid.uuid4().hex
    session = get_session()
    create_run(session, job_id, kind="campaign.send", queue=QUEUE)
    session.commit()
    # Explicit args and kwargs: RQ refuses positional arguments beside ``kwargs=``.
    campaign_queue().enqueue_at(at, send_campaign_job, args=(campaign_id,), kwargs=kwargs,
                                job_id=job_id, job_timeout=scheduling.JOB_TIMEOUT)
    return job_id


def enqueue_start(campaign_id: int, *, parallel: int = 1, user_id: int | None = None,
                  **send_kwargs) -> str | None:
    """Queue the start of a campaign already scheduled: now, or at its time.

    Returns the job id, or None for a trigger campaign. Scheduling from a user
    goes through :func:`abm.campaigns.services.schedule`, which calls this too.
    """
    session = get_session()
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise LookupError(f"no campaign {campaign_id}")
    return scheduling.enqueue_start(session, campaign_queue(), campaign,
                                    user_id=user_id, parallel=parallel, **send_kwargs)


def start_due_campaigns() -> dict:
    """Start every campaign that is due while its start job is gone (see
    :func:`abm.campaigns.scheduling.start_due_campaigns`); workers and the sweep run it."""
    return {"started": scheduling.start_due_campaigns(get_session(), campaign_queue())}


def prepare_campaign(session, campaign_id: int, step: int = 0,
                     account_ids: list[int] | None = None) -> dict:
    """Fill the outbox of a campaign from its audience (idempotent) and mark it sending."""
    campaign = session.get(Campaign, campaign_id)
    found = recipients(session, campaign.audience, account_ids)
    filled = outbox.fill_outbox(session, campaign_id, found, campaign.holdout_share, step)
    if campaign.status == CampaignStatus.SCHEDULED and campaign.schedule_mode != \
            ScheduleMode.TRIGGER:
        campaign.status = CampaignStatus.SENDING
        campaign.started_at = utcnow()
    return filled


@tracked
def start_campaign(campaign_id: int, *, parallel: int = 1, progress=None, **send_kwargs) -> dict:
    """Fill the outbox, then enqueue ``parallel`` send jobs (they share the rows safely).

    A job that is no longer the campaign's start job (it was rescheduled, or
    the due-campaign check replaced a job it took for lost) does nothing, and
    so does one that runs before the campaign's time.
    """
    session = get_session()
    # Read afresh: the session's objects outlive commits and may predate a reschedule.
    campaign = session.get(Campaign, campaign_id, populate_existing=True)
    if campaign is None or campaign.status not in (CampaignStatus.SCHEDULED,
                                                   CampaignStatus.SENDING):
        return {"skipped": campaign.status.value if campaign else "missing"}
    job = get_current_job()
    if campaign.status == CampaignStatus.SCHEDULED:
        if job is not None and campaign.start_job_id not in (None, job.id):
            return {"skipped": "superseded"}
        if campaign.scheduled_at is not None and campaign.scheduled_at > utcnow() + EARLY:
            return {"skipped": "not due", "scheduled_at": campaign.scheduled_at.isoformat()}
    filled = prepare_campaign(session, campaign_id)
    session.commit()
    jobs = [_enqueue_send(campaign_id, **send_kwargs) for _ in range(max(1, parallel))]
    return {**filled, "send_jobs": jobs}


@tracked
def send_campaign_job(campaign_id: int, *, batch_size: int = 100,
                      lease_seconds: float = CLAIM_LEASE.total_seconds(),
                      max_wait: float = 30.0, settings: dict | None = None,
                      progress=None) -> dict:
    """Send the due messages of a campaign; comes back later for retries not yet due."""
    app_settings = current_app.extensions["abm.settings"]
    session = get_session()
    options = SendOptions(batch_size=batch_size, lease=timedelta(seconds=lease_seconds),
                          max_wait=max_wait, settings=settings or {})
    outbox.release_stale_claims(session, options.lease, campaign_id)
    transport = make_transport(app_settings.smtp_url, app_settings.outbox_path)
    try:
        result = send_campaign(session, campaign_id, transport,
                               envelope_from_settings(app_settings), options, progress)
    finally:
        transport.close()
    _audit_sent(session, campaign_id, result)
    if result.get("retry_at"):
        _enqueue_send(campaign_id, at=datetime.fromisoformat(result["retry_at"]),
                      batch_size=batch_size, lease_seconds=lease_seconds, max_wait=max_wait,
                      settings=settings)
    return result


def _audit_sent(session, campaign_id: int, result: dict) -> None:
    """One audit event per send job that handed messages to the mail server."""
    handed = {k: result.get(k, 0) for k in ("sent", "bounced", "deferred", "failed")}
    if any(handed.values()):
        audit.record(session, None, audit.SEND, f"campaign:{campaign_id}",
                     {"event": "sent", **handed})
        session.commit()


def sweep_outbox(lease_minutes: int = 10) -> dict:
    """Periodic (``workers/cron.py``), a safety net behind :func:`maintain_campaigns`: give back
    rows of dead workers, restart campaigns that have due rows, and start due campaigns whose
    start job was lost."""
    session = get_session()
    released = outbox.release_stale_claims(session, timedelta(minutes=lease_minutes))
    due = session.scalars(select(OutboxMessage.campaign_id).distinct().where(
        OutboxMessage.state == OutboxState.PENDING, OutboxMessage.next_attempt_at <= utcnow()))
    restarted = []
    for campaign_id in list(due):
        campaign = session.get(Campaign, campaign_id)
        if campaign is not None and sendable(campaign):
            restarted.append(campaign_id)
    session.commit()
    for campaign_id in restarted:
        _enqueue_send(campaign_id)
    started = scheduling.start_due_campaigns(session, campaign_queue())
    return {"released": released, "restarted": restarted, **({"started": started}
                                                             if started else {})}


# Where the id of a campaign's latest resume job is kept, so that one waits at a time.
RESUME_KEY = "abm:campaign-resume:{}"
_WAITING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def maintain_campaigns() -> dict:
    """What every worker runs every few seconds between (and beside) its jobs.

    Rows claimed by a worker that died (its lease not renewed for
    :data:`~abm.delivery.leases.CLAIM_LEASE`) go back to pending; a campaign
    being sent that has due rows and no worker sending it (none holds a claim)
    gets a send job, unless one is already waiting; due campaigns whose start
    job was lost are started. So ``abm worker`` alone, with no cron process,
    finishes every campaign it starts, a dead worker's messages going out
    again within seconds.

    Returns:
        {"released": rows given back, "resumed": campaign ids given a send job,
         "started": campaign ids given a start job}
    """
    session = get_session()
    now = utcnow()
    released, resumed = 0, []
    for campaign_id in _campaigns_being_sent(session):
        released += outbox.release_stale_claims(session, CLAIM_LEASE, campaign_id)
        if _stalled(session, campaign_id, now) and _resume(campaign_id):
            resumed.append(campaign_id)
    started = scheduling.start_due_campaigns(session, campaign_queue())
    return {"released": released, "resumed": resumed, "started": started}


def _campaigns_being_sent(session) -> list[int]:
    ids = list(session.scalars(select(Campaign.id).where(or_(
        Campaign.status == CampaignStatus.SENDING,
        (Campaign.status == CampaignStatus.SCHEDULED)
        & (Campaign.schedule_mode == ScheduleMode.TRIGGER))).order_by(Campaign.id)))
    session.commit()
    return ids


def _stalled(session, campaign_id: int, now: datetime) -> bool:
    """Whether a campaign has due rows while no worker holds a claim on any of its rows."""
    om = OutboxMessage
    due = exists().where(om.campaign_id == campaign_id, om.state == OutboxState.PENDING,
                         om.next_attempt_at <= now)
    held = exists().where(om.campaign_id == campaign_id, om.state == OutboxState.CLAIMED)
    stalled = bool(session.scalar(select(due & ~held)))
    session.commit()
    return stalled


def _resume(campaign_id: int) -> bool:
    """Queue a send job for a campaign unless its last resume job is still waiting to run."""
    redis = get_redis().connection
    key = RESUME_KEY.format(campaign_id)
    last = redis.get(key)
    if last is not None:
        try:
            job = Job.fetch(last.decode() if isinstance(last, bytes) else str(last),
                            connection=redis)
            if job.get_status(refresh=False) in _WAITING:
                return False
        except NoSuchJobError:
            pass
    redis.set(key, _enqueue_send(campaign_id), ex=24 * 3600)
    return True


def scan_win_back(today: date | None = None) -> dict:
    """Daily: accounts entering at-risk or lost enter each win-back campaign once per window."""
    session = get_session()
    added = triggers.scan_win_back(session, today or date.today())
    session.commit()
    for campaign_id, n in added.items():
        if n:
            _enqueue_send(campaign_id)
    return {"added": added}


def send_greetings(today: date | None = None) -> dict:
    """Daily: contacts' birthdays and the holidays of each account's country."""
    session = get_session()
    added = triggers.scan_greetings(session, today or date.today())
    session.commit()
    for campaign_id, n in added.items():
        if n:
            _enqueue_send(campaign_id)
    return {"added": added}

