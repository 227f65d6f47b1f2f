"""Login, logout and role checks."""

from __future__ import annotations

import functools
import math
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from abm.accounts.services import Viewer
from abm.audit import services as audit
from abm.db import get_session
from abm.queue import get_redis
from abm.users.services import authenticate
from abm.users.throttle import LoginThrottle

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


def safe_next(target: str | None) -> str | None:
    """Only a local path may follow login: no scheme, no host, no '//' tricks."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        throttle = LoginThrottle(get_redis().connection, current_app.config.get("LOGIN_THROTTLE"))
        email, address = form.email.data, request.remote_addr or ""
        wait = throttle.wait_seconds(email, address)
        if wait:
            return _throttled(form, email, wait)
        user = authenticate(get_session(), email, form.password.data)
        _audit_login(user, email)
        if user is None:
            throttle.failed(email, address)
        else:
            throttle.succeeded(email, address)
            lang = session.get("lang")
            session.clear()  # a new session on login, keeping only the chosen language
            if lang:
                session["lang"] = lang
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
        flash(_("Wrong email or password."), "error")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 401


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    audit.record(get_session(), current_user.id, audit.LOGOUT, f"user:{current_user.id}",
                 address=request.remote_addr)
    get_session().commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


def _throttled(form: LoginForm, email: str, wait: float):
    """Refuse an attempt that came before its delay was over, and say when to try again."""
    seconds = math.ceil(wait)
    audit.record(get_session(), None, audit.LOGIN_THROTTLED, f"email:{email.strip().lower()}",
                 {"wait_seconds": seconds}, address=request.remote_addr)
    get_session().commit()
    flash(ngettext("Too many failed attempts from your address: try again in %(num)s second.",
                   "Too many failed attempts from your address: try again in %(num)s seconds.",
                   seconds), "error")
    return render_template("auth/login.html", form=form), 429, {"Retry-After": str(seconds)}


def _audit_login(user, email: str) -> None:
    """Record a login or a failed one (never the password), committed at once."""
    if user is not None:
        audit.record(get_session(), user.id, audit.LOGIN, f"user:{user.id}",
                     address=request.remote_addr)
    else:
        audit.record(get_session(), None, audit.LOGIN_FAILED, f"email:{email.strip().lower()}",
                     address=request.remote_addr)
    get_session().commit()


def role_required(*roles: str):
    """Allow the view only to users holding one of ``roles`` (admins always pass)."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role.value != "admin" and current_user.role.value not in roles:
                abort(403)
            return view(*args, **kwargs)

        # Read by the role-against-page test matrix.
        wrapped.roles = frozenset(roles) | {"admin"}  # type: ignore[attr-defined]
        return wrapped

    return decorator


def current_viewer() -> Viewer:
    """The logged-in user as the accounts services see them."""
    return Viewer(user_id=current_user.id, role=current_user.role.value)


def current_actor() -> audit.Actor:
    """The logged-in user and their address, as the audit log records who did what."""
    return audit.Actor(current_user.id, request.remote_addr)
