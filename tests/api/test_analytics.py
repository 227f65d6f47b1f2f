"""The analytics, segments and potential endpoints of the API."""

from __future__ import annotations

from datetime import date

import pytest

from abm.analytics.models import Alert, AlertKind
from abm.runs.models import JobRun
from tests.analytics.shop import PERIOD, Shop, months_of


@pytest.fixture
def shares(session, book):
    """October 2026 back a year: "own" brings 60%, "rival" 30%, "own2" 10%."""
    shop = Shop(session)
    for account, amount in ((book["own"], 600), (book["rival"], 300), (book["own2"], 100)):
        shop.monthly(account.id, dict.fromkeys(PERIOD, amount))
    shop.refresh()
    session.commit()
    return book


def test_concentration_flags_shares_and_pages_the_accounts(api, shares):
    response = api.as_("marketing").get("/analytics/concentration?end=2026-10&limit=2")
    assert response.status_code == 200
    body = response.get_json()
    assert body["period"] == {"start": "2025-11", "end": "2026-10", "months": 12,
                              "xyz_months": None}
    assert body["flags"]["mono_client"] == [shares["own"].id]
    assert body["flags"]["dependency"] == [shares["own"].id, shares["rival"].id]
    assert [a["share"] for a in body["accounts"]] == [0.6, 0.3]
    assert body["accounts"][0]["reasons"]
    rest = api.as_("marketing").get(
        f"/analytics/concentration?end=2026-10&limit=2&cursor={body['next_cursor']}").get_json()
    assert [a["account_id"] for a in rest["accounts"]] == [shares["own2"].id]
    assert rest["next_cursor"] is None


def test_pareto_lists_the_core(api, shares):
    body = api.as_("manager").get("/analytics/pareto?end=2026-10").get_json()
    assert [a["account_id"] for a in body["core"]] == [shares["own"].id, shares["rival"].id]
    assert body["pareto"]["core_accounts"] == 2


def test_the_top_n_report_ranks_by_average_monthly_shipments(api, shares):
    body = api.as_("manager").get("/analytics/key-accounts?month=2026-10&top=2").get_json()
    assert [r["account_id"] for r in body["rows"]] == [shares["own"].id, shares["rival"].id]
    assert body["rows"][0]["average"] == 600
    assert body["months"] == ["2026-08", "2026-09", "2026-10"]


def test_abc_xyz_puts_steady_big_accounts_in_ax(api, shares):
    body = api.as_("marketing").get("/analytics/abc-xyz?end=2026-10").get_json()
    assert shares["own"].id in body["matrix"]["AX"]["accounts"]
    assert {a["cell"] for a in body["accounts"]} <= set(body["matrix"])


def test_sales_may_not_read_company_wide_figures(api, shares):
    for path in ("/analytics/concentration", "/analytics/pareto", "/analytics/key-accounts",
                 "/analytics/abc-xyz"):
        assert api.as_("sales").get(path).status_code == 403, path


def test_a_malformed_month_is_a_clear_422(api):
    response = api.as_("manager").get("/analytics/concentration?end=2026-13")
    assert response.status_code == 422
    assert response.get_json()["details"][0]["field"] == "end"


@pytest.fixture
def alerts(session, book):
    made = {name: Alert(account_id=book[name].id, kind=AlertKind.NO_SHIPMENTS, cause="2026-10",
                        details={"month": "2026-10"})
            for name in ("own", "rival")}
    session.add_all(made.values())
    session.commit()
    return made


def test_sales_see_and_work_only_the_alerts_of_their_accounts(api, alerts):
    listed = api.as_("sales").get("/analytics/alerts").get_json()["items"]
    assert [a["id"] for a in listed] == [alerts["own"].id]
    hidden = api.as_("sales").post(f"/analytics/alerts/{alerts['rival'].id}/acknowledge",
                                   json={})
    assert hidden.status_code == 404
    assert len(api.as_("manager").get("/analytics/alerts").get_json()["items"]) == 2


def test_an_alert_is_acknowledged_then_resolved_with_its_history(api, alerts, users):
    path = f"/analytics/alerts/{alerts['own'].id}"
    acknowledged = api.as_("sales").post(f"{path}/acknowledge", json={"note": "calling"})
    assert acknowledged.get_json()["status"] == "acknowledged"
    assert api.as_("sales").post(f"{path}/acknowledge", json={}).status_code == 409
    resolved = api.as_("sales").post(f"{path}/resolve", json={}).get_json()
    assert resolved["status"] == "resolved"
    assert [h["action"] for h in resolved["history"]] == ["acknowledged", "resolved"]
    assert resolved["history"][0]["user_id"] == users["sales"].id
    assert api.as_("sales").get("/analytics/alerts").get_json()["items"] == []
    done = api.as_("sales").get("/analytics/alerts?status=resolved").get_json()["items"]
    assert [a["id"] for a in done] == [alerts["own"].id]


