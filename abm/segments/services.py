"""Segmentation runs: features from the database, clustering, stable segment ids.

The reads of stored runs (:func:`account_segment`, :func:`latest_segments`,
:func:`segment_account_ids`) live in :mod:`abm.segments.reads`, which pages
import without loading scikit-learn; they are importable from here too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from abm.analytics.settings import AnalyticsSettings
from abm.ml.clustering import SegmentationError, match_segments, segment_apart
from abm.ml.features import FEATURE_NAMES, feature_matrix
from abm.ml.naming import describe_segments
from abm.sales.models import MonthlyAccountSales
from abm.segments.models import (
    AccountPotential,
    AccountSegment,
    RunSegment,
    Segment,
    SegmentationRun,
)
from abm.segments.potential import fit_potential
from abm.segments.queries import bulk_insert, segment_columns
from abm.segments.reads import (  # noqa: F401 - the reads, importable from here as before
    RunSummary,
    account_segment,
    latest_fit,
    latest_run_id,
    latest_segments,
    run_summary,
    segment_account_ids,
)
from abm.segments.refusals import PotentialError, note, said
from abm.segments.settings import PotentialSettings, SegmentationSettings
from abm.workspace.refusals import N_
from abm.workspace.services import settings_of

MIN_MONTHS = 3  # with fewer months recency, tenure and trend say nothing


def run_segmentation(
    session: Session,
    *,
    k: int | None = None,
    k_range: tuple[int, int] = (4, 8),
    max_distance: float = 1.0,
    random_state: int = 0,
    refit_potential: bool = False,
    progress: Callable[..., None] | None = None,
) -> RunSummary:
    """Segment every account with sales, match the segments to the previous run, store.

    Args:
        k: a fixed number of segments; None chooses it by silhouette over ``k_range``.
        max_distance: how far (in scaled units) a centroid may move and keep its segment id.
        refit_potential: fit potential first even when a fit exists (one is made if none).
        progress: called as ``progress(done, total, message)``.

    Returns:
        :func:`run_summary` of the new run. The caller commits.

    Raises:
        SegmentationError: no sales, too short a history, or too few distinct accounts.
    """
    report = progress or (lambda *a, **kw: None)
    started = time.perf_counter()
    months = session.execute(select(func.count(func.distinct(MonthlyAccountSales.month)),
                                    func.max(MonthlyAccountSales.month))).one()
    if not months[0]:
        raise SegmentationError("no_accounts")
    if months[0] < MIN_MONTHS:
        raise SegmentationError("short_history", months=months[0], minimum=MIN_MONTHS)
    as_of = months[1]
    report(0, 5, N_("fitting potential"))
    potential_note: dict[str, Any] | None = None
    fit = latest_fit(session)
    if fit is None or refit_potential:
        try:
            fit_potential(session)
            fit = latest_fit(session)
        except PotentialError as exc:
            potential_note = note("potential_not_available", exc)
            fit = None
    report(1, 5, N_("reading features"))
    ids, columns = segment_columns(session, as_of)
    columns.update(_potential_columns(session, fit, ids))
    X = feature_matrix(columns)
    report(2, 5, N_("clustering"))
    key_share = settings_of(session, AnalyticsSettings).key_share
    apart = key_accounts_by_share(columns["revenue_12m"], key_share)
    result = segment_apart(X, apart, k=k, k_range=k_range, random_state=random_state)
    rule = (f"share of revenue over the last 12 months >= {key_share:.0%}, set apart "
            "before clustering")
    described = describe_segments(result.centroids, X,
                                  apart=(key_share, rule) if apart.any() else None)
    report(3, 5, N_("matching with the previous run"))
    previous = session.scalar(select(SegmentationRun).order_by(SegmentationRun.id.desc()).limit(1))
    run = SegmentationRun(
        as_of=as_of, k=result.k, k_chosen_by="fixed" if k else "silhouette",
        n_accounts=len(ids),
        settings={"k": k, "k_range": list(k_range), "max_distance": max_distance,
                  "random_state": random_state, "key_share": key_share},
        metrics={}, feature_names=list(FEATURE_NAMES),
        potential_fit_id=fit.id if fit else None,
    )
    session.add(run)
    session.flush()
    segment_ids = _assign_ids(session, run, previous, result, described, max_distance)
    report(4, 5, N_("storing assignments"))
    scaled = result.scale(X)
    distance = np.linalg.norm(scaled - result.scaled_centroids[result.labels], axis=1)
    seg_of_label = np.array(segment_ids)[result.labels]
    bulk_insert(session, AccountSegment.__table__, ("run_id", "account_id", "segment_id",
                                                     "distance"),
                list(zip([run.id] * len(ids), ids.tolist(), seg_of_label.tolist(),
                         distance.tolist(), strict=True)))
    run.metrics = {
        "silhouette": result.silhouette,
        "silhouette_by_k": {str(c): v for c, v in result.silhouette_by_k.items()},
        "sizes": result.sizes, "seconds": round(time.perf_counter() - started, 3),
        "potential": said(potential_note) or "ok", "potential_note": potential_note,
    }
    session.flush()
    report(5, 5, N_("done"))
    return run_summary(session, run.id)


@dataclass(frozen=True, slots=True)
class Segmentation:
    """A new segmentation run, and why potential was not refitted before it (or None): in
    English (``note``) and as a code with its parameters (``reason``), for the reader's
    language (see :mod:`abm.segments.refusals`)."""

    summary: RunSummary
    reason: dict[str, Any] | None = None

    @property
    def note(self) -> str | None:
        return said(self.reason)


def segment_and_fit_potential(
    session: Session,
    *,
    k: int | None = None,
    refit_potential: bool = True,
    progress: Callable[..., None] | None = None,
) -> Segmentation:
    """Fit potential with the workspace's settings (unless told not to), then segment.

    The one way a segmentation run is made: the job behind the pages and the API,
    ``abm segment`` and the demo. A fit that fails (too short a history, no repeat
    purchases) is undone alone and noted: the segments then stand on sales alone
    (or on the previous fit). The caller commits.

    Raises:
        SegmentationError: see :func:`run_segmentation`.
    """
    report = progress or (lambda *a, **kw: None)
    segmentation = settings_of(session, SegmentationSettings)
    potential = settings_of(session, PotentialSettings)
    reason = None
    if refit_potential:
        report(0, 6, N_("fitting potential"))
        try:
            with session.begin_nested():
                fit_potential(session, **potential.fit_options())
        except PotentialError as exc:
            reason = note("potential_not_refitted", exc)

    def step(done: int, total: int, message: str) -> None:
        report(done + 1, total + 1, message)

    summary = run_segmentation(session, k=k, k_range=segmentation.k_range,
                               max_distance=segmentation.match_distance, progress=step)
    return Segmentation(summary=summary, reason=reason)


def key_accounts_by_share(revenue: np.ndarray, key_share: float) -> np.ndarray:
    """Which accounts hold at least ``key_share`` of the revenue (the key-account rule).

    Nothing is set apart when the threshold is zero (every account would be "key")
    or there is no revenue.
    """
    revenue = np.clip(np.asarray(revenue, dtype=float), 0, None)
    total = revenue.sum()
    if total <= 0 or key_share <= 0:
        return np.zeros(len(revenue), dtype=bool)
    return np.asarray(revenue / total >= key_share - 1e-12)


def _potential_columns(session, fit, ids) -> dict[str, np.ndarray]:
    clv = np.zeros(len(ids))
    alive = np.ones(len(ids))
    if fit is not None:
        rows = session.connection().execute(
            select(AccountPotential.account_id, AccountPotential.clv, AccountPotential.p_alive)
            .where(AccountPotential.fit_id == fit.id, AccountPotential.kind == "customer")
        ).all()
        if rows:
            found, values, p = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
            position = np.minimum(np.searchsorted(ids, found), max(len(ids) - 1, 0))
            hit = ids[position] == found  # ids are sorted; accounts not segmented are skipped
            clv[position[hit]] = np.nan_to_num(values[hit])
            alive[position[hit]] = np.nan_to_num(p[hit], nan=1.0)
    return {"clv_12m": clv, "p_alive": alive}


def _assign_ids(session, run, previous, result, described, max_distance) -> list[int]:
    """Segment ids for the new clusters: a matched cluster keeps its segment, others are new."""
    matched: list[int | None] = [None] * result.k
    if previous is not None and previous.feature_names == list(FEATURE_NAMES):
        before = sorted(previous.segments, key=lambda s: s.label)
        if before:
            raw = np.array([[s.centroid[n] for n in FEATURE_NAMES] for s in before])
            pairs = match_segments(result.scale(raw), result.scaled_centroids, max_distance)
            matched = [None if p is None else before[p].segment_id for p in pairs]
    ids = []
    for label, (seg_id, desc) in enumerate(zip(matched, described, strict=True)):
        if seg_id is None:
            seg = Segment(name=desc["name"], first_run_id=run.id, last_run_id=run.id)
            session.add(seg)
            session.flush()
            seg_id = seg.id
        else:
            session.execute(update(Segment).where(Segment.id == seg_id)
                            .values(name=desc["name"], last_run_id=run.id))
        session.add(RunSegment(
            run_id=run.id, segment_id=seg_id, label=label, name=desc["name"],
            size=result.sizes[label],
            centroid={n: float(v) for n, v in zip(FEATURE_NAMES, result.centroids[label],
                                                   strict=True)},
            scaled_centroid=[float(v) for v in result.scaled_centroids[label]],
            explanation={"parts": desc["parts"], "figures": desc["figures"]},
        ))
        ids.append(seg_id)
    session.flush()
    return ids
