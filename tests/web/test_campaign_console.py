"""No campaign page logs a console error, and the preview looks as a mail client shows it.

Headless Chromium on the live server of the browser journeys: every campaign
page is opened (list, new, campaign, audience, template editor in both
languages, results, approvals) while the console and uncaught errors are
collected. A refused inline style (the page's policy applied to the message
preview) is such an error.
"""

from __future__ import annotations

from abm.accounts.models import Account, Contact, ContactRole
from abm.campaigns.services import create_campaign, request_approval
from abm.db import get_db
from abm.users.services import create_user
from tests.web.test_browser import _log_in, live_server, page, pytestmark  # noqa: F401

STYLED = '<p id="styled" style="color: rgb(204, 0, 0)">Hello {{ account.name }}</p>'


def _campaigns(app) -> dict[str, int]:
    """A marketing user, a reachable buyer, and a draft and a pending campaign aimed at them."""
    with app.app_context():
        session = get_db(app).session()
        create_user(session, email="mark@test.local", name="Mark Eting", role="marketing",
                    password="browser-password")
        account = session.query(Account).filter_by(external_id="C100").one()
        session.add(Contact(account_id=account.id, name="Jón Buyer", role=ContactRole.OWNER,
                            email="jon@nordic.test", marketing_consent=True))
        audience = {"account_ids": [account.id]}
        draft = create_campaign(session, name="Spring offer", kind="personal_offer",
                                audience=audience, offer={"title": "Spring prices",
                                                          "discount_percent": 5})
        pending = create_campaign(session, name="Bonus", kind="personal_offer",
                                  audience=audience, offer={"bonus_percent": 3})
        request_approval(session, pending.id)
        session.commit()
        ids = {"draft": draft.id, "pending": pending.id}
        get_db(app).session.remove()
    return ids


def test_no_campaign_page_logs_a_console_error(live_server, page):  # noqa: F811 - fixtures
    from playwright.sync_api import expect

    ids = _campaigns(live_server.app)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    base = live_server.url
    _log_in(page, base, "mark@test.local")
    draft = f"{base}/campaigns/{ids['draft']}"
    for url in (f"{base}/campaigns/", f"{base}/campaigns/new", draft,
                f"{base}/campaigns/{ids['pending']}", f"{draft}/audience",
                f"{draft}/template?lang=ru", f"{draft}/results"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    page.goto(f"{draft}/template?lang=en")
    page.fill("#html", STYLED)  # the live preview follows the draft
    styled = page.frame_locator("#preview-html").locator("#styled")
    expect(styled).to_have_text("Hello Nordic Tools ehf.")
    assert styled.evaluate("e => getComputedStyle(e).color") == "rgb(204, 0, 0)"
    assert page.locator("#preview-html").get_attribute("sandbox") == ""
    page.click("text=Log out")
    _log_in(page, base, "boss@test.local")
    page.goto(f"{base}/approvals/")
    expect(page.locator(f"#campaign-{ids['pending']} .stake-recipients")).to_contain_text(
        "1 contact")
    page.goto(draft)
    page.wait_for_load_state("networkidle")
    assert errors == []
