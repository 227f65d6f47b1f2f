"""Links in campaign messages: one-click unsubscribe (RFC 8058), open pixel, click redirect,
and the accept link of a loyalty invitation.

These pages are for recipients, who have no account: no login, and the
unsubscribe and accept POSTs are exempt from CSRF because mail clients send
the former with no form token (the signed token in the URL is what authorises
them). A GET of either page only shows what its button would do: link scanners
follow GETs.
"""

from __future__ import annotations

import base64

from flask import Blueprint, Response, abort, current_app, redirect, render_template
from flask_babel import force_locale

from abm.campaigns.invitations import accept_invitation, invitation_of
from abm.db import get_session
from abm.delivery.models import EventKind
from abm.delivery.tokens import BadToken, Tokens
from abm.delivery.tracking import (
    message_contact_email,
    recipient_language,
    record_event,
    unsubscribe,
)
from abm.http import writes
from abm.web import LANGUAGES, csrf

# Every link a recipient follows records what they did (opened, clicked).
bp = writes(Blueprint("tracking", __name__))

_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _tokens() -> Tokens:
    return Tokens(current_app.config["SECRET_KEY"])


def _recipient_page(outbox_id: int, **values) -> str:
    """The unsubscribe page in the recipient's language (see ``recipient_language``)."""
    with force_locale(recipient_language(get_session(), outbox_id, LANGUAGES)):
        return render_template("tracking/unsubscribe.html", **values)


@bp.get("/u/<token>")
def unsubscribe_page(token: str):
    """Shows what the link would do; a GET never unsubscribes (link scanners follow GETs)."""
    try:
        outbox_id = _tokens().read_unsubscribe(token)
    except BadToken:
        return render_template("tracking/unsubscribe.html", invalid=True), 404
    email = message_contact_email(get_session(), outbox_id)
    if email is None:
        return render_template("tracking/unsubscribe.html", invalid=True), 404
    return _recipient_page(outbox_id, email=email, done=False)


@bp.post("/u/<token>")
@csrf.exempt
def unsubscribe_post(token: str):
    """One-click unsubscribe: the mail client's POST, or the button of the page."""
    try:
        outbox_id = _tokens().read_unsubscribe(token)
    except BadToken:
        return render_template("tracking/unsubscribe.html", invalid=True), 404
    session = get_session()
    result = unsubscribe(session, outbox_id)
    if result is None:
        return render_template("tracking/unsubscribe.html", invalid=True), 404
    session.commit()
    return _recipient_page(outbox_id, email=result["email"], done=True)


@bp.get("/t/o/<token>.gif")
def open_pixel(token: str):
    try:
        outbox_id = _tokens().read_open(token)
    except BadToken:
        abort(404)
    session = get_session()
    if record_event(session, outbox_id, EventKind.OPEN):
        session.commit()
    return Response(_PIXEL, mimetype="image/gif",
                    headers={"Cache-Control": "no-store, max-age=0"})


@bp.get("/t/c/<token>")
def click(token: str):
    """Record the click and redirect; only to the URL signed into the token (no open redirect)."""
    try:
        outbox_id, url = _tokens().read_click(token)
    except BadToken:
        abort(404)
    if not url.startswith(("http://", "https://")):
        abort(404)
    session = get_session()
    if record_event(session, outbox_id, EventKind.CLICK, url):
        session.commit()
    return redirect(url, code=302)


def _accept_page(outbox_id: int | None, **values):
    """The accept page in the recipient's language; a link not valid answers 404."""
    if outbox_id is None:
        return render_template("tracking/accept.html", invalid=True), 404
    with force_locale(recipient_language(get_session(), outbox_id, LANGUAGES)):
        return render_template("tracking/accept.html", **values)


def _accepted_outbox_id(token: str) -> int | None:
    try:
        return _tokens().read_accept(token)
    except BadToken:
        return None


@bp.get("/a/<token>")
def accept_page(token: str):
    outbox_id = _accepted_outbox_id(token)
    invitation = invitation_of(get_session(), outbox_id) if outbox_id is not None else None
    if invitation is None:
        return _accept_page(None)
    return _accept_page(outbox_id, account=invitation.account, programme=invitation.programme,
                        done=invitation.accepted)


@bp.post("/a/<token>")
@csrf.exempt
def accept_post(token: str):
    """Record the acceptance (following the link again changes nothing)."""
    outbox_id = _accepted_outbox_id(token)
    session = get_session()
    result = accept_invitation(session, outbox_id) if outbox_id is not None else None
    if result is None or outbox_id is None:
        return _accept_page(None)
    session.commit()
    invitation = invitation_of(session, outbox_id)
    return _accept_page(outbox_id, account=invitation.account if invitation else "",
                        programme=result.programme, done=True)