def test_marketing_reads_alerts_but_does_not_change_them(api, alerts):
    assert api.as_("marketing").get("/analytics/alerts").status_code == 200
    assert api.as_("marketing").post(f"/analytics/alerts/{alerts['own'].id}/resolve",
                                     json={}).status_code == 403


def test_the_win_back_list_shows_silent_accounts_to_their_owner(api, session, book):
    shop = Shop(session)
    for name in ("own", "rival"):
        shop.monthly(book[name].id, dict.fromkeys(months_of(2025, 1, 6), 500))
    shop.monthly(book["own2"].id, dict.fromkeys(PERIOD, 100))  # silence counts up to its last
    shop.refresh()
    session.commit()
    mine = api.as_("sales").get("/analytics/win-back").get_json()["items"]
    assert [(r["account_id"], r["state"]) for r in mine] == [(book["own"].id, "lost")]
    assert mine[0]["reasons"] and mine[0]["last_purchase_on"] == "2025-06-10"
    # Each reason as a stable code and its figures, beside its English words.
    assert [r["code"] for r in mine[0]["reasons"]] == ["silence_lost", "at_stake"]
    assert all(r["text"] for r in mine[0]["reasons"])
    everyone = api.as_("manager").get("/analytics/win-back").get_json()["items"]
    assert {r["account_id"] for r in everyone} == {book["own"].id, book["rival"].id}


def test_segments_before_the_first_run_are_not_found(api):
    response = api.as_("marketing").get("/segments")
    assert response.status_code == 404
    assert "POST /segments/runs" in response.get_json()["message"]


def test_a_segmentation_starts_in_the_background(api, session, users):
    response = api.as_("marketing").post("/segments/runs", json={"k": 3})
    assert response.status_code == 202
    run = session.get(JobRun, response.get_json()["run_id"])
    assert run.kind == "segmentation" and run.created_by_id == users["marketing"].id
    assert api.as_("sales").post("/segments/runs", json={}).status_code == 403


def test_management_refreshes_the_analytics_in_the_background(api, session, users, run_jobs):
    response = api.as_("manager").post("/analytics/refresh")
    assert response.status_code == 202
    run_id = response.get_json()["run_id"]
    assert session.get(JobRun, run_id).created_by_id == users["manager"].id
    assert api.as_("admin").post("/analytics/refresh").get_json()["run_id"] == run_id  # waiting
    run_jobs(["analytics"])
    assert api.as_("manager").get(f"/runs/{run_id}").get_json()["status"] == "finished"


def test_sales_and_marketing_cannot_refresh_the_analytics(api, users):
    for role in ("sales", "marketing"):
        assert api.as_(role).post("/analytics/refresh").status_code == 403


def test_potential_of_an_account_not_scored_is_not_found(api, book):
    response = api.as_("sales").get(f"/accounts/{book['own'].id}/potential")
    assert response.status_code == 404
    assert "potential" in response.get_json()["message"]
    assert api.as_("sales").get(f"/accounts/{book['rival'].id}/potential").status_code == 404


def test_potential_and_segments_after_a_run(api, session, book, run_jobs):
    shop = Shop(session)
    accounts = [shop.account(f"Seg {i}") for i in range(24)]
    for i, account in enumerate(accounts):
        # Three kinds of buyers: steady big ones, occasional ones, and some that went silent.
        months = months_of(2025, 1, 18) if i % 3 == 0 else months_of(2025, 1, 18)[::3]
        if i % 3 == 2:
            months = months_of(2025, 1, 6)
        for month in months:
            shop.line(account, month.replace(day=5 + i % 7), 100 + 50 * (i % 5))
            shop.line(account, month.replace(day=20), 80 + 10 * (i % 4))
    shop.refresh()
    session.commit()
    run_id = api.as_("manager").post("/segments/runs", json={"k": 3}).get_json()["run_id"]
    run_jobs()
    run = api.as_("manager").get(f"/runs/{run_id}").get_json()
    assert run["status"] == "finished", run
    latest = api.as_("manager").get("/segments").get_json()
    assert latest["k"] == 3 and sum(s["size"] for s in latest["segments"]) == 24
    segment = latest["segments"][0]
    members = api.as_("manager").get(f"/segments/{segment['id']}/accounts?limit=200").get_json()
    assert len(members["items"]) == segment["size"]
    potential = api.as_("manager").get(f"/accounts/{accounts[0]}/potential").get_json()
    assert potential["kind"] == "customer" and 0 <= potential["p_alive"] <= 1
    assert date.fromisoformat(potential["calibration_end"]) == date(2026, 6, 20)
