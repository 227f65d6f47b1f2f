"""Pages that only read: their database transactions need not take the write lock.

On SQLite every transaction otherwise begins IMMEDIATE (see :mod:`abm.db`),
which makes concurrent page views queue for the single write lock while they
only read. A view marked with :func:`reads_only` runs its GET requests in
deferred transactions, so that gunicorn's workers serve them side by side.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, request

from abm.db import end_read_only, read_only


def reads_only(view: Callable) -> Callable:
    """Mark ``view`` as one whose GET requests never write to the database."""
    view.reads_only = True
    return view


def _begin() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method in ("GET", "HEAD") and getattr(view, "reads_only", False):
        g.read_only_token = read_only()


def _end(_exc) -> None:
    token = g.pop("read_only_token", None)
    if token is not None:
        end_read_only(token)


def init_app(app: Flask) -> None:
    app.before_request(_begin)
    app.teardown_request(_end)
