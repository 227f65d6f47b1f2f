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


def test_a_contact_carries_consent_and_a_gender_only_where_the_workspace_keeps_it(
        api, session, book):
    from abm.accounts.settings import ContactSettings
    from abm.settings.services import update_settings

    body = {"account_id": book["own"].id, "name": "Olga", "email": "olga@own.test",
            "marketing_consent": True, "consent_source": "trade fair",
            "consent_on": "2026-01-15", "gender": "female"}
    refused = api.as_("manager").post("/contacts", json=body)
    assert refused.status_code == 422 and "gender" in refused.get_json()["message"]
    update_settings(session, ContactSettings, greetings_by_gender=True)
    session.commit()
    created = api.as_("manager").post("/contacts", json=body)
    assert created.status_code == 201, created.get_json()
    assert {k: created.get_json()[k] for k in ("consent_source", "consent_on", "gender")} == {
        "consent_source": "trade fair", "consent_on": "2026-01-15", "gender": "female"}


def test_a_greeting_campaign_takes_its_occasion_through_the_api(api, book):
    date_id = api.as_("manager").post("/greeting-dates", json={
        "name": "Our anniversary", "month": 6, "day": 2}).get_json()["id"]
    body = {"name": "Holidays", "kind": "greeting",
            "audience": {"account_ids": [book["own"].id],
                         "occasion": {"holidays": ["Victory Day"], "countries": ["ru"],
                                      "dates": [date_id]}}}
    created = api.as_("marketing").post("/campaigns", json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["audience"]["occasion"] == {
        "holidays": ["Victory Day"], "countries": ["RU"], "dates": [date_id], "gender": None}
    body["audience"]["occasion"] = {"gender": "female"}
    refused = api.as_("marketing").post("/campaigns", json=body)
    assert refused.status_code == 422 and "gender" in refused.get_json()["message"]


def test_a_name_no_database_can_store_is_refused_not_a_crash(api, book):
    for name in ("\x00", "\ud800"):
        response = api.as_("manager").post("/greeting-dates", json={"name": name, "month": 1,
                                                                    "day": 1})
        assert response.status_code == 422, name
