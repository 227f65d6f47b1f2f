"""Reliability with real worker processes, a committed database and a loopback SMTP server."""

import email
import threading
import time
from collections import Counter
from email import policy

import pytest
from sqlalchemy import select

from abm.accounts.models import Account, Contact
from abm.campaigns import jobs, services
from abm.db import get_session
from abm.delivery.models import OutboxMessage
from abm.delivery.outbox import counts_by_state
from abm.delivery.tokens import Tokens
from tests.delivery.conftest import kill_worker


def _accounts(session, n: int, contacts: int = 1) -> list[Contact]:
    made = []
    for i in range(n):
        account = Account(name=f"Client {i:04d}")
        for j in range(contacts):
            account.contacts.append(Contact(name=f"Person {i}-{j}", email=f"p{i}-{j}@client.test",
                                            marketing_consent=True))
        session.add(account)
        made.extend(account.contacts)
    session.commit()
    return made


def _campaign(session):
    campaign = services.create_campaign(session, name="Big", kind="promotion", holdout_share=0)
    services.schedule_campaign(session, campaign.id)
    session.commit()
    return campaign


def _message_ids(smtp_server) -> Counter:
    return Counter(email.message_from_bytes(raw, policy=policy.default)["Message-ID"]
                   for _, raw in smtp_server.messages)


def test_two_workers_and_a_duplicated_start_send_each_message_once(live_app, smtp_server,
                                                                   start_workers):
    session = get_session()
    contacts = _accounts(session, 150, contacts=2)
    campaign = _campaign(session)
    jobs.enqueue_start(campaign.id, parallel=2, batch_size=20)
    jobs.enqueue_start(campaign.id, parallel=2, batch_size=20)  # the same campaign again
    workers = start_workers(2)
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()[-2000:]
    ids = _message_ids(smtp_server)
    assert len(ids) == len(contacts) == 300
    assert max(ids.values()) == 1
    assert counts_by_state(session, campaign.id)["sent"] == 300


@pytest.mark.parametrize("batch_size", [10, 100], ids=["in-a-later-batch", "in-the-same-batch"])
def test_an_unsubscribe_during_sending_stops_later_messages(live_app, smtp_server,
                                                           start_workers, batch_size):
    session = get_session()
    contacts = _accounts(session, 60)
    last = contacts[-1]
    campaign = _campaign(session)
    client = live_app.test_client()
    tokens = Tokens("test-secret")
    responses = []

    def unsubscribe_last(count: int) -> None:
        if count != 5:
            return
        with live_app.app_context():
            outbox_id = get_session().scalar(select(OutboxMessage.id).where(
                OutboxMessage.campaign_id == campaign.id, OutboxMessage.contact_id == last.id))
            get_session().close()
        # The mail client's one-click POST: no session, no CSRF token.
        responses.append(client.post(f"/u/{tokens.unsubscribe(outbox_id)}",
                                     data={"List-Unsubscribe": "One-Click"}).status_code)

    smtp_server.on_message = unsubscribe_last
    jobs.enqueue_start(campaign.id, batch_size=batch_size)
    (worker,) = start_workers(1)
    assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()[-2000:]
    assert responses == [200]
    session.expire_all()
    assert last.email not in smtp_server.recipients()
    assert len(smtp_server.messages) == 59
    assert counts_by_state(session, campaign.id)["suppressed"] == 1


def test_a_worker_killed_mid_campaign_loses_nothing_and_duplicates_at_most_one(
        live_app, smtp_server, start_workers):
    session = get_session()
    # 600 messages in batches of 50: the kill falls mid-batch with batches done before it
    # and left after it, which is all the rule needs (more messages only take longer).
    _accounts(session, 300, contacts=2)
    campaign = _campaign(session)
    lease = 1.5
    killed = threading.Event()
    (worker,) = start_workers(1)

    def kill_at_225(count: int) -> None:
        if count == 225 and not killed.is_set():
            killed.set()
            kill_worker(worker)

    smtp_server.on_message = kill_at_225
    jobs.enqueue_start(campaign.id, batch_size=50, lease_seconds=lease)
    worker.wait(timeout=120)
    assert killed.is_set()
    time.sleep(lease + 0.5)  # the dead worker's claims expire
    jobs._enqueue_send(campaign.id, batch_size=50, lease_seconds=lease)
    (second,) = start_workers(1)
    assert second.wait(timeout=120) == 0, second.stderr.read().decode()[-2000:]
    ids = _message_ids(smtp_server)
    assert len(ids) == 600  # every message delivered
    assert sum(ids.values()) - len(ids) <= 1  # at most one duplicate for the one kill
    session.expire_all()
    assert counts_by_state(session, campaign.id)["sent"] == 600
