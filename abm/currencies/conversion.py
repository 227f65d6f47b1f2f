"""Converting amounts to the workspace currency at the rate of their day, with no database.

Loaded once per import (:func:`abm.currencies.services.load_rates`) and handed to
the reader process of a big file too, so it imports nothing heavy and pickles.
A line costs a dict lookup: the rate of each (currency, day) is found once.
"""

from __future__ import annotations

from bisect import bisect_right


class Rates:
    """The rates to ``base``: for each currency, its (valid from, rate) steps.

    Args:
        base: the workspace currency.
        steps: currency -> [(ISO day valid from, rate)], in any order.
    """

    def __init__(self, base: str, steps: dict[str, list[tuple[str, float]]]) -> None:
        self.base = base
        self._days: dict[str, list[str]] = {}
        self._rates: dict[str, list[float]] = {}
        for currency, pairs in steps.items():
            ordered = sorted(pairs)
            self._days[currency] = [day for day, _ in ordered]
            self._rates[currency] = [rate for _, rate in ordered]
        self._memo: dict[tuple[str, str], float | None] = {}

    def rate(self, currency: str, day: str) -> float | None:
        """What one unit of ``currency`` is worth in :attr:`base` on ``day`` (ISO), or None
        when no rate of that currency is valid yet on that day."""
        key = (currency, day)
        try:
            return self._memo[key]
        except KeyError:
            pass
        found = None
        if currency == self.base:
            found = 1.0
        elif currency in self._days:
            index = bisect_right(self._days[currency], day) - 1
            if index >= 0:
                found = self._rates[currency][index]
        self._memo[key] = found
        return found
