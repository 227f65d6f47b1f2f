"""Everything analytics knows about one account, read from what the refresh stored.

Labels that depend on every other account (its share, its ABC class) are stored
per account by the full refresh (:mod:`abm.analytics.refresh`), so an account
page reads a few rows and explains them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.analytics.abcxyz import RECOMMENDATIONS
from abm.analytics.alerts import AlertView, list_alerts
from abm.analytics.explanations import Explanation, flag_explanations
from abm.analytics.models import (
    AccountAnalytics,
    AnalyticsSnapshot,
    ChurnState,
    KeyAccountReport,
    KeyAccountReportRow,
)
from abm.analytics.periods import add_months, month_label
from abm.analytics.settings import AnalyticsSettings
from abm.sales.models import MonthlyAccountSales
from abm.workspace.services import settings_of


@dataclass(frozen=True, slots=True)
class MonthSpan:
    """First and last month, as ``YYYY-MM``."""

    start: str
    end: str


@dataclass(frozen=True, slots=True)
class AccountLabels:
    """The account's labels at the latest refresh, and the reasons behind each, in words.

    ``cell`` is its ABC-XYZ cell (None without both classes) with its
    ``recommendation``; ``computed_at`` is the refresh's time (ISO).
    """

    value: float
    share: float
    rank: int
    cumulative_share: float
    key: bool
    dependency: bool
    mono_client: bool
    pareto_core: bool
    near_key: bool
    growth: float | None
    abc: str | None
    xyz: str | None
    cell: str | None
    cv: float | None
    mean_monthly: float | None
    recommendation: str | None
    reasons: list[str]
    explanations: list[Explanation]
    period: MonthSpan
    measure: str
    total: float
    computed_at: str | None


@dataclass(frozen=True, slots=True)
class AccountChurn:
    """The account's stored churn state (dates ISO)."""

    state: str
    since: str
    last_purchase_on: str
    rhythm_days: float
    silence_days: int
    revenue_drop: float | None
    revenue_at_stake: float
    reasons: list[Any]  # codes with figures (abm.analytics.wording), sentences when older


@dataclass(frozen=True, slots=True)
class ReportRank:
    """The account's place in the latest key-account report that lists it."""

    month: str
    rank: int
    average: float


@dataclass(frozen=True, slots=True)
class MonthRevenue:
    month: str
    revenue: float
    margin: float | None


@dataclass(frozen=True, slots=True)
class AccountAnalyticsView:
    """Everything analytics knows about one account.

    Attributes:
        labels: None before the first full refresh (or without sales in its period).
        churn: None when it bought nothing in the look-back window.
        report: None when no key-account report lists it.
        alerts: those not resolved.
        monthly: the last months with sales.
    """

    account_id: int
    labels: AccountLabels | None
    churn: AccountChurn | None
    report: ReportRank | None
    alerts: list[AlertView]
    monthly: list[MonthRevenue]


def account_analytics(session: Session, account_id: int, *,
                      months: int = 24) -> AccountAnalyticsView:
    """Everything analytics knows about one account, from the stored labels; ``monthly``
    covers the last ``months`` months up to its latest month with sales."""
    found = session.execute(
        select(AccountAnalytics, AnalyticsSnapshot)
        .join(AnalyticsSnapshot, AnalyticsSnapshot.id == AccountAnalytics.snapshot_id)
        .where(AccountAnalytics.account_id == account_id)
    ).first()
    return AccountAnalyticsView(
        account_id=account_id,
        labels=None if found is None else _labels(*found),
        churn=_churn(session.get(ChurnState, account_id),
                     settings_of(session, AnalyticsSettings)),
        report=_report_rank(session, account_id),
        alerts=list_alerts(session, account_id=account_id, limit=100),
        monthly=_monthly(session, account_id, months),
    )


def _churn(row: ChurnState | None, s: AnalyticsSettings) -> AccountChurn | None:
    """The stored state; its explanations from its stored figures and today's thresholds."""
    if row is None:
        return None
    return AccountChurn(
        state=str(row.state), since=row.since.isoformat(),
        last_purchase_on=row.last_purchase_on.isoformat(), rhythm_days=row.rhythm_days,
        silence_days=row.silence_days, revenue_drop=row.revenue_drop,
        revenue_at_stake=row.revenue_at_stake, reasons=row.reasons)


