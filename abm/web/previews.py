"""Message previews in a frame of their own, shown as a mail client shows them.

A rendered message is kept for a few minutes under a random token and served
at its own address, into a sandboxed frame (no scripts, no same origin). That
document gets a policy of its own: the message's inline styles apply, while
scripts, forms, plugins and every other source stay refused. A ``srcdoc`` frame
would inherit the strict policy of the page around it, which refuses inline
styles: the preview would not look like the message and the browser would log
an error for every styled element.
"""

from __future__ import annotations

import json
import secrets

from flask import Blueprint, Response, render_template, url_for
from flask_login import current_user

from abm.queue import get_redis
from abm.web.auth import role_required

bp = Blueprint("previews", __name__, url_prefix="/previews")

TTL = 15 * 60  # seconds a preview stays readable: a page is looked at, then left
FRAME_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
                "font-src https: data:; base-uri 'none'; form-action 'none'; "
                "frame-ancestors 'self'; sandbox")


def _key(token: str) -> str:
    return f"abm:preview:{token}"


def keep_preview(html: str) -> str:
    """Keep a rendered message for the current user; returns the address of its frame."""
    token = secrets.token_urlsafe(18)
    get_redis().connection.setex(_key(token), TTL, json.dumps({"user": current_user.id,
                                                               "html": html}))
    return url_for("previews.frame", token=token)


@bp.get("/<token>")
@role_required("manager", "marketing")  # who reads campaigns; admins always pass
def frame(token: str):
    """The message kept under ``token``, for the user who previewed it."""
    raw = get_redis().connection.get(_key(token)) if len(token) <= 64 else None
    kept = json.loads(raw) if raw else None
    if kept is None or kept.get("user") != current_user.id:
        body, status = render_template("campaigns/pages/preview_expired.html"), 404
    else:
        body, status = kept["html"], 200
    return Response(body, status=status, mimetype="text/html", headers={
        "Content-Security-Policy": FRAME_POLICY,
        "X-Frame-Options": "SAMEORIGIN",
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
    })
