"""Benchmark: a personalised campaign delivered by abm workers against a bare smtplib loop.

Usage: python bench/campaign_send.py [--quick] [--messages N] [--workers 1,2,4]
       [--database-url URL]

Measures, in one run on one machine:
- rendering alone (compiled default template, plain-data contexts), messages/s;
- a bare smtplib loop sending pre-rendered messages over one connection, once
  before and once after the engine runs (the machine may be shared: the mean
  of the two is the reference);
- the whole engine (claim, suppression and cap checks, render, send, mark per
  message) with 1, 2 and 4 worker processes (``abm worker --burst``), with
  the workers' CPU time per message and the load average.
A third of the recipients have non-ASCII addresses, as the demo's contacts do:
half of them a UTF-8 local part (sent with SMTPUTF8), half an internationalised
domain (sent as punycode), all with Cyrillic display names; the bare loop
sends the same mix. The SMTP server is aiosmtpd in its own process, offering
SMTPUTF8 and accepting everything.
The last line of output is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = """
import asyncio, sys
from aiosmtpd.controller import Controller
class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
c = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]), enable_SMTPUTF8=True)
c.start()
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.read()
c.stop()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "ready"
    return server


def recipient(i: int) -> tuple[str, str]:
    """(address, name) of bench recipient ``i``: every third one non-ASCII, as the demo's are."""
    if i % 6 == 0:
        return f"покупатель.{i}@client.test", f"Покупатель Закупкин {i}"  # SMTPUTF8
    if i % 6 == 3:
        return f"bench{i}@клиент.test", f"Иван Петров {i}"  # an IDN domain: punycode
    return f"bench{i}@client.test", f"Bench Person {i}"


def add_contacts(session, n: int) -> None:
    """n reachable contacts spread over the demo's customers."""
    from sqlalchemy import insert, select

    from abm.accounts.models import Account, AccountKind, Contact

    ids = list(session.scalars(select(Account.id).where(Account.kind == AccountKind.CUSTOMER)))
    rows = [{"account_id": ids[i % len(ids)], "name": recipient(i)[1], "role": "purchasing",
             "email": recipient(i)[0], "language": "ru" if i % 3 == 0 else "en",
             "marketing_consent": True} for i in range(n)]
    for start in range(0, n, 5000):
        session.execute(insert(Contact), rows[start : start + 5000])
    session.commit()


def bench_rendering(session, campaign_id: int, count: int) -> float:
    from sqlalchemy import select

    from abm.campaigns.context import account_contexts, message_context
    from abm.campaigns.offers import offer_context
    from abm.campaigns.services import compiled_templates, get_campaign
    from abm.campaigns.settings import CampaignSettings
    from abm.delivery.models import OutboxMessage
    from abm.workspace.services import settings_of

    campaign = get_campaign(session, campaign_id)
    templates = compiled_templates(campaign)
    offer = offer_context(campaign, settings_of(session, CampaignSettings))
    accounts = list(session.scalars(select(OutboxMessage.account_id).distinct().limit(200)))
    contexts = [message_context(ctx, {"id": 1, "name": "Olga Petrova", "first_name": "Olga",
                                      "email": "o@x.test", "role": "owner", "position": "",
                                      "language": "en"}, offer, "https://x/u/t")
                for ctx in account_contexts(session, accounts).values()]
    start = time.perf_counter()
    for i in range(count):
        templates["en" if i % 3 else "ru"].render(contexts[i % len(contexts)])
    return count / (time.perf_counter() - start)


def bare_messages(session, campaign_id: int) -> list[tuple[str, bytes, bool]]:
    """Distinct messages of the campaign, pre-rendered for the bare loop: (to, data, utf8)."""
    from sqlalchemy import select

    from abm.accounts.models import Account, AccountKind
    from abm.campaigns.rendering import RenderedMessage
    from abm.campaigns.services import preview_message
    from abm.delivery.addresses import smtp_recipient
    from abm.delivery.messages import Envelope, build_message
    from abm.delivery.tokens import Tokens

    envelope = Envelope("bench@abm.test", "https://abm.test", Tokens("bench"))
    accounts = list(session.scalars(select(Account.id).where(
        Account.kind == AccountKind.CUSTOMER).order_by(Account.id).limit(100)))
    messages = []
    for i, account_id in enumerate(accounts):
        m = preview_message(session, campaign_id, account_id)
        address, name = recipient(i)
        to = smtp_recipient(address)
        _, data = build_message(envelope, outbox_id=i, campaign_id=campaign_id,
                                to_email=to.header, to_name=name,
                                rendered=RenderedMessage(m["subject"], m["html"], m["text"]),
                                unsubscribe_url="https://abm.test/u/x", utf8=to.utf8)
        messages.append((to.address, data, to.utf8))
    session.commit()
    return messages


