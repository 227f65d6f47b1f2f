"""Error pages: in the product's layout and the user's language, saying what happened and
leading back.

A 500 page must render when the request broke the database session, so the
session is rolled back first; and when the page itself cannot render (the
database is down, so is the user's record), a plain page takes its place rather
than a second error. Nothing of the exception is shown: it is logged.
The JSON API answers its own errors (see :func:`abm.api.core.init_routing_errors`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from abm.db import get_session
from abm.web import LANGUAGES
from abm.web.auth import safe_next

PAGES = {
    400: (_l("The request was not understood"),
          _l("Something in what the page sent was missing or malformed. Go back, reload the "
             "page and try again.")),
    403: (_l("Not for your role"),
          _l("Your role does not give access to this page or action. If you need it, ask an "
             "administrator.")),
    404: (_l("Page not found"),
          _l("There is nothing at this address: the link may be old, or what it showed has "
             "been deleted.")),
    405: (_l("Not allowed this way"),
          _l("This address does not take this kind of request. Use the page's own links and "
             "buttons.")),
    413: (_l("File too large"),
          _l("What you sent is larger than the server accepts. Send a smaller file, or split "
             "it.")),
    429: (_l("Too many attempts"),
          _l("Too many requests in a short time. Wait a few minutes, then try again.")),
    500: (_l("Something went wrong on our side"),
          _l("The server could not complete the request. Nothing of it was saved; the error "
             "has been logged. Try again, and tell your administrator if it persists.")),
}
CSRF_EXPIRED = _l("The form had expired or came from another page. Go back, reload the page "
                  "and send it again.")

# The page shown when even the error page cannot render: no template, no database.
PLAIN = {
    "en": ("Something went wrong on our side", "The error has been logged.", "Back to abm"),
    "ru": ("Что-то пошло не так на нашей стороне", "Ошибка записана в журнал.",
           "Вернуться в abm"),
}
PLAIN_PAGE = ('<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
              "<title>{title} · abm</title></head><body><main><h1>{title}</h1><p>{text}</p>"
              '<p><a href="/">{back}</a></p></main></body></html>')


def back_link() -> str | None:
    """The page the user came from, when it is on this site and not this very page."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    target = safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    return None if target in (None, request.full_path.rstrip("?"), request.path) else target


def error_page(exc: HTTPException):
    """The page of an HTTP error (and of an unhandled exception, as a 500)."""
    code = exc.code or 500
    if code >= 500:
        _roll_back()
    try:
        title, text = PAGES.get(code, (exc.name, exc.description))
        if isinstance(exc, CSRFError):
            text = CSRF_EXPIRED
        response = current_app.make_response((render_template(
            "errors/error.html", code=code, title=title, text=text, back=back_link()), code))
    except Exception:  # noqa: BLE001 - the page of an error must not fail in turn
        current_app.logger.exception("the error page %s failed to render", code)
        _roll_back()
        response = current_app.make_response((plain_page(), code))
    for name in ("Allow", "Retry-After"):  # what the error itself says to the client
        value = exc.get_response().headers.get(name)
        if value:
            response.headers[name] = value
    return response


def plain_page() -> str:
    """A page without template or database, in the language of the session or the browser."""
    chosen = session.get("lang")
    lang: str = chosen if chosen in LANGUAGES else (
        request.accept_languages.best_match(LANGUAGES) or "en")
    title, text, back = PLAIN[lang]
    return PLAIN_PAGE.format(lang=lang, title=title, text=text, back=back)


def _roll_back() -> None:
    try:
        get_session().rollback()
    except Exception:  # noqa: BLE001 - a connection that is gone cannot roll back either
        current_app.logger.exception("rolling back before an error page failed")


def init_app(app: Flask) -> None:
    """Register the error pages (the API wraps them with its JSON answers afterwards)."""
    for code in PAGES:
        app.register_error_handler(code, error_page)
    app.register_error_handler(HTTPException, error_page)
