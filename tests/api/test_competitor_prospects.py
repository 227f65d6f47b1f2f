"""Prospects worked by competitors through the API: the fields and the list filter."""


def test_a_prospect_is_marked_as_a_competitors_key_client_with_a_plan(api, book):
    manager = api.as_("manager")
    prospect = book["prospect"].id
    response = manager.patch(f"/accounts/{prospect}", json={
        "current_supplier": "Rival Ltd", "competitor_key_client": True,
        "win_plan": "Samples in March, a trial order in April"})
    assert response.status_code == 200, response.get_json()
    body = manager.get(f"/accounts/{prospect}").get_json()
    assert (body["current_supplier"], body["competitor_key_client"], body["win_plan"]) == (
        "Rival Ltd", True, "Samples in March, a trial order in April")


def test_the_competitor_flag_must_be_a_boolean(api, book):
    response = api.as_("manager").patch(f"/accounts/{book['prospect'].id}",
                                        json={"competitor_key_client": "yes"})
    assert response.status_code == 422


def test_the_list_filters_the_competitors_key_clients(api, book):
    manager = api.as_("manager")
    assert manager.get("/accounts?competitor=key_client").get_json()["items"] == []
    manager.patch(f"/accounts/{book['prospect'].id}",
                  json={"current_supplier": "Rival Ltd", "competitor_key_client": True})
    [row] = manager.get("/accounts?competitor=key_client").get_json()["items"]
    assert row["name"] == "Free Prospect"
    [row] = manager.get("/accounts?competitor=worked").get_json()["items"]
    assert row["name"] == "Free Prospect"
