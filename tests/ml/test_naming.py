import numpy as np
import pytest

from abm.ml.clustering import segment
from abm.ml.features import FEATURE_NAMES
from abm.ml.naming import describe_segments, percentile_of
from tests.ml.test_clustering import blobs

RULES = {  # what each name part promises about its figure (value, percentile)
    "top revenue": lambda v, p: p >= 0.8,
    "mid revenue": lambda v, p: 0.5 <= p < 0.8,
    "small revenue": lambda v, p: p < 0.5,
    "buys every month": lambda v, p: v >= 11,
    "buys most months": lambda v, p: 6 <= v < 11,
    "buys now and then": lambda v, p: 3 <= v < 6,
    "rare purchases": lambda v, p: v < 3,
    "growing": lambda v, p: v >= 0.25,
    "declining": lambda v, p: v <= -0.25,
    "buys the top assortment": lambda v, p: p >= 0.75,
    "little top assortment": lambda v, p: p <= 0.25,
    "high potential": lambda v, p: p >= 0.75,
    "low potential": lambda v, p: p <= 0.25,
    "New": lambda v, p: v <= 6,
    "Recent": lambda v, p: 6 < v <= 15,
}


WORDS = {w: str(n) for n, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve"])}


def _rule(text: str):
    if text.startswith(("Lapsing", "Lost")):
        word = text.split("silent ")[1].split()[0]
        silent = int(WORDS.get(word, word))
        return lambda v, p: round(v) == silent
    return RULES[text]


def _centroid(**values) -> np.ndarray:
    base = dict(revenue_12m=1000, margin_rate=0.2, active_months_12m=6, purchase_days_12m=8,
                recency_months=0, tenure_months=24, trend=0.0, top_share=0.2, clv_12m=1000,
                p_alive=0.9)
    base.update(values)
    return np.array([base[n] for n in FEATURE_NAMES], dtype=float)


def test_explanations_agree_with_the_centroids():
    X = blobs()
    result = segment(X, k=4)
    for centroid, described in zip(result.centroids, describe_segments(result.centroids, X),
                                   strict=True):
        values = {f["feature"]: f["value"] for f in described["figures"]}
        assert [values[n] for n in FEATURE_NAMES] == pytest.approx(centroid, rel=1e-4, abs=1e-4)
        for f in described["figures"]:
            i = FEATURE_NAMES.index(f["feature"])
            column = X[:, i]
            assert f["percentile"] == pytest.approx(percentile_of(column, centroid[i]), abs=1e-4)
            assert f["median"] == pytest.approx(np.median(column), rel=1e-4, abs=1e-4)
        percentiles = {f["feature"]: f["percentile"] for f in described["figures"]}
        for part in described["parts"]:
            assert part["value"] == pytest.approx(values[part["feature"]], rel=1e-4, abs=1e-4)
            assert _rule(part["text"])(part["value"], percentiles[part["feature"]]), part


def test_top_monthly_buyers_with_high_potential_are_named_so():
    X = blobs()
    top = X[:50].mean(axis=0)
    assert describe_segments(top[None, :], X)[0]["name"] == (
        "Top revenue, buys every month, buys the top assortment, high potential")


def test_a_regular_buyer_silent_for_four_months_is_lapsing():
    X = blobs()
    lapsing = _centroid(recency_months=4, active_months_12m=7, trend=-0.5, clv_12m=10)
    name = describe_segments(lapsing[None, :], X)[0]["name"]
    assert name.startswith("Lapsing: was regular, silent four months")
    assert "declining" in name and name.endswith("low potential")


def test_a_long_silence_is_lost_and_a_short_tenure_is_new():
    X = blobs()
    lost, new = _centroid(recency_months=9), _centroid(tenure_months=3)
    names = [d["name"] for d in describe_segments(np.vstack([lost, new]), X)]
    assert names[0].startswith("Lost: silent nine months")
    assert names[1].startswith("New, ")


def test_names_are_unique_within_a_run():
    X = blobs()
    twins = np.vstack([_centroid(revenue_12m=900), _centroid(revenue_12m=1100)])
    names = [d["name"] for d in describe_segments(twins, X)]
    assert names[0].endswith("(2nd by revenue)") and names[1].endswith("(1st by revenue)")
