"""Clustering accounts: a scikit-learn Pipeline, k by silhouette, stable matching.

Deterministic: a fixed ``random_state`` everywhere, and clusters put in a
canonical order (by revenue centroid, then the other features), so the same
data always gives the same labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from abm.ml.errors import DataError
from abm.ml.features import signed_exp, signed_log

SILHOUETTE_SAMPLE = 2000  # silhouette is quadratic in accounts: score a fixed sample
SEARCH_SAMPLE = 20_000  # k is chosen on a fixed sample; the final fit sees every account


class SegmentationError(DataError):
    """The data cannot be segmented as asked: a code of :data:`abm.ml.errors.MESSAGES` says
    why."""


@dataclass
class Segmentation:
    """The outcome of one clustering, in canonical cluster order."""

    k: int
    labels: np.ndarray  # cluster index per account
    centroids: np.ndarray  # (k, features) in the features' own units
    scaled_centroids: np.ndarray  # (k, features) in the space the clusters were found in
    sizes: list[int]
    silhouette: float | None
    silhouette_by_k: dict[int, float] = field(default_factory=dict)
    pipeline: Pipeline | None = None

    def scale(self, raw: np.ndarray) -> np.ndarray:
        """Map points in feature units (e.g. an earlier run's centroids) to this run's space."""
        if self.pipeline is None:
            raise ValueError("this segmentation was built without its pipeline")
        return np.asarray(self.pipeline[:-1].transform(np.atleast_2d(raw)), dtype=float)


def make_pipeline(k: int, random_state: int = 0) -> Pipeline:
    """Signed log of the skewed features, standard scaling, then KMeans."""
    return Pipeline([
        ("log", FunctionTransformer(signed_log, inverse_func=signed_exp, check_inverse=False)),
        ("scale", StandardScaler()),
        ("cluster", KMeans(n_clusters=k, n_init=4, random_state=random_state)),
    ])


def segment(
    X: np.ndarray,
    *,
    k: int | None = None,
    k_range: tuple[int, int] = (4, 8),
    random_state: int = 0,
) -> Segmentation:
    """Cluster the rows of ``X`` into ``k`` segments, or the k of best silhouette.

    Args:
        X: one row per account, columns as in :data:`~abm.ml.features.FEATURES`.
        k: a fixed number of segments; None chooses it by silhouette over ``k_range``.
        k_range: the smallest and largest k tried, both included.
        random_state: the seed of KMeans and of the silhouette sample.

    Raises:
        SegmentationError: too few accounts, or accounts too alike, for the segments asked.
    """
    X = np.asarray(X, dtype=float)
    n = len(X)
    if n == 0:
        raise SegmentationError("no_accounts")
    distinct = len(np.unique(X, axis=0))
    if k is not None:
        if k < 2:
            raise SegmentationError("k_too_small")
        if n < k:
            raise SegmentationError("fewer_accounts_than_k", accounts=n, k=k)
        if distinct < k:
            raise SegmentationError("too_alike_for_k", profiles=distinct, k=k)
        candidates = [k]
    else:
        if distinct < 2:
            raise SegmentationError("identical")
        low, high = k_range
        high = min(high, distinct - 1 if distinct > 2 else 2)
        low = min(low, high)
        candidates = list(range(max(2, low), high + 1))

    pipeline = make_pipeline(candidates[0], random_state)
    # One thread: on a busy two-core worker, OpenMP and BLAS threads fighting
    # over cores made KMeans and silhouette ten times slower, not faster.
    with threadpool_limits(limits=1):
        prepared = pipeline[:-1].fit_transform(X)
        scores, fitted = _search(pipeline[-1], prepared, candidates, random_state)
        if k is None:
            # Best silhouette; on a tie the fewer segments, easier to work with.
            best = max(scores, key=lambda c: (round(scores[c], 6), -c)) if scores else candidates[0]
        else:
            best = k
        model = fitted[best]
        if len(prepared) > SEARCH_SAMPLE:
            # Refine the sample's centres on every account: one Lloyd run from there.
            model = clone(pipeline[-1]).set_params(
                n_clusters=best, init=model.cluster_centers_, n_init=1).fit(prepared)
    pipeline.steps[-1] = ("cluster", model)
    return _canonical(pipeline, model, prepared, best, scores)


def _search(
    kmeans: KMeans, prepared: np.ndarray, candidates: list[int], random_state: int
) -> tuple[dict[int, float], dict[int, KMeans]]:
    """KMeans for every candidate k on a fixed sample, and its silhouette on a smaller one."""
    rng = np.random.default_rng(random_state)
    n = len(prepared)
    sample = prepared
    if n > SEARCH_SAMPLE:
        sample = prepared[np.sort(rng.choice(n, SEARCH_SAMPLE, replace=False))]
    scored = None
    if len(sample) > SILHOUETTE_SAMPLE:
        scored = np.sort(rng.choice(len(sample), SILHOUETTE_SAMPLE, replace=False))
    scores: dict[int, float] = {}
    fitted: dict[int, KMeans] = {}
    for candidate in candidates:
        model = clone(kmeans).set_params(n_clusters=candidate).fit(sample)
        fitted[candidate] = model
        labels = model.labels_ if scored is None else model.labels_[scored]
        points = sample if scored is None else sample[scored]
        if 1 < len(np.unique(labels)) < len(points):
            scores[candidate] = float(silhouette_score(points, labels))
    return scores, fitted


def _canonical(
    pipeline: Pipeline, model: KMeans, prepared: np.ndarray, k: int, scores: dict[int, float]
) -> Segmentation:
    scaled = model.cluster_centers_
    raw = pipeline[:-1].inverse_transform(scaled)
    # Order clusters by their raw centroids, revenue first: ids never depend on
    # the arbitrary numbering KMeans happens to produce.
    order = np.lexsort(tuple(-raw[:, j] for j in reversed(range(raw.shape[1]))))
    rank = np.empty(k, dtype=int)
    rank[order] = np.arange(k)
    labels = rank[model.labels_]
    sizes = np.bincount(labels, minlength=k).tolist()
    return Segmentation(
        k=k,
        labels=labels,
        centroids=raw[order],
        scaled_centroids=scaled[order],
        sizes=sizes,
        silhouette=scores.get(k),
        silhouette_by_k=scores,
        pipeline=pipeline,
    )


def match_segments(
    previous: np.ndarray, current: np.ndarray, max_distance: float = 1.0
) -> list[int | None]:
    """Match the current clusters to the previous ones by centroid distance.

    Args:
        previous: the earlier centroids, mapped into the current scaled space.
        current: the current scaled centroids.
        max_distance: beyond this Euclidean distance a cluster is new, not moved.

    Returns:
        For each current cluster, the index of its previous cluster, or None
        when it is new (an optimal one-to-one assignment, Hungarian method).
    """
    matches: list[int | None] = [None] * len(current)
    if len(previous) == 0 or len(current) == 0:
        return matches
    cost = np.linalg.norm(current[:, None, :] - previous[None, :, :], axis=2)
    rows, cols = linear_sum_assignment(cost)
    for row, col in zip(rows, cols, strict=True):
        if cost[row, col] <= max_distance:
            matches[row] = int(col)
    return matches


def segment_apart(
    X: np.ndarray,
    apart: np.ndarray,
    *,
    k: int | None = None,
    k_range: tuple[int, int] = (4, 8),
    random_state: int = 0,
) -> Segmentation:
    """Clustering with the ``apart`` rows (the key accounts) as a segment of their own.

    A handful of accounts each worth 10% of revenue or more is too few to pull a
    KMeans centre to itself: clustered with everyone they landed among hundreds of
    small accounts. The rule that makes them key is applied first instead, and only
    the others are clustered; the key accounts' segment comes first (label 0).

    Args:
        apart: one boolean per row; when none is set this is :func:`segment`.
        k: the total number of segments, the key accounts' one included.
    """
    X = np.asarray(X, dtype=float)
    apart = np.asarray(apart, dtype=bool)
    if not apart.any() or apart.all():
        return segment(X, k=k, k_range=k_range, random_state=random_state)
    rest_k = None if k is None else max(k - 1, 2)
    rest = segment(X[~apart], k=rest_k, k_range=k_range, random_state=random_state)
    key_scaled = rest.scale(X[apart]).mean(axis=0)
    key_raw = rest.pipeline[:-1].inverse_transform(key_scaled[None, :])[0]  # type: ignore[index]
    labels = np.empty(len(X), dtype=int)
    labels[apart] = 0
    labels[~apart] = rest.labels + 1
    return Segmentation(
        k=rest.k + 1,
        labels=labels,
        centroids=np.vstack([key_raw, rest.centroids]),
        scaled_centroids=np.vstack([key_scaled, rest.scaled_centroids]),
        sizes=[int(apart.sum())] + rest.sizes,
        silhouette=rest.silhouette,
        silhouette_by_k=rest.silhouette_by_k,
        pipeline=rest.pipeline,
    )
