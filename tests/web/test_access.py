"""Every page checks the login and the role; sales users see only their own accounts."""

import pytest

PAGES = {
    # page -> roles allowed (admin passes everywhere)
    "/": {"admin", "manager", "marketing", "sales"},
    "/accounts/": {"admin", "manager", "marketing", "sales"},
    "/accounts/export.csv": {"admin", "manager", "marketing", "sales"},
    "/accounts/{own}": {"admin", "manager", "marketing", "sales"},
    "/accounts/{own}/edit": {"admin", "manager", "sales"},
    "/accounts/{own}/contacts/new": {"admin", "manager", "sales"},
    "/tasks": {"admin", "manager", "marketing", "sales"},
    "/admin/users": {"admin"},
    "/approvals/": {"admin", "manager"},
    "/imports/": {"admin", "manager"},
    "/segments/": {"admin", "manager", "marketing"},
    "/campaigns/": {"admin", "manager", "marketing"},
    "/campaigns/new": {"admin", "marketing"},
    "/accounts/{own}/plan": {"admin", "manager", "marketing", "sales"},
    "/accounts/{own}/tenders/new": {"admin", "manager", "sales"},
    "/admin/settings/": {"admin"},
    "/admin/rates/": {"admin"},
}
CASES = [(page, role, role in allowed) for page, allowed in PAGES.items()
         for role in ("admin", "manager", "marketing", "sales")]


def _url(page, book):
    return page.format(own=book["own"].id)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, book, page):
    response = client.get(_url(page, book))
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


@pytest.mark.parametrize(("page", "role", "allowed"), CASES)
def test_each_page_admits_only_its_roles(client, login, book, page, role, allowed):
    login(role)
    response = client.get(_url(page, book))
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("role", ["admin", "manager", "marketing"])
def test_management_and_marketing_open_any_account(client, login, book, role):
    login(role)
    assert client.get(f"/accounts/{book['rival'].id}").status_code == 200


def test_a_sales_user_cannot_open_someone_elses_account(client, login, book):
    login("sales")
    assert client.get(f"/accounts/{book['rival'].id}").status_code == 404
    assert client.get(f"/accounts/{book['prospect'].id}").status_code == 404


def test_a_sales_user_lists_only_their_own_accounts(client, login, book):
    login("sales")
    page = client.get("/accounts/").get_data(as_text=True)
    assert "Own Customer" in page and "Another Own" in page
    assert "Rival Customer" not in page and "Free Prospect" not in page


def test_a_sales_user_cannot_edit_someone_elses_account(client, login, book):
    login("sales")
    response = client.post(f"/accounts/{book['rival'].id}/edit", data={"name": "Mine now"})
    assert response.status_code == 404


def test_marketing_cannot_edit_a_dossier(client, login, book):
    login("marketing")
    response = client.post(f"/accounts/{book['own'].id}/edit", data={"name": "Renamed"})
    assert response.status_code == 403


def test_a_sales_user_cannot_log_on_someone_elses_account(client, login, book):
    login("sales")
    response = client.post(f"/accounts/{book['rival'].id}/interactions",
                           data={"interaction-kind": "visit",
                                 "interaction-occurred_at": "2026-11-20T10:00"})
    assert response.status_code == 404


def test_an_inactive_user_cannot_log_in(client, session, users):
    users["sales"].active = False
    session.commit()
    response = client.post("/login", data={"email": "sales@test.local",
                                           "password": "secret-password"})
    assert response.status_code == 401
