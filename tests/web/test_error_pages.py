"""Error pages: in the product's layout and the user's language, saying what happened and
leading back; a 500 never shows a traceback, renders after the request broke the database
session, and falls back to a plain page when even the error page cannot render. The JSON
API keeps answering JSON."""

from __future__ import annotations

import pytest
from flask import abort
from jinja2 import ChoiceLoader, DictLoader

from abm.db import get_session
from abm.users.models import User

from .conftest import PASSWORD

SECRET = "secret-detail-of-the-crash"
TITLES = {
    400: ("The request was not understood", "Запрос не понят"),
    403: ("Not for your role", "Недоступно для вашей роли"),
    404: ("Page not found", "Страница не найдена"),
    405: ("Not allowed this way", "Так нельзя"),
    413: ("File too large", "Файл слишком большой"),
    429: ("Too many attempts", "Слишком много попыток"),
    500: ("Something went wrong on our side", "Что-то пошло не так на нашей стороне"),
}
WAYS_BACK = {"en": ("Back to the previous page", "Go to the dashboard"),
             "ru": ("Вернуться на предыдущую страницу", "Перейти на главную панель")}


@pytest.fixture
def crashing(app):
    """Test-only routes (registered before the first request): one raises after breaking the
    database session, as a failed write does; one aborts with the status it is given.
    Exceptions are handled as in production rather than raised into the test."""

    def crash():
        session = get_session()
        session.add(User(email="admin@test.local", name="Twin", role="admin",
                         password_hash="x"))
        try:
            session.flush()  # a duplicate e-mail: the session now needs a rollback
        except Exception as exc:
            raise RuntimeError(SECRET) from exc
        raise AssertionError("the duplicate should not have been written")

    def status(code: int):
        abort(code)

    app.add_url_rule("/test-only/crash", view_func=crash)
    app.add_url_rule("/test-only/status/<int:code>", view_func=status)
    app.add_url_rule("/api/v1/test-only/crash", view_func=crash, endpoint="api_crash")
    app.add_url_rule("/api/v1/test-only/status/<int:code>", view_func=status,
                     endpoint="api_status")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def _in_language(client, lang: str) -> None:
    client.post("/language", data={"lang": lang})


def _trigger(code: int, client, app, lang: str) -> object:
    """Cause the error as a user would meet it."""
    referrer = {"Referer": "http://localhost/accounts/?q=x"}
    if code == 400:  # a form whose CSRF token is missing
        app.config["WTF_CSRF_ENABLED"] = True
        return client.post("/language", data={"lang": lang}, headers=referrer)
    if code == 403:
        return client.get("/campaigns/", headers=referrer)
    if code == 404:
        return client.get("/accounts/999999", headers=referrer)
    if code == 405:
        return client.get("/logout", headers=referrer)
    if code == 413:
        app.config["MAX_CONTENT_LENGTH"] = 1024
        return client.post("/language", data={"lang": lang, "next": "x" * 4096},
                           headers=referrer)
    if code == 429:
        app.config["LOGIN_LIMIT_PER_ADDRESS"] = "1 per minute"
        client.post("/logout")
        _in_language(client, lang)
        for _ in range(2):
            response = client.post("/login", headers=referrer, data={
                "email": "sales@test.local", "password": "wrong"})
        return response
    return client.get("/test-only/crash", headers=referrer)


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("code", sorted(TITLES))
def test_each_error_page_has_the_layout_the_language_and_ways_back(
        client, app, login, crashing, code, lang):
    login("sales")
    _in_language(client, lang)
    response = _trigger(code, client, app, lang)
    assert response.status_code == code
    page = response.get_data(as_text=True)
    title = TITLES[code][lang == "ru"]
    assert f'<html lang="{lang}">' in page and f"<title>{title} · abm</title>" in page
    assert '<a class="brand" href="/">abm</a>' in page  # the product's layout
    assert f'<h1 id="error-title">{title}</h1>' in page
    back, dashboard = WAYS_BACK[lang]
    assert f'<a href="/accounts/?q=x">{back}</a>' in page
    if code != 429:  # the login limit meets a user who is logged out
        assert f'<a href="/">{dashboard}</a>' in page and "<nav>" in page


def test_a_500_shows_no_traceback_and_the_page_works_after_a_broken_session(
        client, login, crashing, session):
    login("manager")
    response = client.get("/test-only/crash")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert SECRET not in page and "Traceback" not in page and "IntegrityError" not in page
    # The user was loaded again after the rollback: the page has the full navigation.
    assert "Manager · " in page and 'action="/logout"' in page
    assert client.get("/").status_code == 200  # and the next request is served normally


def test_a_500_page_that_cannot_render_falls_back_to_a_plain_page(client, login, crashing):
    crashing.jinja_env.loader = ChoiceLoader([
        DictLoader({"errors/error.html": "{{ no_such_thing.attribute }}"}),
        crashing.jinja_env.loader])
    login("manager")
    _in_language(client, "ru")
    response = client.get("/test-only/crash")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "<h1>Что-то пошло не так на нашей стороне</h1>" in page
    assert '<a href="/">Вернуться в abm</a>' in page and SECRET not in page


def test_a_foreign_referrer_is_not_offered_as_the_way_back(client, login):
    login("sales")
    response = client.get("/accounts/999999", headers={"Referer": "https://evil.test/x"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "evil.test" not in page and "Back to the previous page" not in page


def test_a_logged_out_visitor_is_led_to_the_login_page(client):
    page = client.get("/no/such/page").get_data(as_text=True)
    assert '<a href="/login">Log in</a>' in page


@pytest.mark.parametrize("path", ["/api/v1/test-only/crash", "/api/v1/test-only/status/403",
                                  "/api/v1/test-only/status/413", "/api/v1/no/such/thing"])
def test_the_api_keeps_answering_json(client, crashing, path):
    response = client.get(path)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == response.status_code >= 400 and body["message"]
    assert SECRET not in response.get_data(as_text=True)


def test_an_expired_form_says_so(client, app, login, users):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"email": users["sales"].email,
                                            "password": PASSWORD})
    assert response.status_code == 400
    assert "The form had expired or came from another page." in response.get_data(as_text=True)
