"""A new user's first hour, through the running product: log in, read, work, export, stop."""

from __future__ import annotations

import re
import signal
import socket
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import finish, start_server

ROLES = ("admin", "manager", "marketing", "sales")
MAIN_PAGES = ("/", "/accounts/", "/tasks", "/campaigns/", "/segments/", "/imports/",
              "/approvals/")


def test_every_demo_login_is_printed_and_works(served, visit):
    assert set(served.logins) == set(ROLES)
    for role in ROLES:
        started = time.monotonic()
        page = visit(role).page
        assert time.monotonic() - started < 10, f"{role} took long to log in"
        assert page.locator("h1").inner_text() == "Dashboard"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_main_pages_open_for_a_manager_without_errors_or_overflow(served, visit, lang):
    visitor = visit("manager", lang=lang)
    for path in MAIN_PAGES:
        visitor.go(path)
        name = path.strip("/").replace("/", "-") or "dashboard"
        visitor.shot(name)
        for width in (1366, 1024):
            visitor.page.set_viewport_size({"width": width, "height": 900})
            assert visitor.overflow() == 0, f"{path} in {lang} overflows at {width} px"
        visitor.page.set_viewport_size({"width": 1366, "height": 900})
    assert visitor.errors == []


def test_an_export_is_followed_at_once_by_a_write(served, visit):
    visitor = visit("manager")
    page = visitor.page
    visitor.go("/accounts/")
    with page.expect_download() as download:
        page.click("text=Download CSV")
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("id,external_id,name") and len(lines) > 100
    # The export's own reading has ended: a write right after it does not wait for a lock.
    page.click("#accounts tbody tr >> nth=0 >> a")
    started = time.monotonic()
    _log_interaction(page, "call", "Called after the export")
    assert time.monotonic() - started < 5


def _log_interaction(page, kind: str, text: str) -> None:
    page.select_option("#interaction-kind", kind)
    page.fill("#interaction-text", text)
    page.click("#log-interaction button[type=submit]")
    page.wait_for_selector("text=Interaction logged.")
    assert text in page.locator("ol.timeline li").first.inner_text()


def _account_ids(page) -> list[int]:
    hrefs = page.eval_on_selector_all("#accounts tbody a", "els => els.map(e => e.href)")
    return sorted({int(m.group(1)) for h in hrefs if (m := re.search(r"/accounts/(\d+)$", h))})


def test_a_visit_a_task_for_a_salesperson_and_a_comment(served, visit):
    sales_name = "Sergei Sales"
    manager = visit("manager").page
    manager.goto(served.url + "/accounts/")
    manager.select_option("#owner", label=sales_name)
    manager.click("form.filters button[type=submit]")
    manager.click("#accounts tbody tr >> nth=0 >> a")
    _log_interaction(manager, "visit", "Walked the warehouse with the buyer")
    manager.fill("#task-title", "Send the new price list")
    manager.select_option("#task-assignee_id", label=sales_name)
    manager.click("#new-task button[type=submit]")
    task = manager.locator("li.task", has_text="Send the new price list")
    task.locator("input[name=comment-text]").fill("They asked for it at the visit")
    task.locator("button", has_text="Add").click()
    assert "They asked for it at the visit" in manager.locator(
        "li.task", has_text="Send the new price list").inner_text()

    sales = visit("sales").page
    sales.goto(served.url + "/tasks")
    assert "Send the new price list" in sales.locator("#my-tasks").inner_text()


def test_a_salesperson_is_refused_other_peoples_accounts_and_the_approvals(served, visit):
    manager = visit("manager").page
    manager.goto(served.url + "/accounts/?sort=name")
    everyone = _account_ids(manager)
    sales = visit("sales")
    sales.go("/accounts/?sort=name")
    own = _account_ids(sales.page)
    others = [i for i in everyone if i not in own]
    assert others, "the manager sees accounts the salesperson does not own"
    assert sales.page.goto(f"{served.url}/accounts/{others[0]}").status == 404
    assert sales.page.goto(f"{served.url}/approvals/").status == 403
    assert sales.page.goto(f"{served.url}/imports/").status == 403


