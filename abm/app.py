"""The Flask application: wiring only, nothing connects or starts at import time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from abm import ROOT
from abm.config import Settings


def create_app(config: Mapping[str, Any] | Settings | None = None) -> Flask:
    """Build the Flask application. Wiring only: nothing connects or starts here.

    Args:
        config: a :class:`~abm.config.Settings`, or a dict of overrides. Keys in
            lower case are settings fields (``database_url``...); keys in upper
            case go to ``app.config`` (``TESTING``, ``WTF_CSRF_ENABLED``...).
            Without it, settings come from ``ABM_*`` environment variables.
    """
    from abm import api, db, http, queue, web
    from abm.users import passwords
    from abm.web import security

    app = Flask(
        "abm",  # the app and its logger are named "abm", not after this module
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "abm" / "web" / "static"),
    )
    settings, flask_overrides = _settings(config)
    settings.resolve(app.instance_path)
    passwords.configure(settings.password_hash)
    app.instance_path = settings.instance_path

    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=512 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE=settings.default_language,
    )
    app.config.update(flask_overrides)
    app.extensions["abm.settings"] = settings
    app.extensions["abm.db"] = db.Database(settings.database_url)
    app.extensions["abm.redis"] = queue.RedisExtension(settings)

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        app.extensions["abm.db"].session.remove()

    http.init_app(app)
    web.init_app(app)
    # Token auth only, no cookies: a cross-site form cannot carry a token.
    web.csrf.exempt(api.init_app(app))
    security.init_app(app, settings)
    return app


def _settings(
    config: Mapping[str, Any] | Settings | None,
) -> tuple[Settings, dict[str, Any]]:
    if isinstance(config, Settings):
        return config, {}
    settings = Settings.from_env()
    flask_overrides: dict[str, Any] = {}
    for key, value in (config or {}).items():
        if key.isupper():
            flask_overrides[key] = value
        elif hasattr(settings, key):
            setattr(settings, key, value)
        else:
            raise ValueError(f"unknown setting {key!r}")
    return settings, flask_overrides
