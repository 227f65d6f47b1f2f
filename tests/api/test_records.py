"""Contacts, products, tasks, interactions and job runs through the API."""

from abm.runs.services import enqueue_tracked


def test_a_sales_user_lists_only_contacts_of_their_accounts(api, book):
    names = {c["name"] for c in api.as_("sales").get("/contacts").get_json()["items"]}
    assert names == {"Olga Buyer"}


def test_contacts_filter_by_account(api, book):
    body = api.as_("admin").get(f"/contacts?account_id={book['rival'].id}").get_json()
    assert [c["name"] for c in body["items"]] == ["Rita Rival"]


def test_a_sales_user_cannot_read_a_contact_of_someone_elses_account(api, book):
    assert api.as_("sales").get(f"/contacts/{book['rival_contact'].id}").status_code == 404


def test_a_contact_is_added_to_an_account_the_user_may_edit(api, book):
    response = api.as_("sales").post("/contacts", json={
        "account_id": book["own"].id, "name": "Nina Owner", "role": "owner",
        "email": "nina@own.test", "marketing_consent": True})
    assert response.status_code == 201
    assert response.get_json()["reachable"] is True


def test_a_contact_cannot_be_added_to_someone_elses_account(api, book):
    response = api.as_("sales").post("/contacts", json={"account_id": book["rival"].id,
                                                        "name": "Spy"})
    assert response.status_code == 404


def test_marketing_cannot_edit_contacts(api, book):
    response = api.as_("marketing").patch(f"/contacts/{book['contact'].id}",
                                          json={"phone": "1"})
    assert response.status_code == 403


def test_a_contact_update_changes_the_fields_sent(api, book):
    response = api.as_("manager").patch(f"/contacts/{book['contact'].id}",
                                        json={"phone": "+354 555 1234"})
    assert response.get_json()["phone"] == "+354 555 1234"
    assert response.get_json()["email"] == "olga@own.test"


def test_every_role_reads_products(api, book):
    body = api.as_("sales").get("/products?top_assortment=true").get_json()
    assert [p["sku"] for p in body["items"]] == ["P-1"]


def test_only_management_edits_products(api, book):
    path = f"/products/{book['product'].id}"
    assert api.as_("sales").patch(path, json={"price": 1}).status_code == 403
    assert api.as_("manager").patch(path, json={"price": 1}).get_json()["price"] == 1


def test_a_sales_user_sees_tasks_of_their_accounts_and_tasks_assigned_to_them(api, book):
    titles = {t["title"] for t in api.as_("sales").get("/tasks").get_json()["items"]}
    assert titles == {"Help the rival"}


def test_a_task_is_added_and_its_status_changed(api, book, users):
    created = api.as_("marketing").post("/tasks", json={
        "account_id": book["own"].id, "title": "Send the catalogue",
        "assignee_id": users["sales"].id, "due_on": "2026-12-01"})
    assert created.status_code == 201
    task_id = created.get_json()["id"]
    updated = api.as_("sales").patch(f"/tasks/{task_id}", json={"status": "done"})
    assert updated.get_json()["status"] == "done"


def test_a_task_cannot_be_assigned_to_an_unknown_user(api, book):
    response = api.as_("admin").post("/tasks", json={"account_id": book["own"].id,
                                                     "title": "T", "assignee_id": 999999})
    assert response.status_code == 404


def test_a_sales_user_cannot_touch_a_task_they_cannot_see(api, book):
    path = f"/tasks/{book['rival_task'].id}"
    assert api.as_("sales").patch(path, json={"status": "done"}).status_code == 404
    assert api.as_("sales").post(path + "/comments", json={"text": "hi"}).status_code == 404


def test_a_comment_is_added_to_a_task(api, book, users):
    response = api.as_("sales").post(f"/tasks/{book['shared_task'].id}/comments",
                                     json={"text": "On it"})
    assert response.status_code == 201
    assert response.get_json()["author_id"] == users["sales"].id


def test_an_interaction_is_logged_with_its_time_zone(api, book):
    response = api.as_("sales").post("/interactions", json={
        "account_id": book["own"].id, "kind": "visit",
        "occurred_at": "2026-11-20T10:00:00+03:00", "contact_id": book["contact"].id})
    assert response.status_code == 201
    assert response.get_json()["occurred_at"].startswith("2026-11-20T07:00:00")
    listed = api.as_("sales").get(f"/interactions?account_id={book['own'].id}").get_json()
    assert [i["kind"] for i in listed["items"]] == ["visit"]


def test_an_interaction_without_a_time_zone_is_a_422(api, book):
    response = api.as_("sales").post("/interactions", json={
        "account_id": book["own"].id, "kind": "call", "occurred_at": "2026-11-20T10:00:00"})
    assert response.status_code == 422


def test_an_interaction_with_another_accounts_contact_is_a_404(api, book):
    response = api.as_("admin").post("/interactions", json={
        "account_id": book["own"].id, "kind": "call", "occurred_at": "2026-11-20T10:00:00Z",
        "contact_id": book["rival_contact"].id})
    assert response.status_code == 404


def _noop():
    return None


def test_a_user_follows_their_own_job_run(app, api, users):
    with app.test_request_context():
        run_id = enqueue_tracked(_noop, kind="test", user_id=users["sales"].id)
    body = api.as_("sales").get(f"/runs/{run_id}").get_json()
    assert (body["id"], body["status"], body["kind"]) == (run_id, "queued", "test")
    assert api.as_("rival").get(f"/runs/{run_id}").status_code == 404
    assert api.as_("manager").get(f"/runs/{run_id}").status_code == 200


def test_a_contact_address_is_stored_normalised_through_the_api(api, book):
    response = api.as_("sales").post("/contacts", json={
        "account_id": book["own"].id, "name": "Mikko", "email": "Mikko.Müller@Own.TEST"})
    assert response.status_code == 201
    assert response.get_json()["email"] == "mikko.müller@own.test"


def test_an_invalid_contact_address_is_refused_by_the_api_naming_the_field(api, book):
    response = api.as_("manager").patch(f"/contacts/{book['contact'].id}",
                                        json={"email": "olga@printer.local"})
    assert response.status_code == 422
    body = response.get_json()
    assert "email" in str(body) and "not a valid email address" in str(body)
    assert api.as_("manager").get(f"/contacts/{book['contact'].id}").get_json()["email"] == \
        "olga@own.test"
