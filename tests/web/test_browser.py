"""Browser journeys: the real pages in headless Chromium, against a live server.

The server runs in a thread of this process, so it uses its own migrated
database (the rolled-back test transaction is not visible to another thread).
Screenshots of the main pages go to the test's temporary folder.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from abm.accounts.models import Account, Contact, ContactRole
from abm.app import create_app
from abm.campaigns.services import create_campaign, request_approval
from abm.db import get_db
from abm.sales.models import MonthlyAccountSales
from abm.users.services import create_user
from tests.conftest import CHROMIUM
from tests.delivery.conftest import smtp_server  # noqa: F401 - a real SMTP server on loopback

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"browser tests need Chromium at {CHROMIUM} (Debian package "
                              "'chromium'); not installed here"),
]


@pytest.fixture
def live_server(tmp_path, redis_url, migrated_database):
    """The app on 127.0.0.1 (a free port) over a fresh migrated database, with data.

    Yields its ``url`` and the ``app`` (to run queued jobs as a worker would).
    """
    url = migrated_database()
    app = create_app({"database_url": url, "redis_url": redis_url, "secret_key": "browser",
                      "instance_path": str(tmp_path / "instance")})
    with app.app_context():
        session = get_db(app).session()
        sales = create_user(session, email="kam@test.local", name="Kim Kam", role="sales",
                            password="browser-password")
        account = Account(name="Nordic Tools ehf.", external_id="C100", region="Capital Region",
                          city="Reykjavik", industry="Retail", owner_id=sales.id)
        session.add(account)
        session.flush()
        session.add(Contact(account_id=account.id, name="Guðrún Jónsdóttir",
                            role=ContactRole.PURCHASING))
        session.add_all([MonthlyAccountSales(account_id=account.id, month=date(2026, m, 1),
                                             revenue=1000.0 + 150 * m) for m in range(1, 11)])
        create_user(session, email="boss@test.local", name="Mia Manager", role="manager",
                    password="browser-password")
        campaign = create_campaign(session, name="Volume bonus Q1", kind="volume_bonus")
        request_approval(session, campaign.id)
        session.commit()
        get_db(app).session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    get_db(app).dispose()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


# What a page must fit: a common laptop and a small one (or a tablet held sideways).
WINDOW_WIDTHS = (1366, 1024)

# The elements of a page that hold what they show in full, not behind a scroll bar of
# their own (a table or card that overflows with ``overflow: auto`` hides its columns).
_CLIPPED = """(selectors) => selectors.flatMap(s => [...document.querySelectorAll(s)])
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.tagName.toLowerCase()}#${e.id}: ${e.scrollWidth} px in ${e.clientWidth}`)"""


