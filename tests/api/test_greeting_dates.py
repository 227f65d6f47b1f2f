"""The greeting dates API: managers keep the workspace's own dates, with the same rules."""


def test_a_manager_keeps_dates_and_marketing_reads_them(api, book):
    created = api.as_("manager").post("/greeting-dates", json={
        "name": "Ten years together", "month": 9, "day": 1, "account_id": book["own"].id})
    assert created.status_code == 201, created.get_json()
    date_id = created.get_json()["id"]
    listed = api.as_("marketing").get("/greeting-dates").get_json()["items"]
    assert [(d["name"], d["account_name"]) for d in listed] == [("Ten years together",
                                                                  "Own Customer")]
    changed = api.as_("manager").open("PUT", f"/greeting-dates/{date_id}", json={
        "name": "Eleven years together", "month": 9, "day": 1})
    assert changed.status_code == 200 and changed.get_json()["account_id"] is None
    assert api.as_("marketing").delete(f"/greeting-dates/{date_id}").status_code == 403
    assert api.as_("manager").delete(f"/greeting-dates/{date_id}").status_code == 204
    assert api.as_("manager").delete(f"/greeting-dates/{date_id}").status_code == 404


def test_a_day_that_is_not_one_is_refused(api, book):
    response = api.as_("manager").post("/greeting-dates", json={"name": "Never", "month": 2,
                                                                "day": 30})
    assert response.status_code == 422
    assert "not a day of the year" in response.get_json()["message"]
