"""Accounts through the API: the web list's filters, and the sales visibility rule."""

import pytest


def _names(response):
    return {row["name"] for row in response.get_json()["items"]}


def test_a_sales_user_lists_only_their_own_accounts(api, book):
    assert _names(api.as_("sales").get("/accounts")) == {"Own Customer", "Another Own"}


@pytest.mark.parametrize("role", ["admin", "manager", "marketing"])
def test_management_and_marketing_list_every_account(api, book, role):
    assert len(api.as_(role).get("/accounts").get_json()["items"]) == 4


def test_accounts_filter_by_kind_region_and_text(api, book):
    admin = api.as_("admin")
    assert _names(admin.get("/accounts?kind=prospect")) == {"Free Prospect"}
    assert _names(admin.get("/accounts?region=North")) == {"Own Customer", "Rival Customer"}
    assert _names(admin.get("/accounts?q=rival")) == {"Rival Customer"}
    assert _names(admin.get("/accounts?owner_id=0")) == {"Free Prospect"}


def test_an_account_list_sorted_by_name_pages_in_order(api, book):
    first = api.as_("admin").get("/accounts?limit=3&sort=name").get_json()
    second = api.as_("admin").get(f"/accounts?limit=3&sort=name&cursor={first['next_cursor']}")
    names = [r["name"] for r in first["items"] + second.get_json()["items"]]
    assert names == sorted(names) and len(names) == 4
    assert second.get_json()["next_cursor"] is None


def test_a_sales_user_cannot_read_someone_elses_account(api, book):
    assert api.as_("sales").get(f"/accounts/{book['rival'].id}").status_code == 404


def test_reading_an_account_gives_its_dossier(api, book):
    body = api.as_("sales").get(f"/accounts/{book['own'].id}").get_json()
    assert body["name"] == "Own Customer" and body["external_id"] == "C1"
    assert body["categories"] == [] and body["qualified"] is False


def test_a_sales_user_owns_the_account_they_create(api, users):
    response = api.as_("sales").post("/accounts", json={
        "name": "New Lead", "kind": "prospect", "categories": ["prospective"],
        "has_need": True, "can_pay": True, "has_authority": True})
    assert response.status_code == 201
    body = response.get_json()
    assert body["owner_id"] == users["sales"].id
    assert body["categories"] == ["prospective"] and body["qualified"] is True


def test_a_sales_user_cannot_create_an_account_for_someone_else(api, users):
    response = api.as_("sales").post("/accounts", json={"name": "Gift",
                                                         "owner_id": users["rival"].id})
    assert response.status_code == 403


def test_marketing_cannot_create_accounts(api):
    assert api.as_("marketing").post("/accounts", json={"name": "Nope"}).status_code == 403


def test_a_manager_assigns_the_owner_of_a_new_account(api, users):
    response = api.as_("manager").post("/accounts", json={"name": "Assigned",
                                                           "owner_id": users["rival"].id})
    assert response.get_json()["owner_id"] == users["rival"].id


def test_an_unknown_owner_is_a_404_naming_the_field(api):
    response = api.as_("manager").post("/accounts", json={"name": "X", "owner_id": 987654})
    assert response.status_code == 404
    assert response.get_json()["message"].startswith("owner_id")


def test_a_duplicate_external_id_is_a_409(api, book):
    response = api.as_("manager").post("/accounts", json={"name": "Dup", "external_id": "C1"})
    assert response.status_code == 409


def test_an_update_changes_only_the_fields_sent(api, book):
    response = api.as_("sales").patch(f"/accounts/{book['own'].id}",
                                      json={"city": "Reykjavik", "country": "IS"})
    body = response.get_json()
    assert response.status_code == 200
    assert (body["city"], body["country"], body["region"]) == ("Reykjavik", "IS", "North")


def test_a_name_cannot_be_cleared(api, book):
    for name in ("", None):
        response = api.as_("sales").patch(f"/accounts/{book['own'].id}", json={"name": name})
        assert response.status_code == 422


def test_a_sales_user_cannot_update_someone_elses_account(api, book):
    response = api.as_("sales").patch(f"/accounts/{book['rival'].id}", json={"city": "X"})
    assert response.status_code == 404


def test_only_management_moves_an_account_to_another_owner(api, book, users):
    moved = {"owner_id": users["rival"].id}
    assert api.as_("sales").patch(f"/accounts/{book['own'].id}", json=moved).status_code == 403
    response = api.as_("manager").patch(f"/accounts/{book['own'].id}", json=moved)
    assert response.get_json()["owner_id"] == users["rival"].id


def test_an_account_list_sorted_by_share_pages_with_the_figures(api, book, session):
    from tests.figures import store_figures

    store_figures(session, {book["own"].id: (54_000.0, "AY", 0.125, "at_risk"),
                            book["rival"].id: (6_000.0, "BZ", None, "lost")})
    admin = api.as_("admin")
    first = admin.get("/accounts?limit=1&sort=-share").get_json()
    rest = admin.get(f"/accounts?limit=3&sort=-share&cursor={first['next_cursor']}").get_json()
    rows = first["items"] + rest["items"]
    assert [r["name"] for r in rows] == ["Own Customer", "Rival Customer", "Another Own",
                                         "Free Prospect"]
    assert {k: rows[0][k] for k in ("share", "growth", "abc_xyz", "churn")} == {
        "share": 0.9, "growth": 0.125, "abc_xyz": "AY", "churn": "at_risk"}
    assert rows[2]["share"] is None and rows[2]["churn"] is None
