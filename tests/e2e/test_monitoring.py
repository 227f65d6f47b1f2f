"""Monitoring key accounts through the running product: a visit alert raised and cleared."""

from __future__ import annotations

import re

import pytest

VISIT_ALERT = "No personal visit"
REFRESH_SECONDS = 120


def _refresh(served, page) -> None:
    """Refresh the analytics from the dashboard, as a manager does, and wait for the end."""
    page.goto(served.url + "/")
    page.click("#refresh-analytics button[type=submit]")
    page.wait_for_url(re.compile(r".*/analytics/refresh/.+"))
    page.wait_for_selector("#analytics-refresh[data-status=finished]",
                           timeout=REFRESH_SECONDS * 1000)


def _visit_alert(page):
    return page.locator("ul.alerts li", has_text=VISIT_ALERT)


def _key_account_without_a_visit(served, page) -> int:
    page.goto(served.url + "/accounts/?flag=key&sort=-share")
    hrefs = page.eval_on_selector_all("#accounts tbody a", "els => els.map(e => e.href)")
    ids = list(dict.fromkeys(int(m.group(1)) for h in hrefs
                             if (m := re.search(r"/accounts/(\d+)$", h))))
    for account_id in ids:
        page.goto(f"{served.url}/accounts/{account_id}")
        if _visit_alert(page).count():
            return account_id
    pytest.fail(f"no key account shows the visit alert among {ids}")


def test_a_visit_alert_is_raised_and_cleared_by_a_visit(served, visit):
    manager = visit("manager")
    page = manager.page
    _refresh(served, page)
    account_id = _key_account_without_a_visit(served, page)
    assert "No personal visit" in _visit_alert(page).inner_text()

    # The alert is stored as a code: a Russian reader reads it in Russian.
    russian = visit("manager", lang="ru").page
    russian.goto(f"{served.url}/accounts/{account_id}")
    assert "Нет личного визита" in russian.locator("ul.alerts").inner_text()
    manager.shot("visit-alert")

    page.select_option("#interaction-kind", "visit")
    page.fill("#interaction-text", "Walked the warehouse with the owner")
    page.click("#log-interaction button[type=submit]")
    page.wait_for_selector("text=Interaction logged.")

    _refresh(served, page)
    page.goto(f"{served.url}/accounts/{account_id}")
    assert _visit_alert(page).count() == 0
    assert "Walked the warehouse with the owner" in page.locator("ol.timeline").inner_text()
