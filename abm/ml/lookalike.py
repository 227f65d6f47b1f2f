"""Prospects that look like the current key accounts, on firmographics.

A prospect's lookalike score is the share of key accounts among its nearest
customers (industry, region, size); it is then combined with the three "P"
qualification (need, ability to pay, authority) into one potential score.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.neighbors import NearestNeighbors


def firmographic_matrix(
    industries: Sequence[str | None], regions: Sequence[str | None],
    employees: Sequence[float | None],
) -> np.ndarray:
    """One-hot industry and region, plus log size scaled to the same weight as one category.

    Unknown industry or region matches nothing; unknown size sits at the median.
    """
    size = np.array([np.nan if e is None else float(e) for e in employees], dtype=float)
    size = np.log1p(np.clip(size, 0, None))
    if np.all(np.isnan(size)):
        size = np.zeros_like(size)
    size = np.where(np.isnan(size), np.nanmedian(size), size)
    spread = float(np.std(size)) or 1.0
    columns = [_one_hot(industries), _one_hot(regions), ((size - np.mean(size)) / spread)[:, None]]
    return np.hstack(columns)


def _one_hot(values: Sequence[str | None]) -> np.ndarray:
    levels = sorted({v for v in values if v})
    index = {v: i for i, v in enumerate(levels)}
    out = np.zeros((len(values), len(levels)))
    for row, v in enumerate(values):
        if v:
            out[row, index[v]] = 1.0
    return out


def lookalike_scores(
    prospects: np.ndarray, customers: np.ndarray, is_key: np.ndarray, n_neighbors: int = 10
) -> np.ndarray:
    """Share of key accounts among each prospect's nearest customers (0..1).

    Args:
        prospects: firmographic rows of the prospects.
        customers: firmographic rows of the customers, encoded together with the prospects.
        is_key: a boolean per customer row.
        n_neighbors: how many nearest customers vote.
    """
    if len(prospects) == 0:
        return np.zeros(0)
    if len(customers) == 0 or not np.any(is_key):
        return np.zeros(len(prospects))
    k = min(n_neighbors, len(customers))
    nn = NearestNeighbors(n_neighbors=k).fit(customers)
    _, neighbours = nn.kneighbors(prospects)
    return np.asarray(np.asarray(is_key, dtype=float)[neighbours].mean(axis=1), dtype=float)


def prospect_potential(lookalike: np.ndarray, qualified_ps: np.ndarray) -> np.ndarray:
    """Potential of a prospect: half lookalike, half the share of the three "P"s that hold."""
    return 0.5 * np.asarray(lookalike, dtype=float) + 0.5 * np.asarray(qualified_ps) / 3.0