def bench_bare_smtplib(messages: list[tuple[str, bytes, bool]], port: int, count: int) -> float:
    """Send ``count`` pre-rendered messages over one connection (SMTPUTF8 where needed)."""
    smtp = smtplib.SMTP("127.0.0.1", port)
    utf8 = ["SMTPUTF8", "BODY=8BITMIME"]
    start = time.perf_counter()
    for i in range(count):
        to, data, needs_utf8 = messages[i % len(messages)]
        smtp.sendmail("bench@abm.test", [to], data, mail_options=utf8 if needs_utf8 else ())
    elapsed = time.perf_counter() - start
    smtp.quit()
    return round(count / elapsed, 1)


def bench_campaign(session, name: str):
    """A personalised offer to the purchasing contact of every reachable customer."""
    from abm.campaigns import services

    return services.create_campaign(
        session, name=name, kind="personal_offer", holdout_share=0,
        offer={"title": "Bench prices"},
        audience={"rules": [{"field": "has_reachable_contact", "op": "eq", "value": True}],
                  "contact_roles": ["purchasing"]})


def run_engine(app, session, workers: int, port: int) -> dict:
    """A fresh campaign to every bench contact, sent by ``workers`` worker processes."""
    from sqlalchemy import func, select

    from abm.campaigns import services
    from abm.campaigns.jobs import _enqueue_send, prepare_campaign
    from abm.delivery.models import OutboxMessage, OutboxState
    from abm.queue import worker_env

    campaign = bench_campaign(session, f"bench x{workers}")
    services.schedule_campaign(session, campaign.id)
    session.commit()
    filled = prepare_campaign(session, campaign.id)
    session.commit()
    caps = {"campaigns.cap_contact_max": 1000, "campaigns.cap_account_max": 10**5}
    for _ in range(workers):
        _enqueue_send(campaign.id, batch_size=200, settings=caps)
    env = worker_env(app)
    env["ABM_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", "from abm.cli import main; main()",
                               "worker", "--burst"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(workers)]
    for p in procs:
        p.wait()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    sent, first, last = session.execute(
        select(func.count(), func.min(OutboxMessage.sent_at), func.max(OutboxMessage.sent_at))
        .where(OutboxMessage.campaign_id == campaign.id,
               OutboxMessage.state == OutboxState.SENT)).one()
    session.commit()
    span = (last - first).total_seconds() if sent > 1 else wall
    from abm.delivery.outbox import counts_by_state

    states = {k: v for k, v in counts_by_state(session, campaign.id).items() if v}
    from abm.runs.models import JobRun

    for run in session.scalars(select(JobRun).where(JobRun.error.is_not(None))):
        print(f"job error: {run.kind}: {run.error}", flush=True)
    session.commit()
    return {"workers": workers, "messages": filled["rows"], "sent": sent, "states": states,
            "rate": round(sent / span, 1), "wall_seconds": round(wall, 1),
            "worker_cpu_us_per_message": round(1e6 * cpu / max(sent, 1)),
            "load_average": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--messages", type=int)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    n = args.messages or (3000 if args.quick else 100_000)
    worker_counts = [int(w) for w in args.workers.split(",")]


    from abm.app import create_app
    from abm.db import get_session, upgrade
    from abm.demo import load_demo

    folder = Path(tempfile.mkdtemp(prefix="abm-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    upgrade(url)
    os.environ.pop("ABM_REDIS_URL", None)
    app = create_app({"database_url": url, "instance_path": str(folder), "redis_url": "",
                      "secret_key": "bench"})
    port = free_port()
    server = start_server(port)
    figures: dict = {"messages": n}
    try:
        with app.app_context():
            session = get_session()
            load_demo(session)
            session.commit()
            add_contacts(session, n)
            print(f"data ready: {n} contacts", flush=True)
            campaign = bench_campaign(session, "bench: rendering and the bare loop")
            session.commit()
            messages = bare_messages(session, campaign.id)
            bare = [bench_bare_smtplib(messages, port, n)]
            print(f"bare smtplib loop: {bare[0]} messages/s", flush=True)
            results = []
            for workers in worker_counts:
                result = run_engine(app, session, workers, port)
                print(f"engine, {workers} worker(s): {result}", flush=True)
                results.append(result)
            figures["render_per_s"] = round(bench_rendering(session, campaign.id,
                                                            min(n, 20_000)), 1)
            print(f"rendering alone: {figures['render_per_s']} messages/s", flush=True)
            bare.append(bench_bare_smtplib(messages, port, n))
            print(f"bare smtplib loop again: {bare[1]} messages/s", flush=True)
            # The machine is shared: the loop runs before and after the engine, and counts once.
            figures["bare_smtplib_per_s"] = round(sum(bare) / 2, 1)
            figures["bare_smtplib_runs"] = [round(b, 1) for b in bare]
            figures["engine"] = results
            one = next((r for r in results if r["workers"] == 1), None)
            if one:
                figures["engine_vs_bare"] = round(one["rate"] / figures["bare_smtplib_per_s"], 3)
            figures["database"] = url.split(":")[0]
    finally:
        server.stdin.close()
        server.wait(timeout=10)
        embedded = app.extensions["abm.redis"].embedded
        if embedded is not None:
            embedded.stop()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
