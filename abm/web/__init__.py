"""The web UI: Flask blueprints, one module per area; views stay thin."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from abm.db import get_session

LANGUAGES = ("en", "ru")

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"
csrf = CSRFProtect()


@login_manager.user_loader
def _load_user(user_id: str):
    from abm.users.models import User

    return get_session().get(User, int(user_id))


def _select_locale() -> str:
    from flask import current_app, has_request_context
    from flask_login import current_user

    if not has_request_context():  # a command, a job: the language of its environment
        from abm.config import command_language

        return command_language(LANGUAGES, current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))
    chosen = session.get("lang") or getattr(current_user, "language", None)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"


def _select_timezone():
    """Times are shown in the workspace time zone (a setting); read once per request."""
    from abm.workspace.services import workspace_zone

    return workspace_zone(get_session())


def init_app(app: Flask) -> None:
    from abm.web import (
        accounts,
        activity,
        admin,
        approvals,
        auth,
        contacts,
        dashboard,
        dossier,
        errors,
        i18n,
        imports,
        kam_reports,
        notifications,
        runs,
        segments,
    )

    login_manager.init_app(app)
    csrf.init_app(app)
    Babel(app, locale_selector=_select_locale, timezone_selector=_select_timezone)
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    from abm.web.tracking import bp as tracking_bp  # campaign unsubscribe and tracking links

    app.register_blueprint(tracking_bp)
    app.register_blueprint(runs.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(dossier.bp)
    app.register_blueprint(contacts.bp)
    app.register_blueprint(activity.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(approvals.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(segments.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(kam_reports.bp)
    from abm.web import tokens

    app.register_blueprint(tokens.bp)
    from abm.web import (
        account_work,
        alerts,
        campaign_editor,
        campaigns,
        greeting_dates,
        previews,
        rates,
        settings,
    )

    app.register_blueprint(campaigns.bp)
    app.register_blueprint(campaign_editor.bp)
    app.register_blueprint(previews.bp)
    app.register_blueprint(account_work.bp)
    app.register_blueprint(alerts.bp)
    app.register_blueprint(settings.bp)
    app.register_blueprint(rates.bp)
    from abm.web import prices

    app.register_blueprint(prices.bp)

    from abm.web import loyalty

    app.register_blueprint(loyalty.bp)

    app.register_blueprint(greeting_dates.bp)

    from abm.web import losses

    app.register_blueprint(losses.bp)
    i18n.init_app(app)
    errors.init_app(app)

    @app.after_request
    def _security_headers(response):
        from flask_login import current_user

        if current_user.is_authenticated:
            # A page behind the login is nobody else's: no cache keeps it, and the
            # back button after a logout does not show it again.
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        return response
