"""Numbers and refusals for the command line in its language (see
``abm.config.command_language``), and refusals for the pages.

The commands word their text output through the catalogue like the pages; these
format the figures in it by the same locale (``12 345,67`` in Russian), and word a
service's :class:`~abm.workspace.refusals.Refusal`.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale, gettext


def _locale() -> str:
    return str(get_locale() or "en")


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=_locale())


def percent(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, pattern, locale=_locale())


def points(value: float | None) -> str:
    """A percentage given in points (12.5): "12.5%", "12,5 %"."""
    if value is None:
        return "—"
    return format_percent(value / 100, "#,##0.##%", locale=_locale())


def refusal_text(exc: Exception, **shown: Any) -> str:
    """A service's refusal in the reader's language: its catalogue template with its
    parameters (those in ``shown`` replaced: a status by its display name), or its own
    message where the service gave no template."""
    template = getattr(exc, "template", None)
    if not template:
        return str(exc)
    params = {**getattr(exc, "params", {}), **shown}
    return gettext(template, **{k: str(v) for k, v in params.items()})
