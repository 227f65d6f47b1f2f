"""Every page, as every role, in the pseudo-locale: no English outside the catalogue.

The pages are those of the URL map: each GET route, its parameters filled from the
demo data (an account the salesperson owns, its contact and tender, a campaign
awaiting approval, an upload, an import run, a segmentation run). A finding is a
Latin word of three letters or more outside the catalogue's markers and outside the
data values; the test lists every finding with its page and role.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict

import pytest
from sqlalchemy import select

from abm.accounts.models import Account, Contact, Tender
from abm.campaigns.models import Campaign
from abm.db import get_session
from abm.demo import DEMO_PASSWORD, DEMO_USERS
from abm.segments.models import SegmentationRun
from tests.i18n.pseudo import page_texts, unmarked_words, without_texts

SKIPPED = ("/api/", "/static/", "/t/", ".csv", ".gif")
ORDERS = ("document;date;line_no;account_name;sku;product_name;quantity;revenue\n"
          "D-1;2026-10-02;1;Pseudo Buyer LLC;P-1;Bolt;2;100\n"
          "D-2;2026-02-30;1;Pseudo Buyer LLC;P-1;Bolt;2;100\n")


def _ids(app) -> dict[str, object]:
    """Values for the URL parameters, taken from the demo data."""
    with app.app_context():
        session = get_session()
        sales = next(u for u in DEMO_USERS if u[2] == "sales")[0]
        account = session.scalars(select(Account).join(Account.owner)
                                  .where(Account.owner.has(email=sales))
                                  .order_by(Account.id)).first()
        tender = session.scalars(select(Tender).where(Tender.account_id == account.id)).first()
        ids = {"account_id": account.id,
               "contact_id": session.scalar(select(Contact.id).where(
                   Contact.account_id == account.id)),
               "tender_id": tender.id if tender else None,
               "campaign_id": session.scalar(select(Campaign.id)),
               "segmentation_run": session.scalar(select(SegmentationRun.id))}
        session.close()
    return ids


def _log_in(client, role: str) -> None:
    email = next(u[0] for u in DEMO_USERS if u[2] == role)
    client.post("/logout")
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    client.post("/language", data={"lang": "ru"})


def _import_pages(client, run_jobs) -> list[str]:
    """An upload's preview and the finished run of a file with a bad row."""
    upload = client.post("/imports/", data={"kind": "orders", "currency": "EUR",
                                           "file": (io.BytesIO(ORDERS.encode()), "o.csv")},
                         content_type="multipart/form-data")
    preview = upload.location
    started = client.post(preview, data={})
    run_jobs(("imports",))
    return [preview, started.location] if started.status_code == 302 else [preview]


def _pages(app, client, run_jobs) -> list[str]:
    ids = _ids(app)
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or any(part in rule.rule for part in SKIPPED):
            continue
        values = {name: ids.get(name) for name in rule.arguments}
        if "run_id" in values:
            continue  # the run pages come from the runs started below
        if "token" in values:
            values["token"] = "not-a-token"
        if any(v is None for v in values.values()):
            continue
        pages.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=values: str(v[m.group(1)]),
                            rule.rule))
    _log_in(client, "manager")
    pages += _import_pages(client, run_jobs)
    for start in ("/analytics/refresh", "/segments/run"):  # their runs' pages, waiting
        started = client.post(start)
        assert started.status_code == 302, start
        pages.append(started.location)
    return pages


@pytest.fixture(scope="package")
def pages(pseudo_app):
    from rq import SimpleWorker

    from abm.queue import PromptExit, get_redis

    class Worker(PromptExit, SimpleWorker):
        pass

    def run_jobs(queues) -> None:
        redis = get_redis(pseudo_app)
        Worker([redis.queue(q) for q in queues], connection=redis.connection).work(burst=True)

    with pseudo_app.app_context():
        return _pages(pseudo_app, pseudo_app.test_client(), run_jobs)


def test_every_page_as_every_role_is_in_the_catalogue(pseudo_app, pages, demo_words,
                                                      demo_texts):
    findings: dict[str, set[str]] = defaultdict(set)
    seen = 0
    for role in ("admin", "manager", "marketing", "sales"):
        client = pseudo_app.test_client()
        _log_in(client, role)
        for page in pages:
            response = client.get(page)
            if response.status_code in (302, 403) or "html" not in response.content_type:
                continue
            seen += 1
            for text in page_texts(response.get_data(as_text=True)):
                if unmarked_words(without_texts(text, demo_texts), demo_words):
                    findings[text[:160]].add(f"{page} ({role})")
    listing = "\n".join(f"{text!r}  <- {', '.join(sorted(where)[:3])}"
                        for text, where in sorted(findings.items()))
    print(f"{seen} pages rendered, {len(findings)} untranslated texts")
    print(listing)
    assert seen > 40
    assert not findings, f"{len(findings)} texts outside the catalogue:\n{listing}"
