import email
from email import policy

from sqlalchemy import func, select

from abm.accounts.models import Contact
from abm.campaigns import jobs, services
from abm.campaigns.models import Campaign, CampaignStatus
from abm.delivery.models import EventKind, OutboxMessage, OutboxState, TrackingEvent
from abm.delivery.outbox import counts_by_state

FAST_RETRY = {"settings": {"campaigns.retry_base_seconds": 0.05}}


def _start(session, audience=None, holdout=0.0, **send_kwargs):
    campaign = services.create_campaign(session, name="Spring", kind="promotion",
                                        audience=audience or {}, offer={"title": "Spring"},
                                        holdout_share=holdout)
    services.schedule_campaign(session, campaign.id)
    session.commit()
    jobs.enqueue_start(campaign.id, **send_kwargs)
    return campaign


def test_every_recipient_gets_one_personal_message(smtp_app, session, smtp_server,
                                                   make_accounts, run_jobs):
    accounts = make_accounts(3, contacts=2)
    campaign = _start(session)
    run_jobs()
    assert sorted(smtp_server.recipients()) == sorted(
        c.email for a in accounts for c in a.contacts)
    to, raw = smtp_server.messages[0]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["To"].addresses[0].addr_spec == to
    assert "Spring" in message.get_body(("plain",)).get_content()
    assert counts_by_state(session, campaign.id)["sent"] == 6
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.DONE


def test_messages_carry_one_click_unsubscribe_headers(smtp_app, session, smtp_server,
                                                     make_accounts, run_jobs):
    make_accounts(1, contacts=1)
    _start(session)
    run_jobs()
    message = email.message_from_bytes(smtp_server.messages[0][1], policy=policy.default)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/u/")
    url = message["List-Unsubscribe"][1:].split(">")[0]
    assert url in message.get_body(("plain",)).get_content()


def test_a_554_for_one_recipient_does_not_stop_the_others(smtp_app, session, smtp_server,
                                                         make_accounts, run_jobs):
    accounts = make_accounts(3, contacts=1)
    bad = accounts[1].contacts[0]
    smtp_server.replies[bad.email] = ["554 5.7.1 no such user"]
    campaign = _start(session)
    run_jobs()
    assert sorted(smtp_server.recipients()) == sorted(
        [accounts[0].contacts[0].email, accounts[2].contacts[0].email])
    assert counts_by_state(session, campaign.id)["bounced"] == 1
    session.expire_all()
    assert session.get(Contact, bad.id).bounced_at is not None
    assert session.scalar(select(func.count()).select_from(TrackingEvent).where(
        TrackingEvent.kind == EventKind.BOUNCE)) == 1


def test_a_421_is_retried_and_then_delivered(smtp_app, session, smtp_server, make_accounts,
                                             run_jobs):
    contact = make_accounts(1, contacts=1)[0].contacts[0]
    smtp_server.replies[contact.email] = ["421 4.7.0 try again later", "451 4.3.0 busy"]
    campaign = _start(session, **FAST_RETRY)
    run_jobs()
    assert smtp_server.recipients() == [contact.email]
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.campaign_id == campaign.id))
    session.refresh(row)
    assert (row.state, row.attempts) == (OutboxState.SENT, 3)


def test_a_temporary_failure_is_given_up_after_the_last_attempt(smtp_app, session, smtp_server,
                                                                make_accounts, run_jobs):
    contact = make_accounts(1, contacts=1)[0].contacts[0]
    smtp_server.replies[contact.email] = ["450 4.2.0 mailbox busy"] * 10
    campaign = _start(session, settings={"campaigns.retry_base_seconds": 0.01,
                                         "campaigns.retry_max": 3})
    run_jobs()
    assert smtp_server.recipients() == []
    assert counts_by_state(session, campaign.id)["failed"] == 1


def test_suppressed_contacts_are_skipped_at_send_time(smtp_app, session, smtp_server,
                                                      make_accounts, run_jobs):
    from datetime import UTC, datetime

    accounts = make_accounts(2, contacts=1)
    campaign = services.create_campaign(session, name="c", kind="promotion", holdout_share=0)
    services.schedule_campaign(session, campaign.id)
    session.commit()
    jobs.prepare_campaign(session, campaign.id)  # the outbox is filled ...
    accounts[0].contacts[0].unsubscribed_at = datetime.now(UTC)  # ... then one unsubscribes
    session.commit()
    jobs._enqueue_send(campaign.id)
    run_jobs()
    assert smtp_server.recipients() == [accounts[1].contacts[0].email]
    assert counts_by_state(session, campaign.id)["suppressed"] == 1


def test_frequency_caps_hold_per_contact(smtp_app, session, smtp_server, make_accounts,
                                         run_jobs):
    contact = make_accounts(1, contacts=1)[0].contacts[0]
    for _ in range(2):
        _start(session, settings={"campaigns.cap_contact_max": 1})
        run_jobs()
    assert smtp_server.recipients() == [contact.email]
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.state == OutboxState.CAPPED)) == 1


def test_held_out_accounts_are_never_contacted(smtp_app, session, smtp_server, make_accounts,
                                               run_jobs):
    make_accounts(10, contacts=1)
    campaign = _start(session, holdout=0.3)
    run_jobs()
    held = session.execute(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.campaign_id == campaign.id)).scalar()
    assert held == 7 and len(smtp_server.messages) == 7


def test_without_an_smtp_server_messages_are_written_to_the_outbox_folder(app, session,
                                                                         make_accounts, run_jobs):
    make_accounts(2, contacts=1)
    campaign = _start(session)
    run_jobs()
    files = sorted((app.extensions["abm.settings"].outbox_path / str(campaign.id)).glob("*.eml"))
    assert len(files) == 2
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["X-ABM-Campaign"] == str(campaign.id)


def test_a_utf8_address_is_undeliverable_without_smtputf8_and_the_rest_go(
        smtp_app, session, smtp_server, make_accounts, run_jobs):
    accounts = make_accounts(2, contacts=1)
    accounts[0].contacts[0].email = "jón@dæmi.is"
    session.flush()
    campaign = _start(session)
    run_jobs()
    assert smtp_server.recipients() == [accounts[1].contacts[0].email]
    states = counts_by_state(session, campaign.id)
    assert (states["undeliverable"], states["invalid"]) == (1, 0)


def test_the_sweep_gives_back_rows_of_dead_workers_and_restarts_the_campaign(
        smtp_app, session, smtp_server, make_accounts, run_jobs):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    make_accounts(2, contacts=1)
    campaign = services.create_campaign(session, name="c", kind="promotion", holdout_share=0)
    services.schedule_campaign(session, campaign.id)
    jobs.prepare_campaign(session, campaign.id)
    session.execute(update(OutboxMessage).values(  # a worker claimed them, then died
        state=OutboxState.CLAIMED, claim_token="dead", attempts=1,
        claimed_at=datetime.now(UTC) - timedelta(hours=1)))
    session.commit()
    assert jobs.sweep_outbox(lease_minutes=10) == {"released": 2, "restarted": [campaign.id]}
    run_jobs()
    assert len(smtp_server.messages) == 2
