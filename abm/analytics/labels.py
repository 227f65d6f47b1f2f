"""Every account's labels (share, flags, Pareto, ABC-XYZ): computed by reading, then stored.

Labels that depend on every other account (its share, its ABC class) cannot be
computed for one account alone in a few milliseconds, so the full refresh
stores them per account; an account page then reads one row. Computing reads
the monthly aggregates only; storing writes the snapshot and a row per
account. The two are apart so that the refresh can report its progress
between reads and write everything in one transaction at the end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete
from sqlalchemy.orm import Session

from abm.analytics.abcxyz import AccountClass, abc_xyz
from abm.analytics.bulk import insert_rows
from abm.analytics.concentration import Concentration, concentration
from abm.analytics.models import AccountAnalytics, AnalyticsSnapshot
from abm.analytics.periods import last_full_month, month_span
from abm.analytics.settings import AnalyticsSettings
from abm.analytics.stats import account_figures
from abm.workspace.services import settings_of


@dataclass
class Labels:
    """What :func:`compute_labels` found, ready for :func:`store_labels`.

    Attributes:
        today: the day the labels are computed for.
        settings: the workspace's analytics settings used.
        conc: the concentration result (shares, flags, Pareto); the alerts reuse it.
        classes: the ABC-XYZ class of each account, by account id.
        revenue: each account's revenue in the period (also when shares are on margin).
        seconds: time spent reading and classifying.
    """

    today: date
    settings: AnalyticsSettings
    conc: Concentration
    classes: dict[int, AccountClass]
    revenue: dict[int, float]
    seconds: float


@dataclass(frozen=True, slots=True)
class StoredLabels:
    """The snapshot stored: its id, how many accounts, the total, the HHI, the Pareto core,
    and the seconds spent classifying and storing."""

    snapshot_id: int
    accounts: int
    total: float
    hhi: float
    core_accounts: int
    seconds: dict[str, float]


def compute_labels(session: Session, *, today: date) -> Labels:
    """Read the monthly aggregates and classify every account; writes nothing."""
    s = settings_of(session, AnalyticsSettings)
    end = last_full_month(today)
    started = time.perf_counter()
    figures = account_figures(session, end=end, months=s.period_months, measure=s.measure,
                              xyz_months=s.xyz_months, with_names=False)
    conc = concentration(session, end=end, settings=s, figures=figures, explain=False)
    classes = {a.account_id: a for a in
               abc_xyz(session, end=end, settings=s, figures=figures, explain=False).accounts}
    return Labels(today=today, settings=s, conc=conc, classes=classes,
                  revenue={f.account_id: f.revenue for f in figures},
                  seconds=time.perf_counter() - started)


def store_labels(session: Session, labels: Labels) -> StoredLabels:
    """Store a snapshot and every account's labels in place of the previous ones.

    The caller commits.
    """
    started = time.perf_counter()
    s, conc = labels.settings, labels.conc
    start, end = month_span(last_full_month(labels.today), s.period_months)
    snapshot = AnalyticsSnapshot(
        today=labels.today, period_start=start, period_end=end,
        measure=s.measure, total=conc.total,
        accounts=conc.accounts_with_sales, hhi=conc.hhi,
        core_accounts=conc.pareto.core_accounts,
        settings=s.stored(),  # keyed as stored, as the snapshots of every version are
    )
    session.add(snapshot)
    session.flush()
    session.execute(delete(AccountAnalytics))
    rows = []
    for a in conc.accounts:
        c = labels.classes[a.account_id]
        rows.append({
            "account_id": a.account_id, "snapshot_id": snapshot.id, "value": a.value,
            "revenue": labels.revenue[a.account_id], "share": a.share, "rank": a.rank,
            "cumulative_share": a.cumulative_share,
            "is_key": a.key, "dependency": a.dependency, "mono_client": a.mono_client,
            "pareto_core": a.pareto_core, "near_key": a.near_key, "growth": a.growth,
            "abc": c.abc, "xyz": c.xyz, "cv": c.cv, "mean_monthly": c.mean_monthly,
        })
    insert_rows(session, AccountAnalytics, rows)
    return StoredLabels(
        snapshot_id=snapshot.id, accounts=len(rows), total=conc.total, hhi=conc.hhi,
        core_accounts=conc.pareto.core_accounts,
        seconds={"classify": round(labels.seconds, 3),
                 "store": round(time.perf_counter() - started, 3)},
    )
