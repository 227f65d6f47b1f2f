"""ISO 4217 currency codes, as Babel (the CLDR data Flask-Babel formats money with) knows them."""

from __future__ import annotations

from functools import cache

from babel.numbers import list_currencies


class UnknownCurrency(ValueError):
    """Not a currency code Babel knows; ``code`` is what was given."""

    def __init__(self, code: str) -> None:
        super().__init__(f"{code!r} is not an ISO 4217 currency code (such as EUR, RUB, USD)")
        self.code = code


@cache
def currency_codes() -> frozenset[str]:
    """Every code Babel knows (current and historical ones, about 300)."""
    return frozenset(list_currencies())


def currency_code(text: str) -> str:
    """``text`` as an upper-case ISO 4217 code.

    Raises:
        UnknownCurrency: not such a code.
    """
    code = text.strip().upper() if isinstance(text, str) else ""
    if code not in currency_codes():
        raise UnknownCurrency(str(text))
    return code