def test_the_interface_speaks_russian(served, visit):
    page = visit("manager", lang="ru").page
    assert page.locator("h1").inner_text() == "Сводка"
    assert page.locator("nav").inner_text().count("Клиенты") == 1


def _hold_a_request_open(url: str) -> socket.socket:
    """A client that sent half of its request: the server's thread waits on it."""
    host, port = url.removeprefix("http://").split(":")
    client = socket.create_connection((host, int(port)))
    client.sendall(b"GET /login HTTP/1.1\r\nHost: abm\r\n")
    return client


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_everything_within_ten_seconds_even_mid_request(tmp_path, signum):
    server = start_server(tmp_path / "instance", demo=False)
    client = _hold_a_request_open(server.url)
    try:
        # SIGTERM comes to the process alone (a supervisor); Ctrl-C to its whole group.
        took = finish(server, signum) if signum == signal.SIGINT else _terminate(server)
    finally:
        client.close()
    assert took < 10, f"stopping took {took:.1f} s"
    assert server.process.returncode is not None


def _terminate(server) -> float:
    took = server.stop(signal.SIGTERM, group=False)
    assert not server.leftovers(), server.output()[-2000:]
    if server.drop_database is not None:
        server.drop_database()
    return took


def _one_c_export(path: Path, day: date, *, broken: bool) -> Path:
    """What 1C writes: Windows-1251, semicolons, decimal commas, a counterparty column."""
    stamp = day.strftime("%d.%m.%Y")
    rows = ["Документ;Дата;Контрагент;Номенклатура;Количество;Сумма",
            f"РН-901;{stamp};ООО Ромашка;Плёнка стрейч;120;48 000 000,00",
            f"РН-902;{stamp};ООО Ромашка;Скотч упаковочный;40;2 500 000,50"]
    if broken:
        rows.append(f"РН-903;{stamp};ООО Ромашка;Скотч;1;двадцать")
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1251"))
    return path


def _upload(page, base: str, source: Path) -> dict[str, str]:
    page.goto(base + "/imports/")
    page.select_option("#kind", "orders")
    page.set_input_files("#file", str(source))
    page.click("#upload-form button[type=submit]")
    assert "РН-901" in page.locator("#preview-rows").inner_text()
    assert page.locator("#map-revenue").input_value() == "Сумма"
    page.click("#mapping-form button[type=submit]")
    page.wait_for_url("**/imports/runs/**")
    # The import runs in the server's worker, then the analytics refresh it started.
    page.wait_for_selector("#import-run[data-status=finished]", timeout=60_000)
    if page.locator("#analytics-refresh").count():
        page.wait_for_selector("#analytics-refresh[data-status=finished]", timeout=90_000)
    facts = page.locator("#import-result dt").all_inner_texts()
    values = page.locator("#import-result dd").all_inner_texts()
    return dict(zip(facts, values, strict=True))


def test_a_1c_export_is_imported_reported_reimported_and_the_dashboard_follows(
        served, visit, tmp_path):
    visitor = visit("manager")
    page = visitor.page
    last_month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=15)
    first = _upload(page, served.url, _one_c_export(tmp_path / "1c.csv", last_month, broken=True))
    assert (first["Created"], first["Rows with errors"]) == ("2", "1")
    assert "двадцать" in page.locator("#row-errors").inner_text()
    visitor.shot("import-done")
    with page.expect_download() as download:
        page.click("text=Download the error report (CSV)")
    report = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "двадцать" in report and "4" in report.splitlines()[1]  # the line of the file

    # The same file again: nothing new, nothing doubled.
    again = _upload(page, served.url, _one_c_export(tmp_path / "1c.csv", last_month, broken=True))
    assert (again["Created"], again["Unchanged"]) == ("0", "2")

    # The dashboard shows the new account among the key accounts, its share current.
    page.goto(served.url + "/")
    assert page.locator("#refreshing").count() == 0
    assert "ООО Ромашка" in page.locator("#concentration").inner_text()
    visitor.shot("dashboard-after-import")