def assert_fits_the_window(page, *unclipped: str) -> None:
    """The page is no wider than its window, and the elements matching the CSS selectors
    ``unclipped`` show their whole content (nothing scrolls sideways inside them).

    Call it on a Playwright page after navigation, at each window width and language
    worth checking (see :data:`WINDOW_WIDTHS`).
    """
    window = page.viewport_size["width"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= window, f"{page.url} is {width} px wide in a {window} px window"
    clipped = page.evaluate(_CLIPPED, list(unclipped))
    assert clipped == [], f"{page.url} at {window} px clips {clipped}"


@pytest.fixture
def shots(tmp_path):
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder


def test_log_in_read_the_dashboard_open_an_account_and_log_a_visit(live_server, page, shots):
    page.goto(f"{live_server.url}/")
    assert "/login" in page.url
    page.fill("#email", "kam@test.local")
    page.fill("#password", "browser-password")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Dashboard"
    page.screenshot(path=shots / "dashboard.png", full_page=True)

    page.click("nav >> text=Accounts")
    page.fill("#q", "nordic")
    page.click("form.filters button[type=submit]")
    page.screenshot(path=shots / "accounts.png", full_page=True)
    page.click("#accounts >> text=Nordic Tools ehf.")
    assert page.locator("#account-name").inner_text() == "Nordic Tools ehf."
    assert page.locator("#revenue rect").count() == 24
    assert "Guðrún Jónsdóttir" in page.locator("#contacts").inner_text()

    page.select_option("#interaction-kind", "visit")
    page.fill("#interaction-occurred_at", "2026-11-20T10:30")
    page.select_option("#interaction-contact_id", label="Guðrún Jónsdóttir")
    page.fill("#interaction-text", "Walked the warehouse with the buyer")
    page.click("#log-interaction button[type=submit]")
    page.wait_for_selector("text=Interaction logged.")
    timeline = page.locator("ol.timeline li").first.inner_text()
    assert "Visit" in timeline and "Walked the warehouse with the buyer" in timeline
    assert "Guðrún Jónsdóttir" in timeline
    page.screenshot(path=shots / "account.png", full_page=True)
    assert sorted(p.name for p in shots.iterdir()) == ["account.png", "accounts.png",
                                                       "dashboard.png"]


def _log_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", "browser-password")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_manager_approves_a_volume_bonus_from_the_dashboard(live_server, page, shots):
    _log_in(page, live_server.url, "boss@test.local")
    page.click("#campaigns >> text=1 awaiting your approval")
    assert "Volume bonus Q1" in page.locator("main").inner_text()
    page.screenshot(path=shots / "approvals.png", full_page=True)
    page.click("button[value=approve]")
    page.wait_for_selector("text=Approved.")
    assert "Nothing is waiting for your approval." in page.locator("main").inner_text()


def _work_off_the_queue(app) -> None:
    """What a worker process would do: run the queued jobs, here, until none is left."""
    from rq import SimpleWorker

    from abm.queue import QUEUES, get_redis

    with app.app_context():
        redis = get_redis(app)
        SimpleWorker([redis.queue(q) for q in QUEUES], connection=redis.connection).work(
            burst=True)
        get_db(app).session.remove()


def test_a_manager_imports_a_file_and_watches_it_finish(live_server, page, shots, tmp_path):
    source = tmp_path / "shipments.csv"
    source.write_text("Document;Date;Account;Revenue\nD9;2026-10-05;C100;1234,50\n"
                      "D10;2026-10-06;C100;oops\n", encoding="utf-8")
    _log_in(page, live_server.url, "boss@test.local")
    page.click("nav >> text=Import")
    page.select_option("#kind", "orders")
    page.set_input_files("#file", str(source))
    page.click("#upload-form button[type=submit]")
    assert page.locator("#preview-rows").inner_text().count("D9") == 1
    assert page.locator("#map-revenue").input_value() == "Revenue"
    page.screenshot(path=shots / "import-preview.png", full_page=True)
    page.click("#mapping-form button[type=submit]")
    page.wait_for_url("**/imports/runs/**")
    _work_off_the_queue(live_server.app)
    page.reload()
    assert page.locator("#import-run").get_attribute("data-status") == "finished"
    assert "Rows with errors" in page.locator("#import-result").inner_text()
    page.screenshot(path=shots / "import-done.png", full_page=True)
    with page.expect_download() as download:
        page.click("text=Download the error report (CSV)")
    assert "oops" in Path(download.value.path()).read_text(encoding="utf-8-sig")


def test_switch_the_interface_to_russian(live_server, page):
    page.goto(f"{live_server.url}/login")
    page.click("button[lang=ru]")
    assert page.locator("h1").inner_text() == "Войти"


def _add_campaign_people(app, smtp_url: str) -> None:
    """A marketing user, two accounts with reachable buyers, and mail going to ``smtp_url``."""
    app.extensions["abm.settings"].smtp_url = smtp_url
    with app.app_context():
        session = get_db(app).session()
        create_user(session, email="mark@test.local", name="Mark Eting", role="marketing",
                    password="browser-password")
        nordic = session.query(Account).filter_by(external_id="C100").one()
        hekla = Account(name="Hekla Hardware", external_id="C200", region="South")
        session.add(hekla)
        session.flush()
        session.add_all([
            Contact(account_id=nordic.id, name="Jón Buyer", role=ContactRole.OWNER,
                    email="jon@nordic.test", marketing_consent=True),
            Contact(account_id=hekla.id, name="Sigga Buyer", role=ContactRole.OWNER,
                    email="sigga@hekla.test", marketing_consent=True)])
        session.commit()
        get_db(app).session.remove()


def test_a_win_back_campaign_from_creation_to_results(live_server, page, shots,
                                                      smtp_server):  # noqa: F811 - imported fixture
    from playwright.sync_api import expect

    base = live_server.url
    _add_campaign_people(live_server.app, smtp_server.url)

    # Marketing: create a win-back campaign, pick its audience, preview it, ask for approval.
    _log_in(page, base, "mark@test.local")
    page.click("nav >> text=Campaigns")
    page.click("text=New campaign")
    page.fill("#name", "Winter win-back")
    page.select_option("#kind", "win_back")
    page.click("#new-campaign button[type=submit]")
    page.wait_for_url("**/audience")
    page.fill("#picked", "C100, C200")
    expect(page.locator("#live-contacts")).to_have_text("2")  # counted live, not saved yet
    assert page.locator("#live-accounts").inner_text() == "2"
    page.fill("#picked", "C100, NOPE")
    page.wait_for_selector("#audience-error:not([hidden])")
    assert "NOPE" in page.locator("#audience-error").inner_text()
    page.fill("#picked", "C100, C200")
    page.wait_for_selector("#audience-error", state="hidden")
    page.screenshot(path=shots / "campaign-audience.png", full_page=True)
    page.click("#audience-form button[type=submit]")
    page.wait_for_selector("text=Audience saved.")
    page.fill("#holdout_percent", "50")
    page.fill("#title", "Come back for 5% off")
    page.click("#offer-form button[type=submit]")
    page.wait_for_selector("text=Saved.")

    page.click("text=Edit the template")
    page.fill("#account", "C100")
    page.fill("#subject", "We miss you, {{ account.name }}")
    expect(page.locator("#preview-subject")).to_have_text("We miss you, Nordic Tools ehf.")
    page.fill("#subject", "We miss you, {{ account.name")
    page.wait_for_selector("#preview-error:not([hidden])")
    assert "subject (line 1)" in page.locator("#preview-error").inner_text()
    page.fill("#subject", "We miss you, {{ account.name }}")
    page.wait_for_selector("#preview-error", state="hidden")
    assert "Come back for 5% off" in page.frame_locator("#preview-html").locator(
        "body").inner_text()
    page.screenshot(path=shots / "campaign-template.png", full_page=True)
    page.click("button[value=save]")
    page.wait_for_selector("text=Template saved.")
    page.click(".crumbs >> text=Winter win-back")
    page.click("#submit-form button")
    page.wait_for_selector("text=Sent for approval")
    assert page.locator("#campaign-status").get_attribute("data-status") == "pending_approval"
    page.screenshot(path=shots / "campaign.png", full_page=True)
    page.click("text=Log out")

    # Manager: approve it in the inbox, then send it now.
    _log_in(page, base, "boss@test.local")
    page.click("nav >> text=Approvals")
    card = page.locator("section.card", has_text="Winter win-back")
    card.locator("button[value=approve]").click()
    page.wait_for_selector("text=Approved.")
    page.click("nav >> text=Campaigns")
    page.click("#campaigns >> text=Winter win-back")
    page.click("#schedule-form button[type=submit]")
    page.wait_for_selector("text=Scheduled: a worker sends it.")
    assert page.locator("#progress").is_visible()

    # A real RQ worker delivers it to the SMTP server on loopback.
    _work_off_the_queue(live_server.app)
    assert len(smtp_server.messages) == 1  # one account of two is held out
    to, raw = smtp_server.messages[0]
    assert to in ("jon@nordic.test", "sigga@hekla.test")
    assert b"We miss you" in raw or b"=?utf-8?" in raw
    page.reload()
    assert page.locator("#campaign-status").get_attribute("data-status") == "done"
    assert page.locator("#progress").get_attribute("data-percent") == "100"
    page.screenshot(path=shots / "campaign-delivered.png", full_page=True)

    page.click("text=Results")
    assert page.locator("#r-sent").inner_text() == "1"
    assert page.locator("#r-bounced").inner_text() == "0"
    rows = page.locator("#per-account tbody tr")
    assert rows.count() == 2
    assert "held out" in page.locator("#per-account").inner_text()
    page.screenshot(path=shots / "campaign-results.png", full_page=True)
    assert sorted(p.name for p in shots.iterdir()) == [
        "campaign-audience.png", "campaign-delivered.png", "campaign-results.png",
        "campaign-template.png", "campaign.png"]


def _add_admin_and_people(app) -> None:
    """An admin (the longest menu) and a decision-making unit of several people."""
    with app.app_context():
        session = get_db(app).session()
        create_user(session, email="admin@test.local", name="Anna Administrator", role="admin",
                    password="browser-password")
        nordic = session.query(Account).filter_by(external_id="C100").one()
        for first, role in (("Sigurður", ContactRole.OWNER), ("Þórunn", ContactRole.TECHNICAL),
                            ("Kristján", ContactRole.LOGISTICS)):
            session.add(Contact(account_id=nordic.id, name=f"{first} Guðmundsson", role=role,
                                position="Head of purchasing and logistics",
                                email=f"{first.lower()}.gudmundsson@nordic-tools.example.is",
                                phone="+354 555 1234", birthday=date(1980, 3, 8)))
        session.commit()
        get_db(app).session.remove()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_page_is_wider_than_the_window(live_server, browser, language):
    _add_admin_and_people(live_server.app)
    base = live_server.url
    with live_server.app.app_context():
        account_id = get_db(live_server.app).session().query(Account).filter_by(
            external_id="C100").one().id
        get_db(live_server.app).session.remove()
    pages = {"/": (), "/accounts/": ("#accounts",), "/accounts/?sort=-share": ("#accounts",),
             f"/accounts/{account_id}": ("#contacts",), "/approvals/": (), "/imports/": (),
             "/campaigns/": (), "/tasks": (), "/admin/users": ()}
    for width in WINDOW_WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/login")
        if language == "ru":
            page.click("button[lang=ru]")
        _log_in(page, base, "admin@test.local")
        for path, unclipped in pages.items():
            page.goto(base + path)
            assert page.locator("html").get_attribute("lang") == language
            assert_fits_the_window(page, *unclipped)
        context.close()
