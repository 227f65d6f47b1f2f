"""Every route of the app, introspected from its URL map, against every role.

A new page or API endpoint is covered as soon as it is registered: it must be
declared public below, or check the login, or check the role (``role_required``
for pages, the ``roles`` of :func:`abm.api.core.operation` for the API).
"""

import pytest
from flask import url_for
from werkzeug.routing import AnyConverter

from abm.api.core import OPERATIONS

from .conftest import PASSWORD, ROLES

# Reachable without logging in, on purpose.
PUBLIC = {
    "static", "auth.login", "i18n.choose_language", "api.openapi_document",
    # Links in campaign messages: recipients have no account; a signed token guards them.
    "tracking.unsubscribe_page", "tracking.unsubscribe_post", "tracking.open_pixel",
    "tracking.click", "tracking.accept_page", "tracking.accept_post",
}
# Any logged-in user, whatever the role (the view checks ownership itself).
LOGIN_ONLY = {"auth.logout", "runs.status", "dashboard.index",
              # A KAM opens their own report, a manager anyone's: the view checks which.
              "kam_reports.index", "kam_reports.show", "kam_reports.printable"}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def _routes(app):
    """(endpoint, method, url) of every route, with placeholder path arguments."""
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            args = {name: placeholder(conv) for name, conv in rule._converters.items()}
            url = url_for(rule.endpoint, **args)
            for method in sorted(rule.methods - SKIPPED_METHODS):
                yield rule.endpoint, method, url


def placeholder(converter):
    if isinstance(converter, AnyConverter):
        return min(converter.items)
    return 1 if "int" in type(converter).__name__.lower() else "x"


def _roles_of(app, endpoint):
    return getattr(app.view_functions[endpoint], "roles", None)


def _operations():
    return {op.endpoint: op for op in OPERATIONS}


def test_every_route_is_public_login_only_or_checks_the_role(app):
    unguarded = set()
    for endpoint, _method, _url in _routes(app):
        if endpoint in PUBLIC or endpoint in LOGIN_ONLY:
            continue
        if endpoint.startswith("api."):
            op = _operations()[endpoint.removeprefix("api.")]
            guarded = not op.public
        else:
            guarded = _roles_of(app, endpoint) is not None
        if not guarded:
            unguarded.add(endpoint)
    assert unguarded == set()


def test_anonymous_requests_are_refused_on_every_route_but_the_public_ones(app, client):
    refused = 0
    for endpoint, method, url in _routes(app):
        if endpoint in PUBLIC:
            continue
        response = client.open(url, method=method)
        if endpoint.startswith("api."):
            assert response.status_code == 401, (method, url)
        else:
            assert response.status_code == 302, (method, url)
            assert response.location.startswith("/login"), (method, url)
        refused += 1
    assert refused > 30


@pytest.mark.parametrize("role", ROLES)
def test_each_page_refuses_the_roles_it_does_not_admit(app, client, users, book, role):
    client.post("/login", data={"email": f"{role}@test.local", "password": PASSWORD})
    for endpoint, method, url in _routes(app):
        roles = None if endpoint.startswith("api.") else _roles_of(app, endpoint)
        if roles is None:
            continue
        if role not in roles:
            assert client.open(url, method=method).status_code == 403, (role, method, url)
        elif method == "GET":
            status = client.open(url).status_code
            assert status not in (401, 403) and status < 500, (role, url, status)


@pytest.mark.parametrize("role", ROLES)
def test_each_api_operation_refuses_the_roles_it_does_not_admit(app, api, book, role):
    as_role = api.as_(role)
    for endpoint, method, url in _routes(app):
        if not endpoint.startswith("api."):
            continue
        op = _operations()[endpoint.removeprefix("api.")]
        path = url.removeprefix("/api/v1")
        if role not in op.roles:
            assert as_role.open(method, path, json={}).status_code == 403, (role, method, url)
        elif method == "GET":
            status = as_role.get(path).status_code
            assert status not in (401, 403) and status < 500, (role, url, status)


COMPANY_WIDE = {"admin", "manager", "marketing"}
CAMPAIGNS = COMPANY_WIDE
EVERYONE = {"admin", "manager", "marketing", "sales"}
# Who may use the analytics, segments, potential and campaign endpoints, and the
# audit and token pages: the specification the declarations are held to.
EXPECTED_ROLES = {
    "api.analytics_shares": COMPANY_WIDE, "api.analytics_pareto": COMPANY_WIDE,
    "api.analytics_top_n": COMPANY_WIDE, "api.analytics_abcxyz": COMPANY_WIDE,
    "api.analytics_alerts": EVERYONE, "api.analytics_win_back": EVERYONE,
    "api.analytics_acknowledge": {"admin", "manager", "sales"},
    "api.analytics_resolve": {"admin", "manager", "sales"},
    "api.segments_latest": COMPANY_WIDE, "api.segments_members": COMPANY_WIDE,
    "api.segments_start": COMPANY_WIDE, "api.segments_fit": COMPANY_WIDE,
    "api.segments_potential": EVERYONE,
    **{f"api.campaigns_{name}": CAMPAIGNS for name in (
        "list_", "create", "get", "update", "put_template", "audience", "preview",
        "preview_draft", "submit", "schedule", "cancel", "status", "results")},
    "api.campaigns_approve": {"admin", "manager"}, "api.campaigns_reject": {"admin", "manager"},
    "admin.audit_log": {"admin"}, "tokens.index": EVERYONE, "tokens.revoke": EVERYONE,
}


def test_the_new_endpoints_admit_exactly_the_roles_of_the_specification(app):
    for endpoint, roles in EXPECTED_ROLES.items():
        if endpoint.startswith("api."):
            admitted = _operations()[endpoint.removeprefix("api.")].roles
        else:
            admitted = _roles_of(app, endpoint)
        assert admitted == roles, endpoint


@pytest.mark.parametrize("role", ROLES)
def test_no_api_operation_fails_on_an_empty_call_by_an_admitted_role(app, api, book, role):
    as_role = api.as_(role)
    for endpoint, method, url in _routes(app):
        op = _operations().get(endpoint.removeprefix("api."))
        if op is None or role not in op.roles or method == "DELETE":  # keep the token
            continue
        status = as_role.open(method, url.removeprefix("/api/v1"), json={}).status_code
        assert status < 500 and status not in (401, 403), (role, method, url, status)


def test_pages_and_api_answers_carry_the_security_headers(client, api):
    for response in (client.get("/login"), api.get("/me"), api.get("/openapi.json")):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_https_sites_tell_browsers_to_stay_on_https(tmp_path):
    from abm.app import create_app

    app = create_app({"database_url": "sqlite://", "instance_path": str(tmp_path),
                      "public_url": "https://abm.example.com", "secret_key": "x"})
    response = app.test_client().get("/static/app.css")
    response.close()
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
