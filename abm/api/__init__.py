"""The JSON API under ``/api/v1``, described by an OpenAPI 3.1 document.

One module per resource; each declares its endpoints with
:func:`abm.api.core.operation`. To add a resource, write its module and add
it to :data:`RESOURCES`.
"""

from __future__ import annotations

import importlib

from flask import Blueprint, Flask

RESOURCES = (
    "openapi", "me", "tokens", "accounts", "contacts", "products", "tasks", "interactions",
    "runs", "audit", "imports", "rates", "analytics", "segments", "campaigns", "notifications",
    "reports", "prices", "loyalty", "sales_records", "dossier", "settings",
    "greeting_dates", "losses",
)


def load_resources() -> None:
    """Import every resource module, which declares its operations on the blueprint."""
    for name in RESOURCES:
        importlib.import_module(f"abm.api.{name}")


def init_app(app: Flask) -> Blueprint:
    """Register the API blueprint and its JSON errors; returns the blueprint.

    The API authenticates by bearer token only, never by cookie, so a cross-site
    form cannot call it: :func:`abm.app.create_app` exempts it from the web UI's
    CSRF protection.
    """
    from abm.api import core

    load_resources()
    if "api" not in app.blueprints:
        core.init_routing_errors(app)
        app.register_blueprint(core.bp)
    return core.bp
