"""An amount in whole units of a currency, written as a locale writes money: the pages and
the commands (through :class:`abm.analytics.wording.Words`) show amounts alike."""

from __future__ import annotations

import functools

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern


def whole_units(value: float, currency: str, locale: str) -> str:
    """``value`` in ``currency`` without its cents, as ``locale`` writes money
    (``€55,000``, ``55 000 €``)."""
    return whole_units_pattern(locale, currency).apply(value, Locale.parse(locale))


# The patterns are parsed once and applied directly: a list page formats hundreds
# of numbers, and Flask-Babel's wrappers cost several times the formatting itself.
@functools.lru_cache(maxsize=64)
def whole_units_pattern(locale: str, currency: str) -> NumberPattern:
    """The locale's own currency pattern (where the sign goes, which spaces), minus the cents,
    with the currency's symbol written in."""
    parsed = Locale.parse(locale)
    symbol = parsed.currency_symbols.get(currency, currency).replace("'", "''")
    pattern = parsed.currency_formats["standard"].pattern.replace(".00", "")
    # CLDR's currency spacing: a symbol of letters (RUB, not ₽) is kept apart from the digits.
    before = pattern.index("¤") < pattern.index("0")
    if before and symbol[-1].isalpha() and not pattern.startswith(("¤ ", "¤\u00a0")):
        symbol += "\u00a0"
    elif not before and symbol[0].isalpha() and pattern[pattern.index("¤") - 1].isdigit():
        symbol = "\u00a0" + symbol
    return parse_pattern(pattern.replace("¤", f"'{symbol}'"))
