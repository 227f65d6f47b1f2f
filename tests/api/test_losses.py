"""Marking accounts lost or won back through the API, and the lost-revenue report."""


def test_a_manager_marks_an_account_lost_and_reads_the_report(api, book):
    manager = api.as_("manager")
    response = manager.post(f"/accounts/{book['own'].id}/loss", json={
        "action": "lost", "reason": "competitor", "note": "went to Rival Ltd",
        "on": "2026-09-03"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["reason"] == "competitor"
    [mark] = manager.get(f"/accounts/{book['own'].id}/losses").get_json()["items"]
    assert mark["occurred_on"] == "2026-09-03" and mark["note"] == "went to Rival Ltd"
    [row] = manager.get("/analytics/losses?by=quarter").get_json()["items"]
    assert (row["period"], row["reason"], row["accounts"]) == ("2026-Q3", "competitor", 1)


def test_a_reason_outside_the_list_is_422(api, book):
    response = api.as_("manager").post(f"/accounts/{book['own'].id}/loss",
                                       json={"action": "lost", "reason": "weather"})
    assert response.status_code == 422


def test_a_sales_user_cannot_mark_someone_elses_account(api, book):
    response = api.as_("sales").post(f"/accounts/{book['rival'].id}/loss",
                                     json={"action": "lost", "reason": "price"})
    assert response.status_code == 404


def test_the_report_keeps_to_the_months_asked(api, book):
    manager = api.as_("manager")
    for day in ("2026-08-31", "2026-09-01"):
        manager.post(f"/accounts/{book['own'].id}/loss",
                     json={"action": "lost", "reason": "price", "on": day})
    rows = manager.get("/analytics/losses?first=2026-09&last=2026-09").get_json()["items"]
    assert [r["period"] for r in rows] == ["2026-09"]
    assert manager.get("/analytics/losses?last=0").status_code == 422
