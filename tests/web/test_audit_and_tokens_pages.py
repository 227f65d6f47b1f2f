"""The audit log page (admins) and the API tokens page (everyone, for their own tokens)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from abm.audit import services as audit
from abm.audit.models import AuditEvent
from abm.users.tokens import ApiToken, issue_token, user_for_token

from .conftest import ROLES
from .test_csrf import _token, csrf_client  # noqa: F401 - the CSRF-checking client


@pytest.fixture
def events(session, users):
    """Three events: a login and a failed login yesterday, an export today."""
    made = [
        audit.record(session, users["sales"].id, audit.LOGIN, "user:x"),
        audit.record(session, None, audit.LOGIN_FAILED, "email:who@x"),
        audit.record(session, users["manager"].id, audit.EXPORT, "file:accounts.csv"),
    ]
    made[0].occurred_at = made[1].occurred_at = datetime(2026, 11, 22, 9, tzinfo=UTC)
    made[2].occurred_at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    session.commit()
    return made


def _rows(response) -> int:
    return response.get_data(as_text=True).count("<tr>") - 1  # less the header row


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_see_the_audit_log(client, login, role):
    login(role)
    assert client.get("/admin/audit").status_code == 403


def test_the_audit_log_lists_events_newest_first(client, login, events):
    login("admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert page.index("file:accounts.csv") < page.index("email:who@x")
    assert "Manager" in page


def test_the_audit_log_filters_by_action_user_and_dates(client, login, users, events):
    login("admin")
    assert _rows(client.get("/admin/audit?action=export")) == 1
    assert _rows(client.get(f"/admin/audit?user={users['sales'].id}")) == 1
    assert _rows(client.get("/admin/audit?since=2026-11-23")) >= 1
    day = client.get("/admin/audit?since=2026-11-22&until=2026-11-22&action=login_failed")
    assert "email:who@x" in day.get_data(as_text=True) and _rows(day) == 1


def test_a_bad_filter_is_a_422_with_the_reason(client, login, events):
    login("admin")
    response = client.get("/admin/audit?since=yesterday")
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)


def test_the_audit_log_is_paginated(client, login, session, users, monkeypatch):
    from abm.web import admin

    for i in range(5):
        audit.record(session, users["admin"].id, audit.EXPORT, f"file:{i}.csv")
    session.commit()
    monkeypatch.setattr(admin, "AUDIT_PAGE", 2)
    login("admin")
    first = client.get("/admin/audit?action=export").get_data(as_text=True)
    assert "file:4.csv" in first and "file:2.csv" not in first
    next_url = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get(next_url.replace("&amp;", "&")).get_data(as_text=True)
    assert "file:2.csv" in second and "file:4.csv" not in second


def test_the_admin_navigation_links_to_the_audit_log_and_tokens(client, login):
    login("admin")
    page = client.get("/tokens/").get_data(as_text=True)
    assert 'href="/admin/audit"' in page and 'href="/tokens/"' in page


def test_others_see_the_tokens_link_but_not_the_audit_log(client, login):
    login("sales")
    page = client.get("/tokens/").get_data(as_text=True)
    assert 'href="/tokens/"' in page and 'href="/admin/audit"' not in page


@pytest.mark.parametrize("role", ROLES)
def test_each_role_creates_a_token_shown_once_that_works(client, login, session, role):
    user = login(role)
    response = client.post("/tokens/", data={"name": "crm", "expires_in_days": "30"})
    assert response.status_code == 201
    secret = response.get_data(as_text=True).split("<code>abm_", 1)[1].split("</code>")[0]
    found = user_for_token(session, "abm_" + secret)
    assert found is not None and found[0].id == user.id
    session.commit()  # the token's use, before the next request
    assert ("abm_" + secret) not in client.get("/tokens/").get_data(as_text=True)


def test_a_token_without_a_name_is_refused(client, login):
    login("sales")
    assert client.post("/tokens/", data={"name": ""}).status_code == 422


def test_users_see_and_revoke_only_their_own_tokens(client, login, session, users):
    own, _ = issue_token(session, users["sales"].id, "mine")
    other, _ = issue_token(session, users["rival"].id, "theirs")
    session.commit()
    login("sales")
    page = client.get("/tokens/").get_data(as_text=True)
    assert "mine" in page and "theirs" not in page
    assert client.post(f"/tokens/{other.id}/revoke").status_code == 404
    assert client.post(f"/tokens/{own.id}/revoke").status_code == 302
    session.expire_all()
    assert session.get(ApiToken, own.id).revoked_at is not None
    assert session.get(ApiToken, other.id).revoked_at is None


def test_admins_see_and_revoke_every_token(client, login, session, users):
    other, _ = issue_token(session, users["rival"].id, "theirs")
    session.commit()
    login("admin")
    page = client.get("/tokens/").get_data(as_text=True)
    assert "theirs" in page and "Rival" in page
    assert client.post(f"/tokens/{other.id}/revoke").status_code == 302
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token_revoked"))
    assert event.details == {"owner_id": users["rival"].id}


def test_token_forms_need_their_csrf_token(csrf_client, session, users):  # noqa: F811
    login_token = _token(csrf_client, "/login")
    csrf_client.post("/login", data={"email": "sales@test.local", "password": "secret-password",
                                      "csrf_token": login_token})
    assert csrf_client.post("/tokens/", data={"name": "crm"}).status_code == 400
    token = _token(csrf_client, "/tokens/")
    assert csrf_client.post("/tokens/", data={"name": "crm", "csrf_token": token}
                            ).status_code == 201
    row = session.scalar(select(ApiToken).where(ApiToken.user_id == users["sales"].id))
    assert csrf_client.post(f"/tokens/{row.id}/revoke").status_code == 400
    token = _token(csrf_client, "/tokens/")
    response = csrf_client.post(f"/tokens/{row.id}/revoke", data={"csrf_token": token})
    assert response.status_code == 302
