"""Numbers for the command line in its language (see ``abm.config.command_language``).

The commands word their text output through the catalogue like the pages; these
format the figures in it by the same locale (``12 345,67`` in Russian).
"""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale


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
