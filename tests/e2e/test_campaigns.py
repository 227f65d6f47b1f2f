"""Campaigns through the running product: from audience to the recipients' mailboxes.

On the first-run server messages land in the outbox folder (nothing leaves the
machine until a mail server is set); on the second they go to a real SMTP
server on loopback that offers SMTPUTF8, as a modern mail server does.
"""

from __future__ import annotations

import email
import email.policy
import math
import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import idna
import pytest


def _account_codes(page, base: str, n: int, query: str = "",
                   skip: int = 0) -> list[tuple[int, str]]:
    """The ids and codes of ``n`` accounts of the list (as a manager sees it), after ``skip``.

    The journeys on one server each mail their own account: the frequency caps count every
    message an account got, so a journey that shared another's account could see its
    message rightly held back.
    """
    page.goto(f"{base}/accounts/?{query}")
    rows = page.locator("#accounts tbody tr")
    found = []
    for i in range(rows.count()):
        link = rows.nth(i).locator("a").first.get_attribute("href")
        code = rows.nth(i).locator("td").first.inner_text().strip()
        if code and code != "—":
            found.append((int(link.rstrip("/").rsplit("/", 1)[1]), code))
        if len(found) == skip + n:
            break
    return found[skip:]


def _new_campaign(page, base: str, name: str, kind: str, codes: list[str]) -> int:
    page.goto(base + "/campaigns/new")
    page.fill("#name", name)
    page.select_option("#kind", kind)
    page.click("#new-campaign button[type=submit]")
    page.wait_for_url("**/audience")
    page.fill("#picked", ", ".join(codes))
    page.check("input[name=reachable_only]")
    page.wait_for_function("document.querySelector('#live-contacts').textContent.trim() !== '—'")
    page.click("#audience-form button[type=submit]")
    page.wait_for_selector("text=Audience saved.")
    return int(re.search(r"/campaigns/(\d+)", page.url).group(1))


def _save_offer(page, **fields: str) -> None:
    for name, value in fields.items():
        page.fill(f"#{name}", value)
    page.click("#offer-form button[type=submit]")
    page.wait_for_selector("#offer-form")


def _approve(page, base: str, name: str) -> None:
    page.goto(base + "/approvals/")
    card = page.locator("section.card", has_text=name)
    assert "What is at stake" in card.inner_text()
    card.locator("button[value=approve]").click()
    page.wait_for_selector("text=Approved.")


def _status(page) -> str:
    return page.locator("#campaign-status").get_attribute("data-status")


