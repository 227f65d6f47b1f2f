"""Claim leases renewed by a heartbeat, and the workers' maintenance that frees dead ones."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select, update

from abm.accounts.models import Account, Contact
from abm.campaigns import jobs, services
from abm.db import get_session, utcnow
from abm.delivery import outbox
from abm.delivery.leases import CLAIM_LEASE, LeaseKeeper
from abm.delivery.models import OutboxMessage, OutboxState
from abm.queue import Maintenance, get_redis


def _sending_campaign(session, n: int = 5) -> int:
    for i in range(n):
        account = Account(name=f"Client {i}")
        account.contacts.append(Contact(name=f"P {i}", email=f"p{i}@client.test",
                                        marketing_consent=True))
        session.add(account)
    session.commit()
    campaign = services.create_campaign(session, name="C", kind="promotion", holdout_share=0)
    services.schedule_campaign(session, campaign.id)
    jobs.prepare_campaign(session, campaign.id)
    session.commit()
    return campaign.id


def _age_claims(session, token: str, seconds: float) -> None:
    session.execute(update(OutboxMessage).where(OutboxMessage.claim_token == token)
                    .values(claimed_at=utcnow() - timedelta(seconds=seconds)))
    session.commit()


def test_a_live_workers_claims_are_renewed_and_a_dead_ones_expire(live_app):
    session = get_session()
    campaign_id = _sending_campaign(session)
    token = outbox.claim_batch(session, campaign_id, 3)
    assert token is not None
    _age_claims(session, token, 60)
    lease = timedelta(seconds=1)
    with LeaseKeeper(session, lease) as keeper:
        keeper.hold(token)
        time.sleep(lease.total_seconds())  # five beats
        assert keeper.beats >= 2
        assert outbox.release_stale_claims(session, lease, campaign_id) == 0  # alive: kept
    time.sleep(lease.total_seconds() + 0.2)  # no heartbeat since: the worker is as dead
    assert outbox.release_stale_claims(session, lease, campaign_id) == 3


def test_maintenance_frees_a_dead_workers_claims_and_queues_one_send_job(live_app):
    session = get_session()
    campaign_id = _sending_campaign(session)
    token = outbox.claim_batch(session, campaign_id, 3)
    assert token is not None
    assert jobs.maintain_campaigns() == {"released": 0, "resumed": [], "started": []}
    _age_claims(session, token, CLAIM_LEASE.total_seconds() + 1)
    assert jobs.maintain_campaigns() == {"released": 3, "resumed": [campaign_id], "started": []}
    # The send job queued waits for a worker: the next rounds queue no other.
    assert jobs.maintain_campaigns()["resumed"] == []
    assert get_redis().queue(jobs.QUEUE).count == 1
    states = session.scalars(select(OutboxMessage.state)
                             .where(OutboxMessage.campaign_id == campaign_id)).all()
    session.commit()
    assert set(states) == {OutboxState.PENDING}


def test_one_worker_of_many_runs_the_maintenance_each_tick(live_app):
    ran = []
    first = Maintenance(live_app, [lambda: ran.append(1)], every=1.0)
    second = Maintenance(live_app, [lambda: ran.append(2)], every=1.0)
    assert first.run_once() and not second.run_once()
    assert ran == [1]
    time.sleep(1.0)  # the tick's lock is gone
    assert second.run_once()
    assert ran == [1, 2]
