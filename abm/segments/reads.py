"""What pages read of the stored segmentation runs and potential fits.

Kept apart from the fitting code on purpose: reading a stored run needs only
the tables, while :mod:`abm.segments.services` and :mod:`abm.segments.potential`
import scikit-learn and SciPy, which take a second and more to import. A web
process that only shows segments never pays for them (the first accounts list
after a start took 1.2 s when it did).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from abm.segments.models import (
    AccountPotential,
    AccountSegment,
    PotentialFit,
    RunSegment,
    SegmentationRun,
)


@dataclass(frozen=True, slots=True)
class SegmentProfile:
    """One segment of a run, explained.

    Attributes:
        id: the segment's id, stable across runs while the segment stays where it was.
        label: the cluster's number in the run.
        share: of the run's accounts, 0 to 1 (4 decimals).
        centroid: each feature's value at the centre.
        explanation: ``parts`` of the name and the ``figures`` behind them.
    """

    id: int
    label: int
    name: str
    size: int
    share: float
    centroid: dict[str, float]
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RunSummary:
    """A segmentation run: when, how, how well, and its segments by label.

    Dates are ISO strings: the summary is also a job's stored result.
    """

    run_id: int
    created_at: str
    as_of: str
    k: int
    k_chosen_by: str
    accounts: int
    settings: dict[str, Any]
    metrics: dict[str, Any]
    potential_fit_id: int | None
    segments: list[SegmentProfile]


@dataclass(frozen=True, slots=True)
class SegmentOfAccount:
    """The segment of one account in the latest run, with the figures behind its name."""

    segment_id: int
    name: str
    run_id: int
    as_of: str
    distance: float
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PotentialFigures:
    """The latest potential of one account: customers from BG/NBD and Gamma-Gamma
    (frequency to clv), prospects from their likeness to key accounts (lookalike to score).

    ``clv`` is the expected revenue over ``clv_months`` discounted at ``discount_rate``
    a year (fits before discounting: 12 months, undiscounted, as their settings say).
    """

    fit_id: int
    calibration_end: str
    unit: str
    horizon_months: int
    kind: str
    frequency: float | None
    recency: float | None
    age: float | None
    mean_spend: float | None
    expected_purchases: float | None
    p_alive: float | None
    expected_spend: float | None
    clv: float | None
    purchases_90d: float | None
    clv_months: int
    discount_rate: float
    lookalike: float | None
    qualified_ps: int | None
    score: float | None


def run_summary(session: Session, run_id: int) -> RunSummary:
    """A run: settings, metrics and its segments with names and figures."""
    run = session.get_one(SegmentationRun, run_id)  # the callers know it exists
    total = max(run.n_accounts, 1)
    return RunSummary(
        run_id=run.id, created_at=run.created_at.isoformat(), as_of=run.as_of.isoformat(),
        k=run.k, k_chosen_by=run.k_chosen_by, accounts=run.n_accounts, settings=run.settings,
        metrics=run.metrics, potential_fit_id=run.potential_fit_id,
        segments=[
            SegmentProfile(id=s.segment_id, label=s.label, name=s.name, size=s.size,
                           share=round(s.size / total, 4), centroid=s.centroid,
                           explanation=s.explanation)
            for s in sorted(run.segments, key=lambda s: s.label)
        ],
    )


def latest_run_id(session: Session) -> int | None:
    return session.scalar(select(func.max(SegmentationRun.id)))


def latest_segments(session: Session) -> RunSummary | None:
    """The latest run as :func:`run_summary`, or None before the first run."""
    run_id = latest_run_id(session)
    return None if run_id is None else run_summary(session, run_id)


def account_segment(session: Session, account_id: int) -> SegmentOfAccount | None:
    """The segment of an account in the latest run, or None when there is no run or the
    account had no sales at that run."""
    run_id = latest_run_id(session)
    if run_id is None:
        return None
    row = session.execute(
        select(AccountSegment.segment_id, AccountSegment.distance, RunSegment.name,
               RunSegment.explanation, SegmentationRun.as_of)
        .join(RunSegment, (RunSegment.run_id == AccountSegment.run_id)
              & (RunSegment.segment_id == AccountSegment.segment_id))
        .join(SegmentationRun, SegmentationRun.id == AccountSegment.run_id)
        .where(AccountSegment.run_id == run_id, AccountSegment.account_id == account_id)
    ).one_or_none()
    if row is None:
        return None
    return SegmentOfAccount(segment_id=row.segment_id, name=row.name, run_id=run_id,
                            as_of=row.as_of.isoformat(), distance=row.distance,
                            explanation=row.explanation)


def segment_account_ids(session: Session, segment_id: int) -> list[int]:
    """The accounts in a segment at the latest run (a campaign audience), sorted by id."""
    run_id = latest_run_id(session)
    if run_id is None:
        return []
    return list(session.scalars(
        select(AccountSegment.account_id)
        .where(AccountSegment.run_id == run_id, AccountSegment.segment_id == segment_id)
        .order_by(AccountSegment.account_id)))


def latest_fit(session: Session) -> PotentialFit | None:
    return session.scalar(select(PotentialFit).order_by(PotentialFit.id.desc()).limit(1))


def _figures(row: AccountPotential, fit: PotentialFit) -> PotentialFigures:
    return PotentialFigures(
        fit_id=fit.id, calibration_end=fit.calibration_end.isoformat(), unit=fit.unit,
        horizon_months=fit.settings.get("horizon_months", 12), kind=row.kind,
        frequency=row.frequency, recency=row.recency, age=row.age,
        mean_spend=row.mean_spend, expected_purchases=row.expected_purchases,
        p_alive=row.p_alive, expected_spend=row.expected_spend, clv=row.clv,
        purchases_90d=row.purchases_90d, clv_months=fit.settings.get("clv_months", 12),
        discount_rate=fit.settings.get("discount_rate", 0.0),
        lookalike=row.lookalike, qualified_ps=row.qualified_ps, score=row.score,
    )


def account_potentials(session: Session, account_ids: list[int]) -> dict[int, PotentialFigures]:
    """The latest potential figures of these accounts, by account id (absent: not scored)."""
    fit = latest_fit(session)
    if fit is None or not account_ids:
        return {}
    out: dict[int, PotentialFigures] = {}
    ids = sorted(set(account_ids))
    for start in range(0, len(ids), 500):
        rows = session.scalars(select(AccountPotential).where(
            AccountPotential.fit_id == fit.id,
            AccountPotential.account_id.in_(ids[start:start + 500])))
        out.update({r.account_id: _figures(r, fit) for r in rows})
    return out


def account_potential(session: Session, account_id: int) -> PotentialFigures | None:
    """The latest potential figures of one account, or None when it was not scored."""
    return account_potentials(session, [account_id]).get(account_id)


def probability_alive(session: Session, account_id: int) -> float | None:
    """P(alive) of a customer in the latest fit; None for prospects and unscored accounts."""
    figures = account_potential(session, account_id)
    return None if figures is None else figures.p_alive


def potential_count(session: Session) -> int:
    fit = latest_fit(session)
    if fit is None:
        return 0
    return session.scalar(select(func.count()).select_from(AccountPotential)
                          .where(AccountPotential.fit_id == fit.id)) or 0


def latest_segment_choices(session: Session) -> list[tuple[int, str]]:
    """(segment id, name) of the latest segmentation run, by label; empty before any run."""
    latest = latest_segments(session)
    return [(s.id, s.name) for s in latest.segments] if latest else []


def account_ids_in_segment(segment_id: int) -> Select:
    """SELECT of the ids of the accounts in a segment at the latest segmentation run."""
    latest = select(func.max(SegmentationRun.id)).scalar_subquery()
    return select(AccountSegment.account_id).where(AccountSegment.run_id == latest,
                                                   AccountSegment.segment_id == segment_id)