def _report_rank(session: Session, account_id: int) -> ReportRank | None:
    row = session.execute(
        select(KeyAccountReport.month, KeyAccountReportRow.rank, KeyAccountReportRow.average)
        .join(KeyAccountReportRow, KeyAccountReportRow.report_id == KeyAccountReport.id)
        .where(KeyAccountReportRow.account_id == account_id)
        .order_by(KeyAccountReport.month.desc()).limit(1)
    ).first()
    return None if row is None else ReportRank(month=month_label(row.month), rank=row.rank,
                                               average=row.average)


def _monthly(session: Session, account_id: int, months: int) -> list[MonthRevenue]:
    m = MonthlyAccountSales
    latest = session.scalar(select(m.month).where(m.account_id == account_id)
                            .order_by(m.month.desc()).limit(1))
    if latest is None:
        return []
    return [MonthRevenue(month=month_label(mo), revenue=round(float(r or 0), 2),
                         margin=None if g is None else round(float(g), 2))
            for mo, r, g in session.execute(
                select(m.month, m.revenue, m.margin)
                .where(m.account_id == account_id, m.month > add_months(latest, -months))
                .order_by(m.month))]


def _labels(row: AccountAnalytics, snap: AnalyticsSnapshot) -> AccountLabels:
    cell = f"{row.abc}{row.xyz}" if row.abc and row.xyz else None
    return AccountLabels(
        value=row.value, share=row.share, rank=row.rank,
        cumulative_share=row.cumulative_share, key=row.is_key, dependency=row.dependency,
        mono_client=row.mono_client, pareto_core=row.pareto_core, near_key=row.near_key,
        growth=row.growth, abc=row.abc, xyz=row.xyz, cell=cell, cv=row.cv,
        mean_monthly=row.mean_monthly,
        recommendation=RECOMMENDATIONS.get(cell) if cell else None,
        reasons=_reasons(row, snap, cell),
        explanations=_explanations(row, snap, cell),
        period=MonthSpan(start=month_label(snap.period_start), end=month_label(snap.period_end)),
        measure=snap.measure, total=snap.total,
        computed_at=snap.computed_at.isoformat() if snap.computed_at else None,
    )


def _reasons(row: AccountAnalytics, snap: AnalyticsSnapshot, cell: str | None) -> list[str]:
    t = AnalyticsSettings.from_stored(snap.settings or {})  # old snapshots lack new keys
    share = f"{row.share * 100:.1f}% of {snap.total:,.2f} {snap.measure}"
    reasons = []
    if row.mono_client:
        reasons.append(f"mono-client risk: {share} >= {t.mono_client_share:.0%}")
    if row.dependency:
        reasons.append(f"dependency risk: {share} > {t.dependency_share:.0%}")
    if row.is_key:
        reasons.append(f"key by share: {share} >= {t.key_share:.0%}")
    if row.near_key:
        reasons.append(f"near-key: {share}, growth "
                       + ("n/a" if row.growth is None else f"{row.growth:+.1%}"))
    if row.pareto_core:
        reasons.append(f"Pareto core: rank {row.rank} of {snap.accounts}")
    if cell:
        reasons.append(f"ABC-XYZ {cell}: cumulative share through it {row.cumulative_share:.1%}, "
                       + ("no regular revenue" if row.cv is None
                          else f"monthly revenue varies {row.cv:.1%}"))
    return reasons


def _explanations(row: AccountAnalytics, snap: AnalyticsSnapshot,
                  cell: str | None) -> list[Explanation]:
    """The codes and figures of :func:`_reasons`, in the same order."""
    found = flag_explanations(
        AnalyticsSettings.from_stored(snap.settings or {}), share=row.share, total=snap.total,
        measure=snap.measure, mono_client=row.mono_client, dependency=row.dependency,
        key=row.is_key, near_key=row.near_key, growth=row.growth, pareto_core=row.pareto_core,
        rank=row.rank, accounts=snap.accounts)
    if cell:
        found.append(Explanation("abc_xyz", {"cell": cell, "cumulative": row.cumulative_share,
                                             "cv": row.cv}))
    return found