def _wait_for_status(page, url: str, wanted: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        if _status(page) == wanted:
            return
        assert time.monotonic() < deadline, f"still {_status(page)} after {seconds} s"
        time.sleep(1)


@pytest.fixture(scope="session")
def scheduled_later(served_mail, browser, inbox):
    """A campaign scheduled two minutes ahead, at the start of the run: its delivery is
    checked by the last test, so that the other journeys fill the wait."""
    from tests.e2e.conftest import Visitor

    manager = Visitor(browser, served_mail).log_in("manager")
    (account_id, code), = _account_codes(manager.page, served_mail.url, 1, "sort=name")
    _add_contact(manager.page, served_mail.url, account_id, "Later Reader",
                 "later.reader@example.com")
    manager.close()
    marketing = Visitor(browser, served_mail).log_in("marketing")
    page = marketing.page
    campaign_id = _new_campaign(page, served_mail.url, "Two minutes ahead", "promotion", [code])
    url = f"{served_mail.url}/campaigns/{campaign_id}"
    page.goto(url)
    _save_offer(page, title="Later", holdout_percent="0")
    # The workspace time zone is UTC until someone changes it; the form takes local time.
    due = datetime.now(UTC) + timedelta(minutes=2)
    due = due.replace(second=0, microsecond=0) + timedelta(minutes=math.ceil(due.second / 60))
    page.check("input[name=mode][value=at]")
    page.fill("#at", due.strftime("%Y-%m-%dT%H:%M"))
    page.click("#schedule-form button[type=submit]")
    page.wait_for_selector("text=Scheduled for")
    assert _status(page) == "scheduled"
    marketing.close()
    return {"url": url, "due": due, "address": "later.reader@example.com"}


def test_a_campaign_scheduled_later_is_not_sent_before_its_time(scheduled_later, inbox):
    assert datetime.now(UTC) < scheduled_later["due"]
    assert inbox.to(scheduled_later["address"]) == []


def test_a_campaign_from_audience_to_the_outbox_and_its_results(served, visit):
    manager = visit("manager")
    codes = [code for _id, code in _account_codes(manager.page, served.url, 3)]
    marketing = visit("marketing")
    page = marketing.page
    campaign_id = _new_campaign(page, served.url, "Winter offer", "personal_offer", codes)
    url = f"{served.url}/campaigns/{campaign_id}"
    page.goto(url)
    _save_offer(page, title="Winter offer: 12% off", discount_percent="12", holdout_percent="0")
    assert "discount" in page.locator("#approval").inner_text().lower()

    page.click("text=Edit the template")
    page.wait_for_function(
        "document.querySelector('#preview-subject').textContent.trim().length > 0")
    marketing.shot("campaign-template")
    page.click("button[value=save]")
    page.wait_for_selector("text=Template saved.")
    page.goto(url)
    page.click("#submit-form button")
    page.wait_for_selector("text=Sent for approval")
    assert _status(page) == "pending_approval"

    _approve(manager.page, served.url, "Winter offer")
    manager.page.goto(url)
    manager.page.click("#schedule-form button[type=submit]")
    manager.page.wait_for_selector("text=Scheduled: a worker sends it.")
    _wait_for_status(manager.page, url, "done")
    manager.shot("campaign-delivered")

    sent = served.outbox()
    assert sent, "the worker wrote no message into the outbox folder"
    message = email.message_from_bytes(sent[0].read_bytes(), policy=email.policy.default)
    body = message.get_body(("plain",)).get_content()
    links = re.findall(r"https?://\S+", body)
    # Links point at the address abm serve listens on (no ABM_PUBLIC_URL was set).
    assert links and all(urlsplit(link).netloc == urlsplit(served.url).netloc for link in links)
    manager.page.click("text=Results")
    assert manager.page.locator("#r-sent").inner_text() == str(len(sent))
    assert manager.errors == [] and marketing.errors == []


def _add_contact(page, base: str, account_id: int, name: str, address: str) -> None:
    page.goto(f"{base}/accounts/{account_id}/contacts/new")
    page.fill("#name", name)
    page.fill("#email", address)
    page.check("#marketing_consent")
    page.click("#contact-form button[type=submit]")
    page.wait_for_url(f"**/accounts/{account_id}**")


NON_ASCII = ("иван@пример.рф", "mikko.müller.55@example.com", "Jón.Gunnarsson@dæmi.is")


def test_messages_reach_non_ascii_addresses_through_smtputf8(served_mail, visit_mail, inbox):
    manager = visit_mail("manager")
    (account_id, code), = _account_codes(manager.page, served_mail.url, 1, "sort=-name")
    for i, address in enumerate(NON_ASCII):
        _add_contact(manager.page, served_mail.url, account_id, f"Buyer {i}", address)
    page = visit_mail("marketing").page
    campaign_id = _new_campaign(page, served_mail.url, "Spring news", "promotion", [code])
    url = f"{served_mail.url}/campaigns/{campaign_id}"
    page.goto(url)
    _save_offer(page, title="Spring news", holdout_percent="0")
    page.click("#schedule-form button[type=submit]")
    page.wait_for_selector("text=Scheduled: a worker sends it.")
    _wait_for_status(page, url, "done")
    for address in NON_ASCII:
        # On the wire: the local part in UTF-8 (SMTPUTF8), the domain in punycode (IDNA).
        local, domain = address.lower().split("@")
        wire = f"{local}@{idna.encode(domain, uts46=True).decode()}"
        arrived = inbox.to(wire)
        assert arrived, f"nothing arrived for {wire}: {[m[1] for m in inbox.messages]}"
    assert "unsent-undeliverable" not in page.content()


def test_a_volume_bonus_written_in_a_personal_offer_waits_for_approval(served_mail, visit_mail):
    marketing = visit_mail("marketing")
    page = marketing.page
    manager = visit_mail("manager")
    codes = [code for _id, code in _account_codes(manager.page, served_mail.url, 2)]
    campaign_id = _new_campaign(page, served_mail.url, "Rebate for big buyers",
                                "personal_offer", codes)
    page.goto(f"{served_mail.url}/campaigns/{campaign_id}")
    _save_offer(page, title="Volume bonus: 10% rebate", bonus_percent="10",
                bonus_threshold="50000", terms="Individual 90-day payment terms")
    reasons = page.locator("#approval .approval-reasons").inner_text().lower()
    assert "volume bonus" in reasons and "terms" in reasons
    assert "It can be scheduled once a manager has approved it." in page.locator(
        "#schedule").inner_text()
    marketing.shot("campaign-needs-approval")


@pytest.mark.finish_last
def test_a_campaign_scheduled_two_minutes_ahead_is_delivered_then(scheduled_later, inbox):
    due = scheduled_later["due"].timestamp()
    deadline = due + 60
    while not inbox.to(scheduled_later["address"]) and time.time() < deadline:
        time.sleep(1)
    arrived = inbox.to(scheduled_later["address"])
    assert arrived, "the campaign scheduled two minutes ahead never arrived"
    assert arrived[0][0] >= due - 1, "it arrived before its time"
