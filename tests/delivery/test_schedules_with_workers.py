"""Schedules with real worker processes (``abm worker``, with RQ's scheduler), a committed
database and a loopback SMTP server: delivered at the time, not before; rescheduled and
cancelled; a 451 retried inside the job; a burst worker leaving later schedules queued."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from abm.accounts.models import Account, Contact
from abm.campaigns import jobs, services
from abm.campaigns.models import Campaign, CampaignStatus
from abm.db import get_session
from abm.delivery.models import OutboxMessage, OutboxState
from abm.runs.models import JobRun

LEAD = 8  # seconds ahead: room for the worker to start, short enough for a test


def _accounts(session, n: int, prefix: str = "p") -> list[Contact]:
    made = []
    for i in range(n):
        account = Account(name=f"Client {prefix}{i}")
        account.contacts.append(Contact(name=f"Person {i}", email=f"{prefix}{i}@client.test",
                                        marketing_consent=True))
        session.add(account)
        made.extend(account.contacts)
    session.commit()
    return made


def _campaign(session, name: str, contacts: list[Contact]) -> Campaign:
    campaign = services.create_campaign(
        session, name=name, kind="promotion", holdout_share=0,
        audience={"account_ids": sorted({c.account_id for c in contacts})})
    session.commit()
    return campaign


def _arrivals(smtp_server) -> dict[str, datetime]:
    """Records when each recipient's message arrived."""
    arrived: dict[str, datetime] = {}

    def on_message(count: int) -> None:
        to = smtp_server.messages[count - 1][0]
        arrived.setdefault(to, datetime.now(UTC))

    smtp_server.on_message = on_message
    return arrived


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_a_campaign_scheduled_ahead_is_delivered_then_and_not_before(
        live_app, smtp_server, start_workers):
    session = get_session()
    contacts = _accounts(session, 3)
    campaign = _campaign(session, "Later", contacts)
    arrived = _arrivals(smtp_server)
    at = datetime.now(UTC) + timedelta(seconds=LEAD)
    services.schedule(session, campaign.id, queue=jobs.campaign_queue(), mode="at", at=at)
    (worker,) = start_workers(1, burst=False)
    assert _wait_for(lambda: len(arrived) == 3, LEAD + 30), worker.poll()
    assert min(arrived.values()) >= at
    assert max(arrived.values()) < at + timedelta(seconds=10)
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.DONE


def test_a_rescheduled_campaign_goes_at_its_new_time_and_a_cancelled_one_never(
        live_app, smtp_server, start_workers):
    session = get_session()
    moved = _campaign(session, "Moved", _accounts(session, 2, "m"))
    dropped = _campaign(session, "Dropped", _accounts(session, 2, "d"))
    arrived = _arrivals(smtp_server)
    queue = jobs.campaign_queue()
    soon = datetime.now(UTC) + timedelta(seconds=LEAD)
    services.schedule(session, moved.id, queue=queue, mode="at", at=soon)
    services.schedule(session, dropped.id, queue=queue, mode="at", at=soon)
    later = soon + timedelta(seconds=6)
    services.schedule(session, moved.id, queue=queue, mode="at", at=later)
    services.cancel_campaign(session, dropped.id, queue=queue)
    session.commit()
    (worker,) = start_workers(1, burst=False)
    assert _wait_for(lambda: len(arrived) == 2, LEAD + 40), worker.poll()
    assert sorted(arrived) == ["m0@client.test", "m1@client.test"]
    assert min(arrived.values()) >= later
    time.sleep(1)
    assert "d0@client.test" not in arrived
    session.expire_all()
    assert session.get(Campaign, dropped.id).status == CampaignStatus.CANCELLED
    assert session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.campaign_id == dropped.id)) is None


def test_a_451_is_retried_and_delivered_within_the_send_job(live_app, smtp_server,
                                                            start_workers):
    session = get_session()
    contacts = _accounts(session, 2)
    smtp_server.replies[contacts[0].email] = ["451 4.7.1 greylisted, try again shortly"]
    campaign = _campaign(session, "Greylisted", contacts)
    services.schedule(session, campaign.id, queue=jobs.campaign_queue(), mode="now")
    (worker,) = start_workers(1)
    assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()[-2000:]
    assert sorted(smtp_server.recipients()) == sorted(c.email for c in contacts)
    session.expire_all()
    row = session.scalar(select(OutboxMessage).where(
        OutboxMessage.contact_id == contacts[0].id))
    assert (row.state, row.attempts) == (OutboxState.SENT, 2)
    assert len(session.scalars(select(JobRun).where(JobRun.kind == "campaign.send")).all()) == 1


def test_a_burst_worker_leaves_a_later_schedule_queued_for_a_worker_that_runs_then(
        live_app, smtp_server, start_workers):
    session = get_session()
    contacts = _accounts(session, 2)
    campaign = _campaign(session, "Tomorrow", contacts)
    at = datetime.now(UTC) + timedelta(seconds=LEAD)
    job_id = services.schedule(session, campaign.id, queue=jobs.campaign_queue(), mode="at",
                               at=at)
    (early,) = start_workers(1)
    assert early.wait(timeout=120) == 0, early.stderr.read().decode()[-2000:]
    assert smtp_server.messages == []
    assert ScheduledJobRegistry(queue=jobs.campaign_queue()).get_job_ids() == [job_id]
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.SCHEDULED
    session.commit()  # the read ends: SQLite keeps writers out while it lasts
    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()) + 1)
    (due,) = start_workers(1)
    assert due.wait(timeout=120) == 0, due.stderr.read().decode()[-2000:]
    assert sorted(smtp_server.recipients()) == sorted(c.email for c in contacts)
