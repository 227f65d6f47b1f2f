"""The login rate limit (by address and by account) and the audit of logins."""

import pytest
from sqlalchemy import select

from abm.audit.models import AuditEvent

from .conftest import PASSWORD


@pytest.fixture
def limits(app):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per minute"
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "5 per minute"


def _login(client, email, password, addr="198.51.100.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def test_failed_logins_for_one_account_are_limited_from_any_address(client, users, limits):
    for i in range(3):
        assert _login(client, "sales@test.local", "wrong", f"198.51.100.{i}").status_code == 401
    response = _login(client, "sales@test.local", PASSWORD, "198.51.100.99")
    assert response.status_code == 429


def test_the_account_limit_leaves_other_accounts_alone(client, users, limits):
    for i in range(3):
        _login(client, "sales@test.local", "wrong", f"198.51.100.{i}")
    assert _login(client, "manager@test.local", PASSWORD, "198.51.100.50").status_code == 302


def test_failed_logins_from_one_address_are_limited_across_accounts(client, users, limits):
    for i in range(5):
        _login(client, f"nobody{i}@test.local", "wrong")
    assert _login(client, "sales@test.local", PASSWORD).status_code == 429
    assert _login(client, "sales@test.local", PASSWORD, "198.51.100.2").status_code == 302


def test_successful_logins_do_not_count_against_the_limit(client, users, limits):
    for _ in range(6):
        assert _login(client, "sales@test.local", PASSWORD).status_code == 302
        client.post("/logout")


def test_the_limit_counts_in_the_apps_redis(app, client, users, limits):
    _login(client, "sales@test.local", "wrong")
    keys = app.extensions["abm.redis"].connection.keys("*abm-limits*")
    assert len(keys) == 2  # one counter by address, one by account


def test_a_login_is_audited_with_the_address(client, session, users):
    _login(client, "sales@test.local", PASSWORD)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "login"))
    assert (event.actor_id, event.address) == (users["sales"].id, "198.51.100.1")


def test_a_failed_login_is_audited_without_the_password(client, session, users):
    _login(client, "Sales@Test.local", "my-wrong-secret")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "login_failed"))
    assert event.target == "email:sales@test.local" and event.actor_id is None
    assert "my-wrong-secret" not in repr((event.target, event.details))


def test_a_logout_is_audited(client, session, users):
    _login(client, "sales@test.local", PASSWORD)
    client.post("/logout")
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "logout")) is not None


def test_admins_read_the_audit_log_through_the_api(client, api, users):
    _login(client, "sales@test.local", "wrong")
    body = api.as_("admin").get("/audit?action=login_failed").get_json()
    assert [e["target"] for e in body["items"]] == ["email:sales@test.local"]


@pytest.mark.parametrize("role", ["manager", "marketing", "sales"])
def test_only_admins_read_the_audit_log(api, role):
    assert api.as_(role).get("/audit").status_code == 403


def test_token_creation_and_revocation_are_audited(api, session, users):
    created = api.as_("sales").post("/tokens", json={"name": "CRM sync"}).get_json()
    assert created["token"].startswith("abm_") and created["shown"] == created["token"][:10]
    api.as_("sales").delete(f"/tokens/{created['id']}")
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"api_token_created", "api_token_revoked"} <= actions


def test_a_token_is_shown_once_and_stored_hashed(api, session):
    from abm.users.tokens import ApiToken

    created = api.as_("sales").post("/tokens", json={"name": "once"}).get_json()
    listed = api.as_("sales").get("/tokens").get_json()["items"]
    assert all("token" not in t for t in listed)
    row = session.get(ApiToken, created["id"])
    assert created["token"] not in (row.token_hash, row.shown) and len(row.token_hash) == 64


def test_a_user_cannot_revoke_someone_elses_token(api, session, users):
    created = api.as_("rival").post("/tokens", json={"name": "mine"}).get_json()
    assert api.as_("sales").delete(f"/tokens/{created['id']}").status_code == 404
    assert api.as_("admin").delete(f"/tokens/{created['id']}").status_code == 204
