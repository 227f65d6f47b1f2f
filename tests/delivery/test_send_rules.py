"""What holds a message back: the send window of its recipient's country, the frequency caps
across campaigns, and a server that answers "try later" or not at all."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from abm.campaigns import jobs, services
from abm.campaigns.models import Campaign, CampaignStatus
from abm.campaigns.outcomes import capped_reasons
from abm.campaigns.send_window import SendWindow
from abm.delivery.models import OutboxMessage, OutboxState
from abm.delivery.outbox import counts_by_state
from abm.queue import get_redis
from abm.runs.models import JobRun
from tests.delivery.conftest import Recorder, _free_port


def _campaign(session, **fields):
    campaign = services.create_campaign(session, name="Rules", kind="promotion",
                                        holdout_share=0, **fields)
    services.schedule_campaign(session, campaign.id)
    session.commit()
    return campaign


def _row(session, contact_id: int) -> OutboxMessage:
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.contact_id == contact_id))
    session.refresh(row)
    return row


def _window_open_in_moscow_now() -> dict:
    """Two hours from the current hour in Moscow: closed in Tokyo, six hours ahead."""
    hour = datetime.now(ZoneInfo("Europe/Moscow")).hour
    end = f"{hour + 2:02d}:00" if hour < 22 else "23:59"
    return {"start": f"{hour:02d}:00", "end": end, "days": [1, 2, 3, 4, 5, 6, 7],
            "holidays": False}


def test_a_message_outside_its_countrys_window_waits_for_the_opening_and_is_not_failed(
        smtp_app, session, smtp_server, make_accounts, run_jobs):
    moscow, tokyo = make_accounts(1, contacts=1, country="RU")[0], \
        make_accounts(1, contacts=1, country="JP")[0]
    window = _window_open_in_moscow_now()
    campaign = _campaign(session, send_window=window)
    before = datetime.now(UTC)
    jobs.enqueue_start(campaign.id)
    run_jobs()
    assert smtp_server.recipients() == [moscow.contacts[0].email]
    waiting = _row(session, tokyo.contacts[0].id)
    opening = SendWindow.from_json(window).next_opening(before, ZoneInfo("Asia/Tokyo"))
    assert (waiting.state, waiting.attempts, waiting.last_error) == (OutboxState.PENDING, 0, None)
    assert abs(waiting.next_attempt_at - opening) < timedelta(minutes=1)
    assert waiting.next_attempt_at.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M") == \
        window["start"]
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.SENDING
    # The send job comes back at the opening, through RQ's scheduler.
    registry = ScheduledJobRegistry(queue=get_redis().queue(jobs.QUEUE))
    [job_id] = registry.get_job_ids()
    assert abs(registry.get_scheduled_time(job_id) - opening) < timedelta(minutes=1)


def test_caps_hold_per_contact_and_per_account_across_campaigns_with_their_reasons(
        smtp_app, session, smtp_server, make_accounts, run_jobs):
    account = make_accounts(1, contacts=2)[0]
    caps = {"settings": {"campaigns.cap_contact_max": 1, "campaigns.cap_account_max": 1}}
    first = _campaign(session)
    jobs.enqueue_start(first.id, **caps)
    run_jobs()
    second = _campaign(session)
    jobs.enqueue_start(second.id, **caps)
    run_jobs()
    assert smtp_server.recipients() == [account.contacts[0].email]
    assert capped_reasons(session, first.id) == {"account_cap": 1}
    assert capped_reasons(session, second.id) == {"contact_cap": 1, "account_cap": 1}
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.state == OutboxState.SENT)) == 1


def test_a_451_is_retried_inside_the_send_job_and_recorded_on_the_message(
        smtp_app, session, smtp_server, make_accounts, run_jobs):
    contact = make_accounts(1, contacts=1)[0].contacts[0]
    smtp_server.replies[contact.email] = ["451 4.3.0 try again in a moment"]
    campaign = _campaign(session)
    jobs.enqueue_start(campaign.id)  # the default back-off: the first retry after 2 s
    run_jobs()
    assert smtp_server.recipients() == [contact.email]
    row = _row(session, contact.id)
    assert (row.state, row.attempts) == (OutboxState.SENT, 2)
    sends = session.scalars(select(JobRun).where(JobRun.kind == "campaign.send")).all()
    assert len(sends) == 1  # one job: no hand-over to a later one
    assert sends[0].result["deferred"] == 1 and sends[0].result["sent"] == 1


def test_a_temporary_failure_past_the_jobs_wait_stays_pending_for_a_later_job(
        smtp_app, session, smtp_server, make_accounts, run_jobs):
    contact = make_accounts(1, contacts=1)[0].contacts[0]
    smtp_server.replies[contact.email] = ["452 4.2.2 mailbox full"]
    campaign = _campaign(session)
    jobs.enqueue_start(campaign.id, max_wait=1,
                       settings={"campaigns.retry_base_seconds": 600})
    run_jobs()
    row = _row(session, contact.id)
    assert (row.state, row.attempts, row.last_error) == (
        OutboxState.PENDING, 1, "452 4.2.2 mailbox full")
    assert counts_by_state(session, campaign.id)["bounced"] == 0
    registry = ScheduledJobRegistry(queue=get_redis().queue(jobs.QUEUE))
    [job_id] = registry.get_job_ids()
    assert abs(registry.get_scheduled_time(job_id) - row.next_attempt_at) < timedelta(seconds=2)


def test_a_server_that_refuses_connections_is_retried_until_it_answers(
        app, session, make_accounts, run_jobs):
    recorder = Recorder()
    port = _free_port()
    app.extensions["abm.settings"].smtp_url = f"smtp://127.0.0.1:{port}"
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    later = threading.Timer(1.0, controller.start)  # the server comes up a second late
    contact = make_accounts(1, contacts=1)[0].contacts[0]
    campaign = _campaign(session)
    jobs.enqueue_start(campaign.id, settings={"campaigns.retry_base_seconds": 0.25})
    later.start()
    try:
        run_jobs()
    finally:
        later.join()
        controller.stop()
    assert recorder.recipients() == [contact.email]
    row = _row(session, contact.id)
    assert (row.state, row.attempts) == (OutboxState.SENT, 1)  # refusals are not its attempts
    [send] = session.scalars(select(JobRun).where(JobRun.kind == "campaign.send")).all()
    assert send.status.value == "finished" and send.result["unreachable"] >= 1


def test_a_server_that_stays_down_leaves_the_messages_pending_with_the_reason(
        app, session, make_accounts, run_jobs):
    app.extensions["abm.settings"].smtp_url = f"smtp://127.0.0.1:{_free_port()}"
    contact = make_accounts(1, contacts=1)[0].contacts[0]
    campaign = _campaign(session)
    jobs.enqueue_start(campaign.id, max_wait=0.5,
                       settings={"campaigns.retry_base_seconds": 0.1})
    run_jobs(queues=(jobs.QUEUE,))
    row = _row(session, contact.id)
    assert (row.state, row.attempts) == (OutboxState.PENDING, 0)
    assert "cannot reach the SMTP server" in row.last_error
    [send] = session.scalars(select(JobRun).where(JobRun.kind == "campaign.send",
                                                  JobRun.status == "finished")).all()
    # Tried at once and after 0.1, 0.2 and 0.4 s in the job; 0.8 s is left to a later job.
    assert send.result["unreachable"] == 4
    assert ScheduledJobRegistry(queue=get_redis().queue(jobs.QUEUE)).count == 1
