"""One write path per rule: the pages, the API and the command line reach the same service,
so a record reads the same, and leaves the same trace, whichever way it came in."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from abm.accounts.models import Account, Contact
from abm.accounts.services import (
    NotAllowed,
    UnknownOwner,
    Viewer,
    create_account,
    update_account,
)
from abm.analytics.refresh import REFRESH_KIND
from abm.audit.models import AuditEvent
from abm.cli import cli
from abm.runs.models import JobRun


def _contact(session, name: str) -> Contact:
    session.expire_all()
    return session.scalar(select(Contact).where(Contact.name == name))


def _events(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


def _refreshes(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(JobRun)
                          .where(JobRun.kind == REFRESH_KIND))


def test_a_contact_reads_the_same_whether_added_on_the_page_or_through_the_api(
        api, auth, client, session, book):
    auth.login("sales")
    page = client.post(f"/accounts/{book['own'].id}/contacts/new", data={
        "name": "On the page", "role": "owner", "email": " Nina.Ström@Own.TEST ",
        "phone": "", "position": "", "language": "en"})
    assert page.status_code == 302
    sent = api.as_("sales").post("/contacts", json={
        "account_id": book["own"].id, "name": "Through the API", "role": "owner",
        "email": "Nina.Ström@Own.TEST", "phone": "", "position": ""})
    assert sent.status_code == 201
    on_page, through_api = _contact(session, "On the page"), _contact(session, "Through the API")
    assert on_page.email == through_api.email == "nina.ström@own.test"
    assert (on_page.phone, on_page.position) == (through_api.phone, through_api.position) == (
        None, None)


def test_a_contact_cleared_through_the_api_is_null_as_on_the_page(api, session, book):
    response = api.as_("manager").patch(f"/contacts/{book['contact'].id}", json={"phone": ""})
    assert response.status_code == 200 and response.get_json()["phone"] is None
    assert _contact(session, "Olga Buyer").phone is None


def test_an_address_the_page_refuses_the_api_refuses_too(api, auth, client, session, book):
    auth.login("sales")
    page = client.post(f"/accounts/{book['own'].id}/contacts/new", data={
        "name": "Nobody", "role": "owner", "email": "nobody@printer.local", "language": "en"})
    sent = api.as_("sales").post("/contacts", json={
        "account_id": book["own"].id, "name": "Nobody", "email": "nobody@printer.local"})
    assert (page.status_code, sent.status_code) == (422, 422)
    assert _contact(session, "Nobody") is None


def test_a_sales_user_owns_the_account_they_create_and_cannot_give_it_away(session, users):
    sales = Viewer(users["sales"].id, "sales")
    saved = create_account(session, sales, {"name": "Mine", "country": "is"})
    assert (saved.account.owner_id, saved.account.country, saved.figures_stale) == (
        users["sales"].id, "IS", True)
    with pytest.raises(NotAllowed, match="only management assigns"):
        create_account(session, sales, {"name": "Gift", "owner_id": users["rival"].id})
    with pytest.raises(NotAllowed, match="only management moves"):
        update_account(session, sales, saved.account, {"owner_id": users["rival"].id})


def test_management_names_any_owner_but_not_an_unknown_one(session, users):
    manager = Viewer(users["manager"].id, "manager")
    saved = create_account(session, manager, {"name": "Theirs", "owner_id": users["rival"].id})
    assert saved.account.owner_id == users["rival"].id
    with pytest.raises(UnknownOwner, match="owner_id"):
        create_account(session, manager, {"name": "Nobody's", "owner_id": 987654})


def test_an_edit_the_analytics_do_not_show_leaves_them_as_they_are(session, users, book):
    sales = Viewer(users["sales"].id, "sales")
    assert update_account(session, sales, book["own"], {"city": "Akureyri"}).figures_stale is False
    assert update_account(session, sales, book["own"], {"name": "Renamed"}).figures_stale is True


def test_an_account_created_through_the_api_starts_the_analytics_refresh(api, session):
    before = _refreshes(session)
    assert api.as_("sales").post("/accounts", json={"name": "Fresh"}).status_code == 201
    assert _refreshes(session) == before + 1


def test_an_account_renamed_on_the_page_or_through_the_api_starts_the_refresh(
        api, auth, client, session, book, run_jobs):
    auth.login("manager")
    page = client.post(f"/accounts/{book['own'].id}/edit", data={"name": "Renamed"})
    assert page.status_code == 302
    assert _refreshes(session) == 1
    run_jobs(["analytics"])  # a refresh waiting in the queue would take the second change in
    api.as_("manager").patch(f"/accounts/{book['own2'].id}", json={"name": "Renamed too"})
    assert _refreshes(session) == 2
    api.as_("manager").patch(f"/accounts/{book['own2'].id}", json={"city": "Vík"})
    assert _refreshes(session) == 2
    session.expire_all()
    assert session.get(Account, book["own"].id).name == "Renamed"


def test_a_token_leaves_one_audit_event_per_action_whichever_way_it_is_made(
        api, auth, client, runner, session, users):
    auth.login("sales")
    client.post("/tokens/", data={"name": "on the page"})
    api.as_("sales").post("/tokens", json={"name": "through the api"})
    runner.invoke(cli, ["api-token", "create", "sales@test.local", "--name", "on the cli"])
    made = {e.details["name"]: e for e in _events(session, "api_token_created")
            if e.details["name"].startswith(("on ", "through "))}
    assert set(made) == {"on the page", "through the api", "on the cli"}
    assert made["on the page"].details == {"name": "on the page"}
    assert made["through the api"].details == {"name": "through the api", "via": "api"}
    assert made["on the cli"].details == {"name": "on the cli", "user_id": users["sales"].id,
                                          "via": "cli"}
    assert made["on the page"].actor_id == made["through the api"].actor_id == users["sales"].id
    assert made["on the cli"].actor_id is None
    for event in made.values():
        token_id = int(event.target.removeprefix("api_token:"))
        if event.details["name"] == "on the page":
            client.post(f"/tokens/{token_id}/revoke")
        elif event.details["name"] == "through the api":
            api.as_("sales").delete(f"/tokens/{token_id}")
        else:
            runner.invoke(cli, ["api-token", "revoke", str(token_id)])
    revoked = [e.target for e in _events(session, "api_token_revoked")]
    assert sorted(revoked) == sorted(e.target for e in made.values())


def test_a_user_created_on_the_command_line_is_audited_like_one_made_on_the_page(
        runner, session):
    result = runner.invoke(cli, ["create-user", "--email", "cli@test.local", "--name", "Cli",
                                 "--role", "sales", "--password", "long-enough-password"])
    assert result.exit_code == 0, result.output
    [event] = [e for e in _events(session, "user_created") if e.details.get("via") == "cli"]
    assert event.details == {"role": "sales", "via": "cli"} and event.actor_id is None


def test_an_empty_file_is_refused_on_the_page_and_through_the_api_and_not_kept(
        api, auth, client, app):
    auth.login("manager")
    page = client.post("/imports/", data={"kind": "orders", "currency": "EUR",
                                          "file": (io.BytesIO(b""), "orders.csv")})
    sent = api.as_("manager").post("/imports/orders", data=b"",
                                   headers={"Content-Type": "text/csv"})
    assert page.status_code == 422 and "The file is empty." in page.get_data(as_text=True)
    assert sent.status_code == 400 and sent.get_json()["message"] == "the file is empty"
    uploads = Path(app.extensions["abm.settings"].instance_path) / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_only_management_moves_an_account_on_the_page_or_through_the_api(
        api, auth, client, session, book, users):
    auth.login("sales")
    page = client.post(f"/accounts/{book['own'].id}/edit",
                       data={"name": "Own Customer", "owner_id": str(users["rival"].id)})
    sent = api.as_("sales").patch(f"/accounts/{book['own'].id}",
                                  json={"owner_id": users["rival"].id})
    assert (page.status_code, sent.status_code) == (302, 403)
    session.expire_all()
    assert session.get(Account, book["own"].id).owner_id == users["sales"].id


def test_a_task_changed_through_the_api_follows_the_rules_it_was_made_by(
        api, session, book, users):
    created = api.as_("sales").post("/tasks", json={"account_id": book["own"].id,
                                                    "title": "  Call Olga  "}).get_json()
    changed = api.as_("sales").patch(f"/tasks/{created['id']}",
                                     json={"title": "  Call Olga again ", "description": ""})
    assert created["title"] == "Call Olga"
    assert (changed.get_json()["title"], changed.get_json()["description"]) == (
        "Call Olga again", None)
    users["rival"].active = False
    session.commit()
    for response in (
            api.as_("sales").post("/tasks", json={"account_id": book["own"].id, "title": "x",
                                                  "assignee_id": users["rival"].id}),
            api.as_("sales").patch(f"/tasks/{created['id']}",
                                   json={"assignee_id": users["rival"].id})):
        assert response.status_code == 404
        assert response.get_json()["message"] == "assignee_id: no such active user"


def test_a_change_of_the_top_assortment_through_the_api_starts_the_refresh(api, session, book):
    path = f"/products/{book['product'].id}"
    assert api.as_("manager").patch(path, json={"price": 13}).status_code == 200
    assert _refreshes(session) == 0
    assert api.as_("manager").patch(path, json={"top_assortment": False}).status_code == 200
    assert _refreshes(session) == 1
