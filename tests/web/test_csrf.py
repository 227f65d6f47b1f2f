"""With CSRF protection on (as in production), a form posted without its token is refused."""

import re

import pytest

from abm.app import create_app
from abm.db import get_db

from .conftest import PASSWORD


@pytest.fixture
def csrf_client(app, database_url, redis_url, tmp_path, users, book):
    """A second app on the same test connection, with CSRF checks on."""
    protected = create_app({"database_url": database_url, "redis_url": redis_url,
                            "instance_path": str(tmp_path / "csrf"), "secret_key": "k",
                            "TESTING": True, "WTF_CSRF_ENABLED": True})
    connection = get_db(app).session().connection()
    get_db(protected).session.configure(bind=connection,
                                        join_transaction_mode="create_savepoint")
    yield protected.test_client()
    get_db(protected).session.remove()


def _token(client, url) -> str:
    """The CSRF token of the first form on the page."""
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="[a-z-]*csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_login_without_a_token_is_refused(csrf_client):
    response = csrf_client.post("/login", data={"email": "sales@test.local",
                                                "password": PASSWORD})
    assert response.status_code == 400


def test_logging_a_visit_without_a_token_is_refused_and_with_it_accepted(csrf_client, book):
    token = _token(csrf_client, "/login")
    response = csrf_client.post("/login", data={"email": "sales@test.local",
                                                "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    url = f"/accounts/{book['own'].id}/interactions"
    data = {"interaction-kind": "visit", "interaction-occurred_at": "2026-11-20T10:30"}
    assert csrf_client.post(url, data=data).status_code == 400
    token = _token(csrf_client, f"/accounts/{book['own'].id}")
    response = csrf_client.post(url, data={**data, "interaction-csrf_token": token})
    assert response.status_code == 302


def _log_in(client, email: str) -> None:
    token = _token(client, "/login")
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize(("email", "url", "data"), [
    ("marketing@test.local", "/campaigns/new", {"name": "X", "kind": "win_back",
                                                "language": "en"}),
    ("sales@test.local", "/accounts/{own}/plan", {"objectives": "Grow"}),
    ("sales@test.local", "/accounts/{own}/tenders/new", {"title": "T", "outcome": "won"}),
    ("admin@test.local", "/admin/settings/", {}),
    ("admin@test.local", "/admin/rates/", {"currency": "USD", "rate": "0.9",
                                           "valid_from": "2026-01-01"}),
])
def test_the_new_forms_refuse_a_post_without_a_token(csrf_client, book, email, url, data):
    _log_in(csrf_client, email)
    url = url.format(own=book["own"].id)
    assert csrf_client.post(url, data=data).status_code == 400
    token = _token(csrf_client, url)
    assert csrf_client.post(url, data={**data, "csrf_token": token}).status_code in (200, 302,
                                                                                   422)


def test_the_live_audience_count_needs_the_token_too(csrf_client, session, users):
    from abm.campaigns.services import create_campaign

    campaign = create_campaign(session, name="C", kind="promotion")
    session.commit()
    _log_in(csrf_client, "marketing@test.local")
    url = f"/campaigns/{campaign.id}/audience/count"
    assert csrf_client.post(url, data={"match": "all"}).status_code == 400
    token = _token(csrf_client, f"/campaigns/{campaign.id}/audience")
    answer = csrf_client.post(url, data={"match": "all", "csrf_token": token})
    assert answer.status_code == 200 and answer.get_json()["accounts"] == 4


def test_the_analytics_refresh_button_needs_the_token(csrf_client, book):
    _log_in(csrf_client, "manager@test.local")
    assert csrf_client.post("/analytics/refresh").status_code == 400
    token = _token(csrf_client, "/")
    response = csrf_client.post("/analytics/refresh", data={"csrf_token": token})
    assert response.status_code == 302 and "/analytics/refresh/" in response.location


def test_the_api_takes_a_post_with_its_bearer_token_and_no_csrf_token(csrf_client, session,
                                                                       users, book):
    """The API authenticates by token, never by cookie: CSRF checks would only refuse it."""
    from abm.users.tokens import issue_token

    _, token = issue_token(session, users["sales"].id, "csrf test")
    session.commit()
    response = csrf_client.post("/api/v1/tasks", json={"account_id": book["own"].id,
                                                       "title": "Call back"},
                                headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_data(as_text=True)
