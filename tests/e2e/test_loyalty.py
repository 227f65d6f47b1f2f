"""A loyalty invitation through the running product: sent by SMTP, accepted through its link.

The demo data has one active programme ("Partner programme"), which an
invitation campaign that names none invites to.
"""

from __future__ import annotations

import email
import email.policy
import re

from tests.e2e.test_campaigns import (
    _account_codes,
    _add_contact,
    _new_campaign,
    _save_offer,
    _wait_for_status,
)

ADDRESS = "loyal.buyer@example.com"


def _accept_link(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"Accept the invitation: (\S+)", text)
    assert found, f"no accept link in the message:\n{text}"
    return found.group(1)


def test_a_loyalty_invitation_accepted_through_its_link_shows_on_the_account(
        served_mail, visit_mail, browser, inbox):
    manager = visit_mail("manager")
    (account_id, code), = _account_codes(manager.page, served_mail.url, 1, "sort=-name",
                                         skip=1)
    _add_contact(manager.page, served_mail.url, account_id, "Loyal Buyer", ADDRESS)
    manager.page.goto(f"{served_mail.url}/accounts/{account_id}")
    assert manager.page.locator("#loyalty .membership").count() == 0

    marketing = visit_mail("marketing")
    page = marketing.page
    campaign_id = _new_campaign(page, served_mail.url, "Join our partners", "loyalty_invitation",
                                [code])
    url = f"{served_mail.url}/campaigns/{campaign_id}"
    page.goto(url)
    _save_offer(page, title="Priority delivery for partners", holdout_percent="0")
    page.click("#schedule-form button[type=submit]")
    page.wait_for_selector("text=Scheduled: a worker sends it.")
    _wait_for_status(page, url, "done")

    manager.page.goto(f"{served_mail.url}/accounts/{account_id}")
    assert "Invited" in manager.page.locator("#loyalty .membership .status").inner_text()

    arrived = inbox.to(ADDRESS)
    page.goto(url)
    unsent = page.locator("#unsent-counts")
    assert arrived, f"nothing arrived for {ADDRESS}; unsent: " + (
        unsent.inner_text() if unsent.count() else "none")
    link = _accept_link(arrived[-1][1])
    guest = browser.new_context(locale="en-GB")  # the recipient, who has no login
    try:
        landing = guest.new_page()
        landing.goto(link)  # the accept page itself: its link is not redirected
        assert "/a/" in landing.url
        landing.click("button[type=submit]")
        landing.wait_for_selector("#accepted")
        assert "Partner programme" in landing.locator("#accepted").inner_text()
        landing.goto(link)  # again: nothing more to accept
        assert landing.locator("#accepted").count() == 1
        assert landing.locator("button[type=submit]").count() == 0
    finally:
        guest.close()

    manager.page.goto(f"{served_mail.url}/accounts/{account_id}")
    row = manager.page.locator("#loyalty .membership")
    assert row.count() == 1
    assert "Member" in row.locator(".status").inner_text()
    assert row.locator(".accepted").inner_text().strip() not in ("", "—")
    manager.shot("account-loyalty-accepted")
    assert manager.errors == [] and marketing.errors == []
