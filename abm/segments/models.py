"""Segmentation runs, segments with stable ids, account assignments, potential fits.

A :class:`Segment` is an identity that outlives runs: each run that finds it
again (its centroid barely moved) records a :class:`RunSegment` under the same
segment id, with that run's centroid, size, name and explanation.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Double, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from abm.db import Base, utcnow


class SegmentationRun(Base):
    __tablename__ = "segmentation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    as_of: Mapped[date] = mapped_column(Date)  # the last month of sales the features saw
    k: Mapped[int]
    k_chosen_by: Mapped[str] = mapped_column(String(20))  # "fixed" or "silhouette"
    n_accounts: Mapped[int]
    settings: Mapped[dict] = mapped_column(JSON)
    metrics: Mapped[dict] = mapped_column(JSON)  # silhouette, silhouette by k, sizes, seconds
    feature_names: Mapped[list] = mapped_column(JSON)
    potential_fit_id: Mapped[int | None] = mapped_column(
        ForeignKey("potential_fits.id", ondelete="SET NULL")
    )

    segments: Mapped[list[RunSegment]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="RunSegment.label"
    )


class Segment(Base):
    """A segment's identity: its id and latest name survive runs that barely move it."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    first_run_id: Mapped[int] = mapped_column(
        ForeignKey("segmentation_runs.id", ondelete="CASCADE")
    )
    last_run_id: Mapped[int] = mapped_column(ForeignKey("segmentation_runs.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RunSegment(Base):
    """A segment as one run found it: centroid, size, name and the figures behind the name."""

    __tablename__ = "run_segments"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("segmentation_runs.id", ondelete="CASCADE"), primary_key=True
    )
    segment_id: Mapped[int] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    label: Mapped[int]  # cluster index within the run (canonical order)
    name: Mapped[str] = mapped_column(String(300))
    size: Mapped[int]
    centroid: Mapped[dict] = mapped_column(JSON)  # feature name -> value in its own unit
    scaled_centroid: Mapped[list] = mapped_column(JSON)
    explanation: Mapped[dict] = mapped_column(JSON)  # name parts and figures

    run: Mapped[SegmentationRun] = relationship(back_populates="segments")
    segment: Mapped[Segment] = relationship(lazy="joined")


class AccountSegment(Base):
    """The segment of an account in a run."""

    __tablename__ = "account_segments"
    __table_args__ = (Index("ix_account_segments_account_run", "account_id", "run_id"),)

    run_id: Mapped[int] = mapped_column(
        ForeignKey("segmentation_runs.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    distance: Mapped[float] = mapped_column(Double)  # to its centroid, in the scaled space


class PotentialFit(Base):
    """One fit of BG/NBD (purchases) and Gamma-Gamma (spend) on every customer's history."""

    __tablename__ = "potential_fits"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    calibration_end: Mapped[date] = mapped_column(Date)
    unit: Mapped[str] = mapped_column(String(10))  # "days" or "weeks"
    horizon: Mapped[float] = mapped_column(Double)  # 12 months in that unit
    n_customers: Mapped[int]
    params: Mapped[dict] = mapped_column(JSON)  # bgnbd: r, alpha, a, b; spend: p, q, gamma
    log_likelihood: Mapped[float] = mapped_column(Double)
    settings: Mapped[dict] = mapped_column(JSON)


class AccountPotential(Base):
    """An account's potential in a fit: BG/NBD figures for customers, lookalike for prospects.

    Only the latest fit keeps its per-account rows; older fits keep their parameters.
    """

    __tablename__ = "account_potentials"
    __table_args__ = (Index("ix_account_potentials_account_fit", "account_id", "fit_id"),)

    fit_id: Mapped[int] = mapped_column(
        ForeignKey("potential_fits.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # "customer" or "prospect"
    frequency: Mapped[int | None]  # repeat purchase days
    recency: Mapped[float | None] = mapped_column(Double)  # t_x, in the fit's unit
    age: Mapped[float | None] = mapped_column(Double)  # T, in the fit's unit
    mean_spend: Mapped[float | None] = mapped_column(Double)  # of repeat purchase days
    expected_purchases: Mapped[float | None] = mapped_column(Double)  # over the horizon
    p_alive: Mapped[float | None] = mapped_column(Double)
    expected_spend: Mapped[float | None] = mapped_column(Double)  # per future purchase day
    # Customer lifetime value: expected revenue over the fit's CLV horizon, discounted
    clv: Mapped[float | None] = mapped_column(Double)
    purchases_90d: Mapped[float | None] = mapped_column(Double)  # expected, next 90 days
    lookalike: Mapped[float | None] = mapped_column(Double)  # prospects: 0..1
    qualified_ps: Mapped[int | None]  # prospects: how many of the three "P"s hold
    score: Mapped[float | None] = mapped_column(Double)  # prospects: combined potential 0..1
