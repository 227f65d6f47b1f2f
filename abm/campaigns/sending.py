"""The send loop of a campaign: claim a batch, send it, come back for retries, survive outages.

Each message is marked (and committed) right after the server accepts it, and
the next message's body goes only after that commit (see
:mod:`abm.delivery.pipeline`, which overlaps the SMTP round trips with it), so
a worker killed mid-campaign can duplicate at most the one message whose
acceptance it had not yet recorded. The rows it had claimed keep a short lease
renewed by a heartbeat while it lives (:class:`abm.delivery.leases.LeaseKeeper`);
once it is dead they return to pending within :data:`~abm.delivery.leases.CLAIM_LEASE`
and the workers' maintenance (:func:`abm.campaigns.jobs.maintain_campaigns`)
has another job send them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from abm.audit.services import NOBODY
from abm.campaigns.context import account_contexts
from abm.campaigns.invitations import record_invitations
from abm.campaigns.models import Campaign, CampaignStatus, ScheduleMode, Trigger
from abm.campaigns.occasions import OccasionNames
from abm.campaigns.offers import offer_context
from abm.campaigns.send_batch import Batch, retry_delay
from abm.campaigns.send_window import SendWindow, WindowError
from abm.campaigns.services import compiled_templates
from abm.campaigns.settings import CampaignSettings
from abm.db import utcnow
from abm.delivery import outbox
from abm.delivery.leases import CLAIM_LEASE, LeaseKeeper
from abm.delivery.messages import Envelope
from abm.delivery.models import OutboxMessage, OutboxState
from abm.delivery.transport import Transport, TransportError
from abm.workspace.services import settings_of, workspace_zone

OM = OutboxMessage
# The longest wait between two attempts to reach an SMTP server that is down: sending
# resumes at most this long (and a connection) after the server is back.
SERVER_RETRY_MAX = 8.0
STATS = ("sent", "bounced", "refused", "undeliverable", "deferred", "failed", "suppressed",
         "capped", "invalid", "waiting")


@dataclass
class SendOptions:
    """How a send job behaves; the defaults suit production."""

    batch_size: int = 100
    lease: timedelta = CLAIM_LEASE
    max_wait: float = 30.0  # wait inside the job for a retry due this soon, else hand over
    # Overrides of the campaign settings, keyed as stored ("campaigns.retry_max").
    settings: dict = field(default_factory=dict)


def sendable(campaign: Campaign) -> bool:
    return campaign.status == CampaignStatus.SENDING or (
        campaign.status == CampaignStatus.SCHEDULED
        and campaign.schedule_mode == ScheduleMode.TRIGGER)


def send_campaign(session: Session, campaign_id: int, transport: Transport, envelope: Envelope,
                  options: SendOptions | None = None,
                  progress: Callable[[int, int], None] | None = None) -> dict:
    """Send every due message of a campaign; safe to run in any number of workers at once.

    A temporary failure (a 4xx reply) leaves its message pending for a retry
    after a doubling delay. A server that cannot be reached has the batch
    given back, uncounted, and is tried again after a doubling delay of at
    most :data:`SERVER_RETRY_MAX`, inside this call for up to twice
    ``options.max_wait``, then by a job that comes back at ``retry_at``.
    Retries due within ``options.max_wait`` happen in this call; later ones
    are left to that job too. A message outside the campaign's send window
    waits, uncounted, for the window to open.

    Returns:
        {"sent", "bounced", "refused", "undeliverable", "deferred", "failed", "suppressed",
         "capped", "invalid", "waiting" (for the send window), "unreachable" (attempts to
         reach the server that failed), "retry_at": ISO time of the next due retry when the
         job should come back, or None}
    """
    options = options or SendOptions()
    settings = settings_of(session, CampaignSettings).overridden(options.settings)
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not sendable(campaign):
        session.commit()
        return {"skipped": campaign.status.value if campaign else "missing"}
    stats: Counter[str] = Counter()
    batch = _batch(session, campaign, transport, envelope, settings, stats)
    total, _ = outbox.next_due(session, campaign_id)
    session.commit()
    with LeaseKeeper(session, options.lease) as keeper:
        retry_at, finished = _loop(session, campaign_id, batch, keeper, options, progress, total)
    if stats["sent"]:  # a loyalty invitation's accounts are invited once it reached them
        record_invitations(session, campaign, NOBODY)
        session.commit()
    if finished:
        _finish(session, campaign_id)
    return {**{k: stats[k] for k in STATS}, "unreachable": stats["unreachable"],
            "retry_at": retry_at.isoformat() if retry_at else None}


def _batch(session: Session, campaign: Campaign, transport: Transport, envelope: Envelope,
           settings: CampaignSettings, stats: Counter[str]) -> Batch:
    """What every batch of the campaign shares: templates, offer, window, account contexts."""
    account_ids = session.scalars(select(OM.account_id).distinct().where(
        OM.campaign_id == campaign.id, OM.state.in_((OutboxState.PENDING, OutboxState.CLAIMED))))
    return Batch(session, campaign.id, transport, envelope, compiled_templates(campaign),
                 offer_context(campaign, settings), campaign.default_language,
                 account_contexts(session, list(account_ids)), settings, stats,
                 OccasionNames.of(session, campaign) if campaign.trigger == Trigger.HOLIDAY
                 else None, window=_send_window(campaign),
                 default_zone=workspace_zone(session))


def _loop(session: Session, campaign_id: int, batch: Batch, keeper: LeaseKeeper,
          options: SendOptions, progress: Callable[[int, int], None] | None,
          total: int) -> tuple[datetime | None, bool]:
    """Claim and send batches until none is left.

    Returns:
        When the job should come back (None: no need), and whether every message of the
        campaign is done with.
    """
    stats = batch.stats
    while True:
        if progress is not None:
            progress(sum(n for k, n in stats.items() if k in STATS and k != "waiting"), total)
        status = session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))
        session.commit()
        if status == CampaignStatus.CANCELLED:
            return None, False
        token = outbox.claim_batch(session, campaign_id, options.batch_size)
        if token is None:
            still_open, earliest = outbox.next_due(session, campaign_id)
            session.commit()
            if still_open == 0:
                return None, True
            if earliest is None:  # the rest is claimed by other workers
                return None, False
            wait = (earliest - utcnow()).total_seconds()
            if wait > options.max_wait:
                return earliest, False
            time.sleep(max(wait, 0.01))
            continue
        keeper.hold(token)
        try:
            batch.run(token)
        except TransportError as exc:
            # Not the messages' fault: give the batch back, uncounted, and wait for the server.
            outbox.release_claim(session, token, error=str(exc))
            back_at = await_server(batch.transport, batch.settings, options.max_wait, stats)
            if back_at is not None:  # still down: the campaign waits for the next job
                outbox.postpone_due(session, campaign_id, back_at)
                return back_at, False
        finally:
            keeper.drop(token)


def await_server(transport: Transport, settings: CampaignSettings, max_wait: float,
                 stats: Counter[str]) -> datetime | None:
    """Wait for an SMTP server that could not be reached, trying it after doubling delays.

    The delays double from the campaign's first retry delay up to
    :data:`SERVER_RETRY_MAX`. The job waits while each delay is at most
    ``max_wait`` and all of them together at most twice that, so that the
    worker is not kept from other queues' jobs through a long outage.

    Returns:
        None once the server answers; else when a later job should try again.
    """
    waited, attempt = 0.0, 1
    while True:
        stats["unreachable"] += 1
        delay = min(retry_delay(settings, attempt), SERVER_RETRY_MAX)
        if delay > max_wait or waited + delay > 2 * max_wait:
            return utcnow() + timedelta(seconds=delay)
        time.sleep(delay)
        waited += delay
        try:
            transport.open()
        except TransportError:
            attempt += 1
            continue
        return None


def _send_window(campaign: Campaign) -> SendWindow | None:
    try:
        return SendWindow.from_json(campaign.send_window)
    except WindowError:  # stored before a rule tightened: better sent than never
        return None


def _finish(session: Session, campaign_id: int) -> None:
    session.execute(update(Campaign).where(
        Campaign.id == campaign_id, Campaign.status == CampaignStatus.SENDING)
        .values(status=CampaignStatus.DONE, finished_at=utcnow())
        .execution_options(synchronize_session=False))
    session.commit()
