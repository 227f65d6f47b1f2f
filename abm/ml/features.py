"""The features that segments are built on, and how each is transformed.

Plain data: the database side fills one array per feature name, in the order
of :data:`FEATURES`; the clustering side only sees the resulting matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Feature:
    name: str
    label: str
    log: bool  # heavy-tailed: compared on a signed log scale before scaling
    unit: str  # "money", "months", "count", "ratio", "probability"


FEATURES: tuple[Feature, ...] = (
    Feature("revenue_12m", "revenue, last 12 months", True, "money"),
    Feature("margin_rate", "margin as a share of revenue, last 12 months", False, "ratio"),
    Feature("active_months_12m", "months with purchases, last 12", False, "months"),
    Feature("purchase_days_12m", "purchase days, last 12 months", True, "count"),
    Feature("recency_months", "months since the last purchase", True, "months"),
    Feature("tenure_months", "months since the first purchase", True, "months"),
    Feature("trend", "revenue trend, last 6 months against the 6 before (-1..1)", False, "ratio"),
    Feature("top_share", "share of top-assortment products in revenue", False, "ratio"),
    Feature("clv_12m", "customer lifetime value, discounted (potential)", True, "money"),
    Feature("p_alive", "probability the account is still buying", False, "probability"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
LOG_MASK = np.array([f.log for f in FEATURES])


def signed_log(X: np.ndarray, mask: np.ndarray = LOG_MASK) -> np.ndarray:
    """``sign(x) * log1p(|x|)`` on the masked columns; the others unchanged."""
    X = np.array(X, dtype=float, copy=True)
    X[:, mask] = np.sign(X[:, mask]) * np.log1p(np.abs(X[:, mask]))
    return X


def signed_exp(X: np.ndarray, mask: np.ndarray = LOG_MASK) -> np.ndarray:
    """The inverse of :func:`signed_log`."""
    X = np.array(X, dtype=float, copy=True)
    X[:, mask] = np.sign(X[:, mask]) * np.expm1(np.abs(X[:, mask]))
    return X


def feature_matrix(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Stack per-feature arrays into a matrix in the order of :data:`FEATURES`.

    Missing values (no margin known, no potential fitted) become the column's
    neutral value: zero.
    """
    missing = [name for name in FEATURE_NAMES if name not in columns]
    if missing:
        raise ValueError(f"missing feature columns: {', '.join(missing)}")
    X = np.column_stack([np.asarray(columns[name], dtype=float) for name in FEATURE_NAMES])
    return np.asarray(np.nan_to_num(X, nan=0.0, posinf=0.0, neginf=0.0), dtype=float)
