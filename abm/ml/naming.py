"""Names a marketer can read, made from each centroid against the whole population.

Every part of a name comes from one rule on one feature of the centroid, and
the explanation carries the rule, the figure and where it sits among all
accounts, so the UI can answer "why is this segment called that?".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from abm.ml.features import FEATURES

_INDEX = {f.name: i for i, f in enumerate(FEATURES)}


def _part(text: str, feature: str, value: float, rule: str) -> dict[str, Any]:
    return {"text": text, "feature": feature, "value": _round(value), "rule": rule}


def _round(value: float) -> float:
    return round(float(value), 4) + 0.0  # + 0.0 turns -0.0 into 0.0


def percentile_of(population: np.ndarray, value: float, *, ordered: bool = False) -> float:
    """Percentile rank of ``value`` in the population (0..1), ties counted half.

    Counting ties half keeps a value shared by most accounts (zero revenue,
    say) in the middle, not at the top or the bottom. ``ordered`` says the
    population is sorted already.
    """
    values = population if ordered else np.sort(population)
    below = np.searchsorted(values, value, side="left")
    at_or_below = np.searchsorted(values, value, side="right")
    return float((below + at_or_below) / 2 / len(population))


def _name_parts(centroid: np.ndarray, population: np.ndarray) -> list[dict[str, Any]]:
    """The rules a centroid satisfies, in the order of its name (population columns sorted)."""

    def value(name: str) -> float:
        return float(centroid[_INDEX[name]])

    def pct(name: str) -> float:
        return percentile_of(population[:, _INDEX[name]], value(name), ordered=True)

    parts: list[dict[str, Any]] = []
    recency = value("recency_months")
    silent = int(round(recency))
    active = value("active_months_12m")
    lapsing = False
    if silent >= 6:
        parts.append(_part(f"Lost: silent {_months(silent)}", "recency_months", recency,
                           "months since the last purchase >= 6"))
        lapsing = True
    elif silent >= 2:
        window = max(12 - silent, 1)
        regular = active / window >= 0.6
        parts.append(_part(
            f"Lapsing: was {'regular' if regular else 'occasional'}, silent {_months(silent)}",
            "recency_months", recency, "2 <= months since the last purchase < 6"))
        lapsing = True
    elif value("tenure_months") <= 6:
        parts.append(_part("New", "tenure_months", value("tenure_months"),
                           "months since the first purchase <= 6"))
    elif value("tenure_months") <= 15:
        parts.append(_part("Recent", "tenure_months", value("tenure_months"),
                           "7 to 15 months since the first purchase"))

    revenue = pct("revenue_12m")
    if revenue >= 0.8:
        parts.append(_part("top revenue", "revenue_12m", value("revenue_12m"),
                           "revenue at or above the 80th percentile of accounts"))
    elif revenue >= 0.5:
        parts.append(_part("mid revenue", "revenue_12m", value("revenue_12m"),
                           "revenue between the 50th and 80th percentiles"))
    else:
        parts.append(_part("small revenue", "revenue_12m", value("revenue_12m"),
                           "revenue below the median account"))

    if not lapsing:
        if active >= 11:
            text, rule = "buys every month", "purchases in >= 11 of the last 12 months"
        elif active >= 6:
            text, rule = "buys most months", "purchases in 6 to 10 of the last 12 months"
        elif active >= 3:
            text, rule = "buys now and then", "purchases in 3 to 5 of the last 12 months"
        else:
            text, rule = "rare purchases", "purchases in fewer than 3 of the last 12 months"
        parts.append(_part(text, "active_months_12m", active, rule))

    trend = value("trend")
    if trend >= 0.25:
        parts.append(_part("growing", "trend", trend, "revenue trend >= +0.25"))
    elif trend <= -0.25:
        parts.append(_part("declining", "trend", trend, "revenue trend <= -0.25"))

    top = pct("top_share")
    if silent >= 6:
        pass  # what a lost account used to buy is no offer to make
    elif top >= 0.75 and value("top_share") > 0:
        parts.append(_part("buys the top assortment", "top_share", value("top_share"),
                           "top-assortment share at or above the 75th percentile"))
    elif top <= 0.25 and value("revenue_12m") > 0:
        parts.append(_part("little top assortment", "top_share", value("top_share"),
                           "top-assortment share at or below the 25th percentile"))

    potential = pct("clv_12m")
    if potential >= 0.75:
        parts.append(_part("high potential", "clv_12m", value("clv_12m"),
                           "customer lifetime value at or above the 75th percentile"))
    elif potential <= 0.25:
        parts.append(_part("low potential", "clv_12m", value("clv_12m"),
                           "customer lifetime value at or below the 25th percentile"))
    return parts


def _months(n: int) -> str:
    words = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
             9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}
    return f"{words.get(n, n)} months"


def describe_segments(
    centroids: np.ndarray, population: np.ndarray, *, apart: tuple[float, str] | None = None
) -> list[dict[str, Any]]:
    """A name and the figures behind it for each centroid.

    Args:
        centroids: (k, features) in the features' own units.
        population: every account's features, the reference for percentiles.

    Returns:
        One dict per centroid: ``name``, ``parts`` (the rules behind the name)
        and ``figures`` (per feature: label, centroid value, population median,
        percentile of the value among accounts). Names are unique: segments
        that would share one are told apart by revenue rank.
        apart: when the first centroid is the key accounts' segment (set apart
        before clustering), the threshold and the rule that set them apart.
    """
    population = np.sort(population, axis=0)  # each column sorted once, for every percentile
    medians = np.median(population, axis=0)
    described: list[dict[str, Any]] = []
    for centroid in centroids:
        parts = _name_parts(centroid, population)
        if apart is not None and not described:
            parts.insert(0, _part("Key accounts", "revenue_share", apart[0], apart[1]))
        text = ", ".join(p["text"] for p in parts)
        figures = [
            {
                "feature": f.name,
                "label": f.label,
                "unit": f.unit,
                "value": _round(centroid[i]),
                "median": _round(medians[i]),
                "percentile": round(percentile_of(population[:, i], centroid[i], ordered=True),
                                    4),
            }
            for i, f in enumerate(FEATURES)
        ]
        described.append({"name": text[0].upper() + text[1:], "parts": parts,
                          "figures": figures})
    _disambiguate(described, centroids)
    return described


def _disambiguate(described: list[dict[str, Any]], centroids: np.ndarray) -> None:
    by_name: dict[str, list[int]] = {}
    for i, d in enumerate(described):
        by_name.setdefault(d["name"], []).append(i)
    revenue = _INDEX["revenue_12m"]
    for indices in by_name.values():
        if len(indices) < 2:
            continue
        ranked = sorted(indices, key=lambda i: -centroids[i, revenue])
        for rank, i in enumerate(ranked, start=1):
            described[i]["name"] += f" ({_ordinal(rank)} by revenue)"


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")
