"""Scheduling in headless Chromium: the time typed into the page's own date-time field, the
campaign page and the calendar read it back, with no console error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from abm.campaigns.models import Campaign, CampaignStatus
from abm.campaigns.services import create_campaign
from abm.db import get_db
from tests.web import test_browser as browser

# The browser journeys' live server, Chromium page and screenshot folder.
pytestmark = browser.pytestmark
live_server, page, shots = browser.live_server, browser.page, browser.shots


def test_a_manager_schedules_a_campaign_for_tomorrow_and_finds_it_in_the_calendar(
        live_server, page, shots):
    with live_server.app.app_context():
        session = get_db(live_server.app).session()
        campaign_id = create_campaign(session, name="Spring prices", kind="promotion").id
        session.commit()
        get_db(live_server.app).session.remove()
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    browser._log_in(page, live_server.url, "boss@test.local")
    page.goto(f"{live_server.url}/campaigns/{campaign_id}")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(hour=10, minute=0, second=0,
                                                                microsecond=0)
    page.check("#schedule-form input[name=mode][value=at]")
    page.fill("#at", tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.click("#schedule-form button[type=submit]")
    page.wait_for_selector("#scheduled-at")
    assert "(UTC)" in page.inner_text("#scheduled-at")
    assert page.input_value("#at") == tomorrow.strftime("%Y-%m-%dT%H:%M")  # ready to change
    page.screenshot(path=shots / "scheduled.png", full_page=True)
    with live_server.app.app_context():
        session = get_db(live_server.app).session()
        stored = session.get(Campaign, campaign_id)
        assert (stored.status, stored.scheduled_at) == (CampaignStatus.SCHEDULED, tomorrow)
        get_db(live_server.app).session.remove()
    page.goto(f"{live_server.url}/campaigns/")
    page.click("#calendar-link")
    if tomorrow.month != datetime.now(UTC).month:
        page.click("a[rel=next]")
    day = page.locator(f'td[data-day="{tomorrow.date().isoformat()}"]')
    assert "Spring prices" in day.inner_text()
    page.screenshot(path=shots / "calendar.png", full_page=True)
    assert errors == []
