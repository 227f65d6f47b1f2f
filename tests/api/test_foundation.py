"""Token auth, role checks, JSON errors with the right status, pagination, no cookies."""

import pytest

from abm.users.models import Role
from abm.users.tokens import issue_token, revoke_token


def _is_error(response, status):
    body = response.get_json()
    return (response.status_code == status and response.mimetype == "application/json"
            and body["status"] == status and body["message"])


def test_a_request_without_a_token_is_answered_401_with_a_bearer_challenge(api):
    response = api.get("/accounts")
    assert _is_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer abm_not-a-real-token", "Bearer ", "Basic abc",
                                    "abm_x", "Bearer " + "a" * 5000])
def test_a_bad_authorization_header_is_answered_401(api, tokens, header):
    assert _is_error(api.get("/me", headers={"Authorization": header}), 401)


def test_a_valid_token_acts_as_its_user(api, users):
    body = api.as_("sales").get("/me").get_json()
    assert body == {"id": users["sales"].id, "email": "sales@test.local", "name": "Sales",
                    "role": "sales"}


def test_a_revoked_token_is_refused(api, session, users):
    row, secret = issue_token(session, users["manager"].id, "soon revoked")
    session.commit()
    assert api.get("/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    revoke_token(session, row)
    session.commit()
    assert _is_error(api.get("/me", headers={"Authorization": f"Bearer {secret}"}), 401)


def test_an_expired_token_is_refused(api, session, users):
    from datetime import timedelta

    from abm.db import utcnow

    _, secret = issue_token(session, users["manager"].id, "old",
                            expires_at=utcnow() - timedelta(seconds=1))
    session.commit()
    assert _is_error(api.get("/me", headers={"Authorization": f"Bearer {secret}"}), 401)


def test_a_deactivated_users_token_is_refused(api, session, users):
    users["sales"].active = False
    session.commit()
    assert _is_error(api.as_("sales").get("/me"), 401)


def test_a_token_carries_the_users_current_role(api, session, users):
    assert api.as_("manager").post("/products", json={"sku": "X", "name": "X"}).status_code == 201
    users["manager"].role = Role.MARKETING
    session.commit()
    response = api.as_("manager").post("/products", json={"sku": "Y", "name": "Y"})
    assert _is_error(response, 403)


def test_a_logged_in_browser_session_does_not_authenticate_api_calls(client, api, users):
    client.post("/login", data={"email": "admin@test.local", "password": "secret-password"})
    assert _is_error(api.get("/me"), 401)


def test_api_responses_set_no_cookie(api):
    assert "Set-Cookie" not in api.as_("admin").get("/me").headers
    assert "Set-Cookie" not in api.get("/me").headers


def test_an_unknown_path_under_the_api_is_a_json_404(api):
    assert _is_error(api.as_("admin").get("/no-such-thing"), 404)


def test_a_missing_record_is_a_json_404(api):
    assert _is_error(api.as_("admin").get("/accounts/999999"), 404)


def test_a_wrong_method_is_a_json_405_listing_the_allowed_ones(api):
    response = api.as_("admin").open("PUT", "/accounts")
    assert _is_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_a_body_that_is_not_json_is_a_400(api):
    response = api.as_("admin").post("/products", data="{not json",
                                     headers={"Content-Type": "application/json"})
    assert _is_error(response, 400)


def test_absurdly_nested_json_is_a_400_not_a_crash(api):
    nested = "[" * 100_000 + "]" * 100_000
    response = api.as_("admin").post("/products", data=nested,
                                     headers={"Content-Type": "application/json"})
    assert _is_error(response, 400)


def test_a_body_that_is_not_declared_json_is_a_415(api):
    response = api.as_("admin").post("/products", data="sku=X",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert _is_error(response, 415)


def test_an_invalid_body_is_a_422_naming_each_field(api):
    response = api.as_("admin").post("/products", json={"name": "", "price": -1, "colour": 1})
    assert _is_error(response, 422)
    fields = {d["field"] for d in response.get_json()["details"]}
    assert {"sku", "name", "price", "colour"} <= fields


def test_an_invalid_query_parameter_is_a_422(api):
    response = api.as_("admin").get("/accounts?limit=0")
    assert _is_error(response, 422)
    assert response.get_json()["details"][0]["field"] == "limit"


def test_a_duplicate_key_is_a_409(api, book):
    response = api.as_("admin").post("/products", json={"sku": "P-1", "name": "Again"})
    assert _is_error(response, 409)


def test_a_body_over_the_limit_is_a_413(app, api):
    app.config["API_MAX_CONTENT_LENGTH"] = 1000
    response = api.as_("admin").post("/products", json={"sku": "X", "name": "x" * 2000})
    assert _is_error(response, 413)


def test_a_crash_is_a_json_500_without_internals(app, api, monkeypatch, caplog):
    from abm.api import me

    def boom(*_args, **_kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(me.Me, "model_validate", boom)
    response = api.as_("admin").get("/me")
    assert _is_error(response, 500)
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "secret internal detail" in caplog.text


def test_text_that_a_database_cannot_store_is_a_422(api):
    for bad in ("nul\x00byte", "lone \ud800 surrogate"):
        response = api.as_("admin").post("/products", json={"sku": "S", "name": bad})
        assert _is_error(response, 422), bad


def test_lists_are_cut_into_pages_by_cursor(api, session, book):
    from abm.sales.models import Product

    session.add_all([Product(sku=f"S{i:02}", name=f"Product {i}") for i in range(5)])
    session.commit()
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = api.as_("marketing").get("/products" + query).get_json()
        assert len(body["items"]) <= 2
        seen += [p["sku"] for p in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(["P-1"] + [f"S{i:02}" for i in range(5)])
    assert len(seen) == len(set(seen))


def test_the_api_needs_no_csrf_token_even_when_forms_do(app, api):
    app.config["WTF_CSRF_ENABLED"] = True
    response = api.as_("admin").post("/products", json={"sku": "CSRF", "name": "No form"})
    assert response.status_code == 201


def test_a_cursor_beyond_every_id_is_an_empty_page(api, book):
    for path in ("/accounts", "/contacts", "/products", "/tasks", "/interactions"):
        body = api.as_("admin").get(f"{path}?cursor=9999999999").get_json()
        assert body == {"items": [], "next_cursor": None}, path
