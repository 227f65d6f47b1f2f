"""The dashboard: revenue, then the analytics panels once a refresh has stored labels."""

from datetime import date

import pytest
from sqlalchemy import func, select

from abm.analytics import jobs as analytics_jobs
from abm.analytics.company import refresh_company_figures
from abm.analytics.jobs import start_refresh
from abm.analytics.models import AccountAnalytics, CompanyFigures
from abm.analytics.refresh import refresh_analytics
from abm.analytics.topn import build_key_account_report
from abm.imports.jobs import start_import
from abm.runs.models import JobRun
from abm.runs.services import enqueue_tracked
from abm.sales.models import MonthlyAccountSales
from abm.web import dashboard_panels

TODAY = date(2026, 11, 15)


@pytest.fixture
def analysed(session, book):
    """The book with a large rival account, analysed as of mid-November 2026."""
    session.add_all([
        MonthlyAccountSales(account_id=book["rival"].id, month=date(2026, m, 1),
                            revenue=9000.0 + (m % 3) * 2000, margin=900.0)
        for m in range(1, 11)
    ])
    session.flush()
    refresh_analytics(session, today=TODAY)
    build_key_account_report(session, today=TODAY)
    session.commit()
    return book


def test_before_any_refresh_the_dashboard_says_how_to_get_analytics(client, login, book):
    login("manager")
    page = client.get("/").get_data(as_text=True)
    assert 'id="no-analytics"' in page
    assert 'id="concentration"' not in page and 'id="abc-xyz"' not in page
    assert "<rect " in page  # the revenue chart is there all the same


def test_the_dashboard_shows_concentration_pareto_and_the_matrix(client, login, analysed):
    login("manager")
    page = client.get("/").get_data(as_text=True)
    for section in ("concentration", "pareto", "abc-xyz", "top-n", "alerts", "win-back"):
        assert f'id="{section}"' in page
    assert 'id="hhi"' in page
    assert "Mono-client risk" in page  # the rival brings about two thirds of revenue
    assert 'href="/accounts/?cell=AX"' in page


def test_a_sales_user_sees_only_their_accounts_in_the_panels(client, login, analysed):
    login("sales")
    page = client.get("/").get_data(as_text=True)
    assert 'id="concentration"' in page
    assert "Rival Customer" not in page
    assert "Own Customer" in page


def test_a_failing_panel_leaves_the_rest_of_the_page(client, login, analysed, monkeypatch,
                                                     caplog):
    def broken(session, viewer, cache):
        raise RuntimeError("service under construction")

    monkeypatch.setitem(dashboard_panels.PANELS, "abc_xyz", broken)
    login("manager")
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="abc-xyz"' not in page and 'id="concentration"' in page
    assert "dashboard panel broken failed" in caplog.text


def test_a_matrix_cell_lists_its_accounts(client, session, login, analysed):
    labels = session.get(AccountAnalytics, analysed["rival"].id)
    login("manager")
    listing = client.get(f"/accounts/?cell={labels.abc}{labels.xyz}").get_data(as_text=True)
    assert "Rival Customer" in listing
    assert "Free Prospect" not in listing


def test_an_unknown_cell_is_ignored(client, login, analysed):
    login("manager")
    listing = client.get("/accounts/?cell=QQ").get_data(as_text=True)
    assert "Free Prospect" in listing


def test_the_account_page_explains_its_labels(client, login, analysed):
    login("manager")
    page = client.get(f"/accounts/{analysed['rival'].id}").get_data(as_text=True)
    assert 'id="analytics"' in page
    assert "Key account" in page
    assert "key by share" in page  # the reason, with its figures


def test_the_page_shows_the_stored_company_figures(client, session, login, book):
    refresh_company_figures(session)
    session.commit()
    login("manager")
    assert "Oct 2026: €10,000" in client.get("/").get_data(as_text=True)
    session.get(MonthlyAccountSales, (book["own"].id, date(2026, 10, 1))).revenue = 12_345.0
    session.commit()
    assert "Oct 2026: €10,000" in client.get("/").get_data(as_text=True)  # not summed per view


