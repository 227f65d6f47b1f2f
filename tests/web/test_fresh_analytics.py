"""Every import leaves the analytics current: through the web, the API and the command line.

Until the refresh an import started has stored its figures, the dashboard shows
the previous ones, all of one day: never new revenue bars beside stale shares.
"""

import io
import json
import re
from datetime import date

import pytest

from abm.accounts.models import Account
from abm.analytics.periods import last_full_month
from abm.cli import cli
from abm.users.tokens import issue_token

MONTH = last_full_month(date.today())  # the refresh after an import runs as of today


def _orders(*lines: tuple[str, str, int]) -> str:
    """An orders file: (document, account code, revenue), shipped in the last full month."""
    day = MONTH.replace(day=10).isoformat()
    return "document,date,account,quantity,revenue\n" + "".join(
        f"{doc},{day},{account},1,{revenue}\n" for doc, account, revenue in lines)


FIRST = _orders(("N1", "X1", 8000), ("N2", "Y1", 2000))
SECOND = _orders(("N3", "Y1", 6000))


@pytest.fixture
def accounts(session, users):
    session.add_all([Account(name="Xylo Customer", external_id="X1"),
                     Account(name="Yarrow Customer", external_id="Y1")])
    session.commit()


def _dashboard(client) -> str:
    return client.get("/").get_data(as_text=True)


def _upload(client, text: str) -> str:
    """Upload and confirm an orders file through the import page; returns the run page."""
    response = client.post("/imports/", data={"kind": "orders",
                                              "file": (io.BytesIO(text.encode()), "orders.csv")},
                           content_type="multipart/form-data")
    token = re.search(r"/imports/(\w+)\?", response.location).group(1)
    return client.post(f"/imports/{token}", data={"kind": "orders"}).location


def _assert_first_figures(page: str) -> None:
    assert "€10,000.00" in page and "€16,000.00" not in page  # the bars
    assert "Xylo Customer</a>: 80.0% of revenue" in page  # its share, flagged mono-client


def _assert_second_figures(page: str) -> None:
    assert "€16,000.00" in page and "€10,000.00" not in page
    assert "Xylo Customer</a>: 50.0% of revenue" in page
    assert "Yarrow Customer</a>: 50.0% of revenue" in page


def test_a_web_import_leaves_current_shares_on_the_dashboard(client, login, accounts,
                                                             run_jobs):
    login("manager")
    _upload(client, FIRST)
    run_jobs()
    _assert_first_figures(_dashboard(client))
    _upload(client, SECOND)
    run_jobs(["imports"])
    waiting = _dashboard(client)
    _assert_first_figures(waiting)  # the bars wait for the shares
    assert 'id="refreshing"' in waiting
    run_jobs(["analytics"])
    page = _dashboard(client)
    _assert_second_figures(page)
    assert 'id="refreshing"' not in page


def test_an_api_import_leaves_current_shares_on_the_dashboard(client, session, login, users,
                                                              accounts, run_jobs):
    token = issue_token(session, users["manager"].id, "import")[1]
    session.commit()

    def upload(text: str) -> dict:
        response = client.post("/api/v1/imports/orders", data=text.encode(),
                               headers={"Authorization": f"Bearer {token}",
                                        "Content-Type": "text/csv"})
        assert response.status_code == 202
        return response.get_json()

    upload(FIRST)
    run_jobs()
    started = upload(SECOND)
    run_jobs(["imports"])
    run = client.get(started["status_url"], headers={"Authorization": f"Bearer {token}"})
    refresh_run = run.get_json()["result"]["refresh_run_id"]
    assert refresh_run
    login("manager")
    _assert_first_figures(_dashboard(client))
    run_jobs(["analytics"])
    _assert_second_figures(_dashboard(client))
    refresh = client.get(f"/api/v1/runs/{refresh_run}",
                         headers={"Authorization": f"Bearer {token}"}).get_json()
    assert refresh["status"] == "finished" and refresh["message"] == "done"


def test_a_command_line_import_refreshes_the_analytics_itself(client, runner, login, accounts,
                                                              tmp_path):
    for name, text in (("first.csv", FIRST), ("second.csv", SECOND)):
        path = tmp_path / name
        path.write_text(text)
        result = runner.invoke(cli, ["import", "orders", str(path)])
        assert result.exit_code == 0, result.output
        assert "analytics 4/4: storing the figures" in result.stderr
    login("manager")
    _assert_second_figures(_dashboard(client))


def test_the_command_line_reports_the_refresh_in_its_json(runner, accounts, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(FIRST)
    result = runner.invoke(cli, ["import", "orders", str(path), "--format", "json"])
    data = json.loads(result.stdout)
    assert (data["created"], data["error_count"]) == (2, 0)
    assert data["analytics"]["accounts"] == 2
    assert data["analytics"]["reports"]["month"] == MONTH.isoformat()


def test_the_command_line_can_leave_the_refresh_for_later(client, runner, login, accounts,
                                                          tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(FIRST)
    result = runner.invoke(cli, ["import", "orders", str(path), "--no-refresh",
                                 "--format", "json"])
    assert json.loads(result.stdout)["analytics"] is None
    login("manager")
    assert 'id="no-analytics"' in _dashboard(client)
