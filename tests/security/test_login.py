"""The login limits (by address; by account and address together) and the audit of logins."""

import time

import pytest
from sqlalchemy import select

from abm.audit.models import AuditEvent
from abm.queue import get_redis
from abm.users.throttle import LoginThrottle, ThrottlePolicy

from .conftest import PASSWORD


@pytest.fixture
def limits(app):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "5 per minute"
    app.config["LOGIN_THROTTLE"] = ThrottlePolicy(free_attempts=3, first_delay=60)


def _login(client, email, password, addr="198.51.100.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def test_a_strangers_failed_attempts_never_lock_the_owner_out(client, users, limits):
    for _ in range(3):
        assert _login(client, "sales@test.local", "wrong", "203.0.113.66").status_code == 401
    assert _login(client, "sales@test.local", "wrong", "203.0.113.66").status_code == 429
    # The owner, from their own address, is not slowed down at all.
    assert _login(client, "sales@test.local", PASSWORD, "198.51.100.7").status_code == 302


def test_failed_attempts_from_one_address_for_one_account_wait_longer_each_time(
        app, client, users):
    app.config["LOGIN_THROTTLE"] = policy = ThrottlePolicy(free_attempts=2, first_delay=2)
    assert [policy.delay(n) for n in range(2, 6)] == [2, 4, 8, 16]
    for _ in range(2):
        assert _login(client, "sales@test.local", "wrong").status_code == 401
    response = _login(client, "sales@test.local", PASSWORD)
    assert response.status_code == 429  # even the right password waits its turn
    assert response.headers["Retry-After"] in ("1", "2")
    assert "try again in" in response.get_data(as_text=True)


def test_a_success_clears_the_count(app, client, users):
    app.config["LOGIN_THROTTLE"] = ThrottlePolicy(free_attempts=2, first_delay=0.01)
    for _ in range(2):
        _login(client, "sales@test.local", "wrong")
    time.sleep(0.05)
    assert _login(client, "sales@test.local", PASSWORD).status_code == 302
    client.post("/logout")
    throttle = LoginThrottle(get_redis().connection)
    assert throttle.wait_seconds("sales@test.local", "198.51.100.1") == 0


def test_a_throttled_attempt_is_audited(client, session, users, limits):
    for _ in range(4):
        _login(client, "sales@test.local", "wrong", "203.0.113.66")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "login_throttled"))
    assert (event.target, event.address) == ("email:sales@test.local", "203.0.113.66")
    assert event.details["wait_seconds"] == 60


def test_failed_logins_from_one_address_are_limited_across_accounts(client, users, limits):
    for i in range(5):
        _login(client, f"nobody{i}@test.local", "wrong")
    assert _login(client, "sales@test.local", PASSWORD).status_code == 429
    assert _login(client, "sales@test.local", PASSWORD, "198.51.100.2").status_code == 302


def test_successful_logins_do_not_count_against_the_limit(client, users, limits):
    for _ in range(6):
        assert _login(client, "sales@test.local", PASSWORD).status_code == 302
        client.post("/logout")


def test_the_counters_live_in_the_apps_redis_without_email_addresses(app, client, users,
                                                                     limits):
    _login(client, "sales@test.local", "wrong")
    keys = app.extensions["abm.redis"].connection.keys("*")
    assert any(b"abm-limits" in k for k in keys)  # by address
    assert any(k.startswith(b"abm:login-failures:") for k in keys)  # by account and address
    assert not any(b"sales@test.local" in k for k in keys)


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
