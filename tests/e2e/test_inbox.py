"""The inbox through the running product: the demo team's news on a first login, and an
approval that travels from marketing to a manager and back through the notifications,
settled in every approver's inbox once decided.

The unread count in the header is read before and after each step: other journeys on
the same server may have left notifications of their own, never fewer.
"""

from __future__ import annotations

import re

from abm.demo.activity import MARKETING_TASK, SALES_TASK, VOLUME_BONUS, WIN_BACK
from tests.e2e.test_campaigns import _account_codes, _new_campaign, _save_offer

NAME = "Restock before the holidays"
WIDTHS = (1366, 1024)
# What each demo user finds in the inbox on a first login, from the demo's own events.
DEMO_NEWS = {
    "admin": [f"The campaign “{VOLUME_BONUS['name']}” is waiting for your approval"],
    "manager": [f"The campaign “{VOLUME_BONUS['name']}” is waiting for your approval"],
    "marketing": [f"The campaign “{WIN_BACK['name']}” was approved",
                  f"Mikhail Manager assigned you the task “{MARKETING_TASK}”"],
    "sales": ["new alerts on your accounts",
              f"Mikhail Manager assigned you the task “{SALES_TASK}”"],
}
# The demo's request the manager decided: settled in the approvers' inboxes, no longer unread.
DEMO_SETTLED = f"The campaign “{WIN_BACK['name']}” was approved by Mikhail Manager"


def _unread(page) -> int:
    """The count in the header's badge (0: no badge)."""
    badge = page.locator("header.top a.inbox .unread-count")
    return int(badge.inner_text()) if badge.count() else 0


def _open_inbox(page) -> None:
    page.click("header.top a.inbox")
    page.wait_for_url(re.compile(r".*/notifications/$"))


def _row(page, text: str):
    row = page.locator("tr.notification", has_text=text)
    assert row.count() == 1, f"{row.count()} notifications say {text!r}:\n" + \
        page.locator("table.notifications").inner_text()
    return row


def _fits(visitor, name: str) -> None:
    for width in WIDTHS:
        visitor.page.set_viewport_size({"width": width, "height": 900})
        assert visitor.overflow() == 0, f"{name} in {visitor.lang} overflows at {width} px"
    visitor.page.set_viewport_size({"width": 1366, "height": 900})


def test_a_first_login_finds_the_demo_teams_news_in_the_inbox(served, visit):
    for role, news in DEMO_NEWS.items():
        visitor = visit(role)
        page = visitor.page
        assert _unread(page) >= len(news), f"{role}: {_unread(page)} unread"
        _open_inbox(page)
        for text in news:  # a refresh of another journey may have said it again
            assert page.locator("tr.notification.unread", has_text=text).count() >= 1, text
        if role in ("admin", "manager"):
            assert page.locator("tr.notification.resolved", has_text=DEMO_SETTLED).count() == 1
        visitor.shot(f"inbox-first-login-{role}")
        assert visitor.errors == []

    russian = visit("sales", lang="ru")
    _open_inbox(russian.page)
    table = russian.page.locator("table.notifications").inner_text()
    assert "по вашим клиентам" in table  # N new alerts on your accounts
    assert f"Mikhail Manager поручил(а) вам задачу «{SALES_TASK}»" in table
    _fits(russian, "the inbox")
    russian.shot("inbox-first-login-sales")
    _follow_to_the_alerts(russian)
    assert russian.errors == []


def _follow_to_the_alerts(visitor) -> None:
    """From "N new alerts on your accounts" to the open alerts of the salesperson's accounts."""
    page = visitor.page
    page.locator("tr.notification", has_text="по вашим клиентам").first.locator("a").click()
    page.wait_for_url(re.compile(r".*/alerts/\?mine=1$"))
    assert page.locator("h1").inner_text() == "Открытые сигналы по моим клиентам"
    assert page.locator("#alerts li[id^=alert-]").count() >= 1
    _fits(visitor, "the alerts")
    visitor.shot("alerts-from-the-inbox")


def _send_for_approval(served, page, code: str) -> int:
    campaign_id = _new_campaign(page, served.url, NAME, "personal_offer", [code])
    page.goto(f"{served.url}/campaigns/{campaign_id}")
    _save_offer(page, title="8% off the holiday restock", discount_percent="8",
                holdout_percent="0")
    page.click("#submit-form button")
    page.wait_for_selector("text=Sent for approval")
    return campaign_id