def test_an_import_stores_new_company_figures(client, session, login, book, tmp_path, run_jobs):
    refresh_company_figures(session)
    session.commit()
    path = tmp_path / "orders.csv"
    path.write_text("document,date,account,quantity,revenue\nN1,2026-10-20,C1,1,2345\n")
    start_import(str(path), "orders")
    run_jobs()
    login("manager")
    page = client.get("/").get_data(as_text=True)
    assert "Oct 2026: €2,345" in page  # C1's October, now summed from its order lines


def test_an_analytics_refresh_stores_new_company_figures(client, session, login, book,
                                                         run_jobs):
    refresh_company_figures(session)
    session.commit()
    login("manager")
    assert 'id="no-analytics"' in client.get("/").get_data(as_text=True)
    session.get(MonthlyAccountSales, (book["own"].id, date(2026, 10, 1))).revenue = 12_345.0
    session.commit()
    enqueue_tracked(analytics_jobs.refresh_analytics, TODAY.isoformat(), queue="analytics")
    run_jobs()
    page = client.get("/").get_data(as_text=True)
    assert 'id="concentration"' in page and 'id="no-analytics"' not in page
    assert "Oct 2026: €12,345" in page


def test_without_stored_figures_the_page_sums_them_up_itself(client, session, login, book):
    login("manager")
    assert session.scalar(select(func.count()).select_from(CompanyFigures)) == 0
    assert "Oct 2026: €10,000" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_management_refreshes_the_analytics_with_a_button(client, session, login, book,
                                                          run_jobs, role):
    login(role)
    assert 'id="refresh-analytics"' in client.get("/").get_data(as_text=True)
    response = client.post("/analytics/refresh")
    assert response.status_code == 302 and "/analytics/refresh/" in response.location
    waiting = client.get(response.location).get_data(as_text=True)
    assert 'data-status="queued"' in waiting and 'http-equiv="refresh"' in waiting
    run_jobs(["analytics"])
    done = client.get(response.location).get_data(as_text=True)
    assert 'data-status="finished"' in done and 'http-equiv="refresh"' not in done
    assert "Analytics are up to date" in done
    assert 'id="concentration"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["sales", "marketing"])
def test_sales_and_marketing_cannot_refresh_the_analytics(client, session, login, book, role):
    login(role)
    assert 'id="refresh-analytics"' not in client.get("/").get_data(as_text=True)
    assert client.post("/analytics/refresh").status_code == 403
    assert session.scalar(select(func.count()).select_from(JobRun)) == 0


def test_a_second_click_while_the_refresh_waits_follows_the_same_one(client, login, book):
    login("manager")
    first = client.post("/analytics/refresh").location
    assert client.post("/analytics/refresh").location == first


def test_the_refresh_page_shows_only_refresh_runs(client, login, book):
    login("manager")
    run_id = start_import("orders.csv", "orders")
    assert client.get(f"/analytics/refresh/{run_id}").status_code == 404
    assert client.get("/analytics/refresh/nothing").status_code == 404


def test_everyone_is_told_while_the_analytics_are_being_refreshed(client, login, book,
                                                                  run_jobs):
    run_id = start_refresh(today=TODAY.isoformat())
    login("sales")
    page = client.get("/").get_data(as_text=True)
    assert 'id="refreshing"' in page and "figures update when it finishes" in page
    assert f"/analytics/refresh/{run_id}" not in page  # the progress page is management's
    client.post("/logout")
    login("manager")
    assert f"/analytics/refresh/{run_id}" in client.get("/").get_data(as_text=True)
    run_jobs(["analytics"])
    assert 'id="refreshing"' not in client.get("/").get_data(as_text=True)


def test_the_notice_speaks_russian(client, login, book):
    start_refresh(today=TODAY.isoformat())
    login("manager")
    page = client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Аналитика пересчитывается" in page and "Пересчитать аналитику" in page


def test_the_open_alerts_panel_leads_to_the_whole_list(client, login, session, analysed):
    from abm.analytics.models import Alert, AlertKind

    session.add_all(Alert(account_id=analysed["own"].id, kind=AlertKind.NO_SHIPMENTS,
                          cause=f"2025-{m:02d}", details={"month": f"2025-{m:02d}"})
                    for m in range(1, 13))
    session.commit()
    login("manager")
    page = client.get("/").get_data(as_text=True)
    panel = page.split('id="alerts"')[1].split("</section>")[0]
    assert '<a href="/alerts/">' in panel and "more</a>" in panel
    assert page.count('<li id="alert-') == dashboard_panels.LIST_LIMIT
