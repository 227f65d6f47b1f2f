"""Session cookies, a new session on login, safe redirects, password hashing, CSRF."""

import pytest

from abm.app import create_app
from abm.web.auth import safe_next

from .conftest import PASSWORD
from .test_access_matrix import placeholder


def _cookie(response, name="session"):
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_the_session_cookie_is_httponly_and_samesite_lax(client, users):
    response = client.post("/login", data={"email": "sales@test.local", "password": PASSWORD})
    cookie = _cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # served over plain HTTP here


def test_the_session_cookie_is_secure_when_the_site_is_served_over_https(tmp_path):
    app = create_app({"database_url": "sqlite://", "instance_path": str(tmp_path),
                      "public_url": "https://abm.example.com", "secret_key": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(tmp_path):
    app = create_app({"database_url": "sqlite://", "instance_path": str(tmp_path),
                      "trusted_proxies": "1", "secret_key": "x"})
    seen = {}

    @app.get("/whoami-test")
    def whoami():
        from flask import request

        seen["addr"], seen["scheme"] = request.remote_addr, request.scheme
        return ""

    app.test_client().get("/whoami-test", headers={"X-Forwarded-For": "203.0.113.9",
                                                   "X-Forwarded-Proto": "https"})
    assert seen == {"addr": "203.0.113.9", "scheme": "https"}


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(app, client):
    from flask import request

    seen = {}

    @app.before_request
    def _look():
        seen["addr"] = request.remote_addr

    client.get("/login", headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen["addr"] == "127.0.0.1"


def test_login_starts_a_new_session(client, users):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before login"
    client.post("/login", data={"email": "sales@test.local", "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(users["sales"].id)


@pytest.mark.parametrize("target", [
    "https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example",
    "http:/evil.example", "javascript:alert(1)", "evil.example", " //evil.example",
])
def test_next_never_leaves_the_site(target):
    assert safe_next(target) is None


def test_next_keeps_a_local_path():
    assert safe_next("/accounts/?q=a") == "/accounts/?q=a"


def test_login_redirects_to_a_local_next_only(client, users):
    response = client.post("/login?next=//evil.example",
                           data={"email": "sales@test.local", "password": PASSWORD})
    assert response.location == "/"


def test_passwords_are_stored_with_a_modern_hash_unless_a_test_suite_says_otherwise(users):
    from abm.config import Settings

    assert Settings().password_hash == "scrypt"  # what a deployment gets
    assert users["sales"].password_hash.startswith(("scrypt:", "pbkdf2:sha256:"))
    assert PASSWORD not in users["sales"].password_hash


def _form_posts(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.endpoint.startswith(("api.", "tracking.")):
            args = {name: placeholder(conv) for name, conv in rule._converters.items()}
            yield rule.endpoint, rule.rule, args


def test_every_form_refuses_a_post_without_its_csrf_token(app, client, users):
    client.post("/login", data={"email": "admin@test.local", "password": PASSWORD})
    app.config["WTF_CSRF_ENABLED"] = True
    checked = 0
    for endpoint, _rule, args in _form_posts(app):
        with app.test_request_context():
            from flask import url_for

            url = url_for(endpoint, **args)
        response = client.post(url, data={"x": "1"})
        assert response.status_code == 400, endpoint
        checked += 1
    assert checked >= 5


def test_pages_behind_the_login_are_never_cached(client, users):
    assert client.get("/login").headers.get("Cache-Control") != "no-store"  # nobody's page
    client.post("/login", data={"email": "sales@test.local", "password": PASSWORD})
    for path in ("/", "/accounts/", "/tasks"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
