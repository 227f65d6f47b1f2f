"""Recovery in seconds with real worker processes (``abm worker``, no cron) and an SMTP server
in a process of its own, which a test kills as a crash would (its connections reset)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from abm.accounts.models import Account, Contact
from abm.campaigns import jobs, services
from abm.campaigns.models import Campaign, CampaignStatus
from abm.db import get_session, utcnow
from abm.delivery.outbox import counts_by_state
from tests.delivery.conftest import kill_worker

SINK = """
import re, sys, time
from aiosmtpd.controller import Controller
log = open(sys.argv[2], "a", buffering=1)
class Sink:
    async def handle_DATA(self, server, session, envelope):
        found = re.search(rb"^Message-ID: (<[^>]+>)", envelope.content, re.M)
        log.write(f"{time.time()} {found.group(1).decode() if found else '-'}\\n")
        return "250 OK"
Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1])).start()
print("ready", flush=True)
sys.stdin.read()
"""
_LINE = re.compile(r"^(\S+) (\S+)$")


class SinkProcess:
    """An aiosmtpd server in its own process that logs (time, Message-ID) of each message."""

    def __init__(self, log: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", SINK, str(self.port), str(self.log)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == b"ready"

    def kill(self) -> None:
        """Die as a crash does: the kernel resets the open connections."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()

    def received(self) -> list[tuple[float, str]]:
        if not self.log.exists():
            return []
        found = (_LINE.match(line) for line in self.log.read_text().splitlines())
        return [(float(m.group(1)), m.group(2)) for m in found if m]


@pytest.fixture
def smtp_server(tmp_path):
    """The SMTP server of ``live_app`` and ``start_workers``: here a process a test can kill."""
    sink = SinkProcess(tmp_path / "received.log")
    sink.start()
    yield sink
    sink.kill()


def _campaign(session, n: int) -> Campaign:
    for i in range(n):
        account = Account(name=f"Client {i:04d}")
        account.contacts.append(Contact(name=f"Person {i}", email=f"p{i}@client.test",
                                        marketing_consent=True))
        session.add(account)
    session.commit()
    campaign = services.create_campaign(session, name="Big", kind="promotion", holdout_share=0)
    services.schedule_campaign(session, campaign.id)
    session.commit()
    return campaign


def _wait(condition, timeout: float, step: float = 0.05) -> float:
    """Seconds until ``condition()`` holds; fails the test after ``timeout``."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out"
        time.sleep(step)
    return time.monotonic() - start


def _status(session, campaign_id: int) -> CampaignStatus:
    status = session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))
    session.commit()
    return status



def test_a_killed_workers_campaign_is_finished_by_another_within_30_s(
        live_app, smtp_server, start_workers):
    session = get_session()
    campaign = _campaign(session, 1000)
    (first,) = start_workers(1, burst=False)
    jobs.enqueue_start(campaign.id, batch_size=50)
    _wait(lambda: len(smtp_server.received()) >= 217, timeout=120)  # mid-batch: claims held
    kill_worker(first)
    killed_at = time.time()
    start_workers(1, burst=False)  # `abm worker`: no cron process, no sweep
    _wait(lambda: _status(session, campaign.id) == CampaignStatus.DONE, timeout=120)
    received = smtp_server.received()
    resumed = min(t for t, _ in received if t > killed_at) - killed_at
    assert resumed < 30
    ids = Counter(message_id for _, message_id in received)
    assert len(ids) == 1000  # every message delivered
    assert sum(ids.values()) - len(ids) <= 1  # at most one duplicate for the one kill
    assert counts_by_state(session, campaign.id)["sent"] == 1000


def test_sending_resumes_within_15_s_of_the_smtp_servers_return(
        live_app, smtp_server, start_workers):
    session = get_session()
    campaign = _campaign(session, 600)
    start_workers(1, burst=False)
    jobs.enqueue_start(campaign.id, batch_size=20)
    _wait(lambda: len(smtp_server.received()) >= 100, timeout=120)
    smtp_server.kill()
    time.sleep(20)  # the outage: the job waits for the server, trying it again and again
    smtp_server.start()
    back_at = time.time()
    _wait(lambda: _status(session, campaign.id) == CampaignStatus.DONE, timeout=120)
    received = smtp_server.received()
    assert min(t for t, _ in received if t > back_at) - back_at < 15
    ids = Counter(message_id for _, message_id in received)
    assert len(ids) == 600
    assert sum(ids.values()) - len(ids) <= 1  # the message the crash cut off, at most


def test_abm_worker_alone_starts_a_due_campaign_and_resumes_one_whose_job_was_lost(
        live_app, smtp_server, start_workers):
    session = get_session()
    due = _campaign(session, 50)  # scheduled a minute ago; its start job never queued
    due.scheduled_at = utcnow() - timedelta(minutes=1)
    session.commit()
    orphan = services.create_campaign(session, name="Orphan", kind="promotion", holdout_share=0)
    services.schedule_campaign(session, orphan.id)
    session.commit()
    jobs.prepare_campaign(session, orphan.id)  # sending, its outbox filled, no send job
    session.commit()
    assert _status(session, orphan.id) == CampaignStatus.SENDING
    start_workers(1, burst=False)
    _wait(lambda: _status(session, orphan.id) == CampaignStatus.DONE, timeout=30)
    _wait(lambda: _status(session, due.id) == CampaignStatus.DONE, timeout=30)
    assert len({m for _, m in smtp_server.received()}) == 100
