"""Benchmark: how fast sending recovers from a killed worker, an SMTP outage and lost jobs.

Usage: python bench/recovery.py [--quick] [--database-url URL] [--redis-url URL]

Real parts only: ``abm worker`` processes (no cron process runs), an aiosmtpd
server in a process of its own that logs the time and Message-ID of every
message it accepts, a SQLite database in a temporary folder (or the one given)
and the embedded Redis (or the one given). Measured:

- **kill**: a worker is killed with ``kill -9`` (its work horse with it) in the
  middle of a campaign and another worker is started: seconds from the kill
  to the next message accepted, duplicates, every message delivered;
- **outage**: the SMTP server is killed mid-campaign (its connections reset)
  and started again after an outage: seconds from its return to the next
  message accepted;
- **lost job**: a campaign being sent whose send job is gone (Redis lost it):
  seconds until the worker's maintenance has it sent; in the full run also a
  due campaign whose start job never was queued.

The full run kills three times and keeps the server down for 60 s; ``--quick``
kills once and keeps it down for 5 s (under a minute on a quiet machine). The last line of
output is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


class Sink:
    """The SMTP server process; :meth:`kill` is a crash (the kernel resets its connections)."""

    def __init__(self, log: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", SINK, str(self.port), str(self.log)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != b"ready":
            raise RuntimeError("the SMTP server did not start")

    def kill(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait()

    def received(self) -> list[tuple[float, str]]:
        if not self.log.exists():
            return []
        lines = (re.match(r"^(\S+) (\S+)$", x) for x in self.log.read_text().splitlines())
        return [(float(m.group(1)), m.group(2)) for m in lines if m]


class Bench:
    def __init__(self, folder: Path, database_url: str | None, redis_url: str | None) -> None:
        from abm.app import create_app
        from abm.db import upgrade
        from abm.queue import worker_env

        self.sink = Sink(folder / "received.log")
        self.sink.start()
        url = database_url or f"sqlite:///{folder / 'abm.sqlite3'}"
        upgrade(url)
        self.app = create_app({"database_url": url, "redis_url": redis_url or "",
                               "instance_path": str(folder / "instance"),
                               "smtp_url": f"smtp://127.0.0.1:{self.sink.port}",
                               "secret_key": "bench", "public_url": "http://abm.test"})
        self.context = self.app.app_context()
        self.context.push()
        self.env = worker_env(self.app)
        self.env["ABM_SMTP_URL"] = f"smtp://127.0.0.1:{self.sink.port}"
        self.workers: list[subprocess.Popen] = []
        self.made = 0

    def worker(self) -> subprocess.Popen:
        """``abm worker``, as the README runs it (no --burst, no cron process)."""
        process = subprocess.Popen([sys.executable, "-c", "from abm.cli import main; main()",
                                    "worker"], env=self.env, cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        self.workers.append(process)
        return process

    def campaign(self, n: int, name: str) -> int:
        """A campaign to ``n`` new contacts (none shared with another campaign), scheduled."""
        from abm.accounts.models import Account, Contact
        from abm.campaigns import services
        from abm.db import get_session

        session = get_session()
        ids = []
        for i in range(self.made, self.made + n):
            account = Account(name=f"Client {i:05d}")
            account.contacts.append(Contact(name=f"Person {i}", email=f"p{i}@client.test",
                                            marketing_consent=True))
            session.add(account)
            session.flush()
            ids.append(account.id)
        self.made += n
        session.commit()
        campaign = services.create_campaign(
            session, name=name, kind="promotion", holdout_share=0,
            audience={"account_ids": ids})
        services.schedule_campaign(session, campaign.id)
        session.commit()
        return campaign.id

    def done(self, campaign_id: int) -> bool:
        from sqlalchemy import select

        from abm.campaigns.models import Campaign, CampaignStatus
        from abm.db import get_session

        session = get_session()
        status = session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))
        session.commit()
        return status == CampaignStatus.DONE

    def close(self) -> None:
        for process in self.workers:
            kill(process)
        self.sink.kill()
        self.context.pop()


def kill(process: subprocess.Popen) -> None:
    """kill -9 of a worker and its work horse, as the OOM killer or a crash would."""
    for pid in _tree(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait()


def _tree(pid: int) -> list[int]:
    """``pid`` and every process under it (RQ's work horse has a process group of its own, so
    killing the worker's group would leave it sending)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(child for child, parent in parents.items() if parent == current)
    return found


def wait(condition: Callable[[], bool], timeout: float) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"not done after {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - start


def first_after(received: list[tuple[float, str]], moment: float) -> float:
    return round(min(t for t, _ in received if t > moment) - moment, 2)


def kill_worker(bench: Bench, n: int, worker: subprocess.Popen) -> tuple[dict, subprocess.Popen]:
    """Kill the worker sending a campaign at a quarter of it, start another; the figures."""
    from abm.campaigns import jobs

    before = len(bench.sink.received())
    campaign_id = bench.campaign(n, "kill")
    jobs.enqueue_start(campaign_id, batch_size=50)
    # Mid-batch (batches of 50), so that the dead worker holds claims.
    wait(lambda: len(bench.sink.received()) - before >= n // 4 + 17, 120)
    kill(worker)
    killed = time.time()
    second = bench.worker()
    wait(lambda: bench.done(campaign_id), 180)
    received = bench.sink.received()[before:]
    ids = Counter(m for _, m in received)
    return {"messages": n, "delivered": len(ids), "duplicates": sum(ids.values()) - len(ids),
            "resumed_after_s": first_after(received, killed),
            "done_after_s": round(time.time() - killed, 2)}, second


def outage(bench: Bench, n: int, down: float) -> dict:
    """Kill the SMTP server mid-campaign, start it again after ``down`` seconds; the figures."""
    from abm.campaigns import jobs

    before = len(bench.sink.received())
    campaign_id = bench.campaign(n, "outage")
    jobs.enqueue_start(campaign_id, batch_size=20)
    wait(lambda: len(bench.sink.received()) - before >= n // 4, 120)
    bench.sink.kill()
    time.sleep(down)
    bench.sink.start()
    back = time.time()
    wait(lambda: bench.done(campaign_id), 180)
    received = bench.sink.received()[before:]
    ids = Counter(m for _, m in received)
    return {"messages": n, "outage_s": down, "delivered": len(ids),
            "duplicates": sum(ids.values()) - len(ids),
            "resumed_after_return_s": first_after(received, back)}


def lost_jobs(bench: Bench, n: int, due_start: bool) -> dict:
    """A campaign sending with no send job, and (``due_start``) a due one never started."""
    from abm.campaigns import jobs
    from abm.campaigns.models import Campaign
    from abm.db import get_session, utcnow

    session = get_session()
    figures = {}
    if due_start:  # due for a minute: the maintenance replaces a start job lost for 30 s
        due = bench.campaign(n, "due")
        campaign = session.get(Campaign, due)
        assert campaign is not None
        campaign.scheduled_at = utcnow() - timedelta(minutes=1)
        session.commit()
        figures["due_start_done_after_s"] = round(wait(lambda: bench.done(due), 120), 2)
    orphan = bench.campaign(n, "orphan")
    jobs.prepare_campaign(session, orphan)
    session.commit()
    figures["lost_send_job_done_after_s"] = round(wait(lambda: bench.done(orphan), 120), 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one kill, a 5 s outage")
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    args = parser.parse_args()
    kills, down, n = (1, 5.0, 300) if args.quick else (3, 60.0, 2000)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="abm-recovery-") as folder:
        bench = Bench(Path(folder), args.database_url, args.redis_url)
        try:
            worker = bench.worker()
            killed = []
            for i in range(kills):
                figures, worker = kill_worker(bench, n, worker)
                print(f"kill {i + 1}: {figures}", flush=True)
                killed.append(figures)
            down_figures = outage(bench, n // 2, down)
            print(f"outage: {down_figures}", flush=True)
            lost = lost_jobs(bench, 20 if args.quick else 50, due_start=not args.quick)
            print(f"lost jobs: {lost}", flush=True)
        finally:
            bench.close()
    print(json.dumps({
        "mode": "quick" if args.quick else "full",
        "kill_resumed_after_s": [k["resumed_after_s"] for k in killed],
        "kill_duplicates": [k["duplicates"] for k in killed],
        "kill_all_delivered": all(k["delivered"] == k["messages"] for k in killed),
        "outage_s": down, "outage_resumed_after_return_s": down_figures["resumed_after_return_s"],
        "outage_duplicates": down_figures["duplicates"], **lost,
        "seconds": round(time.monotonic() - started, 1),
    }))


if __name__ == "__main__":
    main()