def _follow_to_the_approval(manager, campaign_id: int, unread: int) -> None:
    """From the inbox to the campaign's own card on the approvals page, then approve it.

    Following a notification does not read it: the badge still counts it (``unread``).
    """
    page = manager.page
    _row(page, f"The campaign “{NAME}” is waiting for your approval").locator("a").click()
    page.wait_for_url(re.compile(rf".*/approvals/#campaign-{campaign_id}$"))
    assert page.evaluate("document.querySelector(':target').id") == f"campaign-{campaign_id}"
    assert _unread(page) == unread
    card = page.locator(f"section.card#campaign-{campaign_id}")
    assert NAME in card.locator("h2").inner_text()
    manager.shot("approvals-from-the-inbox")
    card.locator("button[value=approve]").click()
    page.wait_for_selector("text=Approved.")


def _settled(visitor, text: str) -> None:
    """The request reads as decided, no longer unread, with nothing left to mark read."""
    visitor.go("/notifications/")
    row = _row(visitor.page, text)
    assert {"read", "resolved"} <= set(row.get_attribute("class").split())
    assert row.locator("button", has_text="Mark read").count() == 0
    assert visitor.page.locator("tr.notification", has_text=f"“{NAME}” is waiting").count() == 0


def _mark_read(visitor, text: str, before: int) -> None:
    """Mark one notification read, then all: the badge goes down by one, then away."""
    page = visitor.page
    visitor.go("/notifications/")
    _row(page, text).locator("button", has_text="Mark read").click()
    page.wait_for_url(re.compile(r".*/notifications/$"))
    assert "read" in _row(page, text).get_attribute("class").split()
    assert _unread(page) == before
    if before:
        page.click("text=Mark all read")
        page.wait_for_selector("text=All notifications marked read.")
    assert _unread(page) == 0
    assert page.locator("tr.notification.unread").count() == 0
    assert page.locator("text=Mark all read").count() == 0


def test_an_approval_goes_through_the_inbox_from_marketing_to_a_manager_and_back(
        served, visit):
    manager = visit("manager")
    (_id, code), = _account_codes(manager.page, served.url, 1, "sort=name", skip=2)
    manager.go("/")
    manager_before = _unread(manager.page)
    admin = visit("admin")
    admin_before = _unread(admin.page)

    marketing = visit("marketing")
    campaign_id = _send_for_approval(served, marketing.page, code)
    marketing.go("/")
    marketing_before = _unread(marketing.page)

    manager.go("/")
    assert _unread(manager.page) == manager_before + 1
    _open_inbox(manager.page)
    waiting = f"The campaign “{NAME}” is waiting for your approval"
    assert "unread" in _row(manager.page, waiting).get_attribute("class").split()
    manager.shot("inbox-approval-waiting")
    ru_manager = visit("manager", lang="ru")
    ru_manager.go("/notifications/")
    _row(ru_manager.page, f"Кампания «{NAME}» ждёт вашего одобрения").locator("a").click()
    ru_manager.page.wait_for_url(re.compile(rf".*/approvals/#campaign-{campaign_id}$"))
    _fits(ru_manager, "the approvals")
    ru_manager.shot("approvals-from-the-inbox")
    ru_manager.go("/notifications/")
    ru_manager.shot("inbox-approval-waiting")

    admin.go("/")
    assert _unread(admin.page) == admin_before + 1
    _follow_to_the_approval(manager, campaign_id, manager_before + 1)
    # The decision settles the request in every approver's inbox, the decider's included.
    settled = f"The campaign “{NAME}” was approved by Mikhail Manager"
    for approver, before in ((manager, manager_before), (admin, admin_before)):
        _settled(approver, settled)
        assert _unread(approver.page) == before
    admin.shot("inbox-approval-settled")

    marketing.go("/")
    assert _unread(marketing.page) == marketing_before + 1
    _open_inbox(marketing.page)
    approved = f"The campaign “{NAME}” was approved"
    assert "unread" in _row(marketing.page, approved).get_attribute("class").split()
    marketing.shot("inbox-approval-decided")
    ru_marketing = visit("marketing", lang="ru")
    ru_marketing.go("/notifications/")
    _row(ru_marketing.page, f"Кампания «{NAME}» одобрена")
    _fits(ru_marketing, "the inbox")
    ru_marketing.shot("inbox-approval-decided")

    _row(marketing.page, approved).locator("a").click()
    marketing.page.wait_for_url(re.compile(rf".*/campaigns/{campaign_id}$"))
    assert marketing.page.locator("#campaign-status").get_attribute("data-status") == "approved"
    _mark_read(marketing, approved, marketing_before)
    marketing.shot("inbox-all-read")
    for visitor in (manager, admin, marketing, ru_manager, ru_marketing):
        assert visitor.errors == []
