"""HTTP plumbing shared by the web UI and the JSON API: requests that only read.

On SQLite a transaction that may write begins IMMEDIATE (see :mod:`abm.db`), so
that it waits its turn for the single write lock instead of failing half-way.
A GET or HEAD request only reads, so its transactions begin deferred and run
side by side with each other and with a writer, whichever blueprint answers it.
The few GET views that do write (a tracked click, an API call that records its
token's use) say so with :func:`writes`, on the view or on its blueprint; a
page that writes one audit row beside its reading writes it in a unit of work
of its own instead (:func:`abm.db.unit_of_work`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, current_app, g, request

from abm.db import end_read_only, read_only

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

T = TypeVar("T", Callable[..., Any], Blueprint)


def writes(target: T) -> T:
    """Mark a view, or every view of a blueprint, as writing even on GET."""
    target.writes = True  # type: ignore[attr-defined]  # read back with getattr below
    return target


def request_reads_only() -> bool:
    """Whether the current request's transactions only read."""
    if request.method not in SAFE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    blueprint = current_app.blueprints.get(request.blueprint or "")
    return not (getattr(view, "writes", False) or getattr(blueprint, "writes", False))


def _begin() -> None:
    if request_reads_only():
        g.read_only_token = read_only()


def _end(_exc: BaseException | None) -> None:
    token = g.pop("read_only_token", None)
    if token is not None:
        end_read_only(token)


def init_app(app: Flask) -> None:
    """Run every safe request (web UI and API alike) in read-only transactions."""
    app.before_request(_begin)
    app.teardown_request(_end)
