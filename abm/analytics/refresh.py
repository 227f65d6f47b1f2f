"""The one analytics refresh after any change of sales data, and one account's analytics.

Everything derived from the sales data is brought up to date by
:func:`refresh_analytics`: the labels of every account (shares, flags, Pareto,
ABC-XYZ), the churn states, the monitoring alerts, the key-account reports of
the last two full months and the dashboard's company figures. Imports, the
API, the demo, the "Refresh analytics" button and the nightly job all end with
it, so that no page shows figures of two different days.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.analytics.abcxyz import RECOMMENDATIONS
from abm.analytics.alerts import list_alerts, scan_alerts, store_alerts
from abm.analytics.churn import churn_signals, store_churn_states
from abm.analytics.company import refresh_company_figures
from abm.analytics.labels import compute_labels, store_labels
from abm.analytics.models import (
    AccountAnalytics,
    AnalyticsSnapshot,
    ChurnState,
    KeyAccountReport,
    KeyAccountReportRow,
)
from abm.analytics.periods import add_months, month_label
from abm.analytics.settings import AnalyticsSettings
from abm.analytics.topn import store_recent_reports
from abm.db import utcnow
from abm.runs.models import JobRun
from abm.runs.services import unfinished_runs
from abm.sales.models import MonthlyAccountSales

# The steps the refresh reports, in order: codes the pages translate.
STEPS = ("labels", "churn", "alerts", "storing")
DONE = "done"  # the code of a finished refresh

OnStep = Callable[[int, int, str], None]
REFRESH_KIND = "analytics.refresh"  # the kind of its job runs
REFRESH_TIMEOUT = 3600  # seconds a refresh job may run; an older unfinished run is stale


def refresh_analytics(
    session: Session, *, today: date | None = None, progress: OnStep | None = None
) -> dict:
    """Bring every figure derived from the sales data up to date, as of ``today``.

    Reads first: the labels, the churn signals and the alert conditions are
    computed without writing anything, and ``progress(done, total, step)`` is
    called before each step (``step`` is one of :data:`STEPS`). The caller may
    commit in ``progress`` (the job does, so that its run row moves): nothing is
    written before the last call. Then everything is stored together, labels,
    churn states, alerts, the key-account reports of the last two full months
    (:func:`~abm.analytics.topn.store_recent_reports`) and the company figures,
    for the caller's one commit, so that a page never shows half of a refresh.

    Returns:
        snapshot_id, accounts, total, hhi, core_accounts (the labels),
        ``churn`` and ``alerts`` (counts), ``near_key`` (how many), ``reports``
        (month, previous_month, rows) and ``seconds`` per step.
    """
    report = progress or (lambda *_a: None)
    today = today or date.today()
    total = len(STEPS)
    report(0, total, "labels")
    labels = compute_labels(session, today=today)
    report(1, total, "churn")
    started = time.perf_counter()
    signals = churn_signals(session, today=today)
    churn_read = time.perf_counter() - started
    report(2, total, "alerts")
    started = time.perf_counter()
    scan = scan_alerts(session, today=today, conc=labels.conc)
    alerts_read = time.perf_counter() - started
    report(3, total, "storing")

    summary = store_labels(session, labels)
    seconds = summary["seconds"]
    started = time.perf_counter()
    churn = store_churn_states(session, signals, today=today)
    seconds["churn"] = round(churn_read + time.perf_counter() - started, 3)
    started = time.perf_counter()
    alerts = store_alerts(session, scan)
    seconds["alerts"] = round(alerts_read + time.perf_counter() - started, 3)
    started = time.perf_counter()
    reports = store_recent_reports(session, today=today)
    seconds["reports"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    refresh_company_figures(session)
    seconds["company_figures"] = round(time.perf_counter() - started, 3)
    return summary | {
        "churn": churn, "alerts": {k: v for k, v in alerts.items() if k != "near_key"},
        "near_key": len(alerts["near_key"]), "reports": reports,
    }


def running_refresh(session: Session) -> JobRun | None:
    """The newest refresh job waiting for a worker or running (None when there is none)."""
    since = utcnow() - timedelta(seconds=REFRESH_TIMEOUT)
    runs = unfinished_runs(session, REFRESH_KIND, since=since)
    return runs[0] if runs else None


def account_analytics(session: Session, account_id: int, *, months: int = 24) -> dict[str, Any]:
    """Everything analytics knows about one account, from the stored labels.

    Returns:
        A dict: account_id, ``labels`` (None before the first full refresh:
        value, share, rank, cumulative_share, key, dependency, mono_client,
        pareto_core, near_key, growth, abc, xyz, cell, cv, mean_monthly,
        recommendation, reasons, period, total, computed_at), ``churn`` (state,
        since, rhythm_days, silence_days, revenue_drop, revenue_at_stake,
        reasons, or None), ``report`` (rank in the latest key-account report, or
        None), ``alerts`` (not resolved) and ``monthly`` (month, revenue, margin
        for the last ``months`` months with sales).
    """
    found = session.execute(
        select(AccountAnalytics, AnalyticsSnapshot)
        .join(AnalyticsSnapshot, AnalyticsSnapshot.id == AccountAnalytics.snapshot_id)
        .where(AccountAnalytics.account_id == account_id)
    ).first()
    labels = None
    if found is not None:
        labels = _labels(*found)
    churn_row = session.get(ChurnState, account_id)
    report_row = session.execute(
        select(KeyAccountReport.month, KeyAccountReportRow.rank, KeyAccountReportRow.average)
        .join(KeyAccountReportRow, KeyAccountReportRow.report_id == KeyAccountReport.id)
        .where(KeyAccountReportRow.account_id == account_id)
        .order_by(KeyAccountReport.month.desc()).limit(1)
    ).first()
    m = MonthlyAccountSales
    latest = session.scalar(select(m.month).where(m.account_id == account_id)
                            .order_by(m.month.desc()).limit(1))
    monthly = []
    if latest is not None:
        monthly = [{"month": month_label(mo), "revenue": round(float(r or 0), 2),
                    "margin": None if g is None else round(float(g), 2)}
                   for mo, r, g in session.execute(
                       select(m.month, m.revenue, m.margin)
                       .where(m.account_id == account_id,
                              m.month > add_months(latest, -months))
                       .order_by(m.month))]
    return {
        "account_id": account_id,
        "labels": labels,
        "churn": None if churn_row is None else {
            "state": str(churn_row.state), "since": churn_row.since.isoformat(),
            "last_purchase_on": churn_row.last_purchase_on.isoformat(),
            "rhythm_days": churn_row.rhythm_days, "silence_days": churn_row.silence_days,
            "revenue_drop": churn_row.revenue_drop,
            "revenue_at_stake": churn_row.revenue_at_stake, "reasons": churn_row.reasons},
        "report": None if report_row is None else {
            "month": month_label(report_row.month), "rank": report_row.rank,
            "average": report_row.average},
        "alerts": list_alerts(session, account_id=account_id, limit=100),
        "monthly": monthly,
    }


def _labels(row: AccountAnalytics, snap: AnalyticsSnapshot) -> dict:
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
    cell = f"{row.abc}{row.xyz}" if row.abc and row.xyz else None
    if cell:
        reasons.append(f"ABC-XYZ {cell}: cumulative share through it {row.cumulative_share:.1%}, "
                       + ("no regular revenue" if row.cv is None
                          else f"monthly revenue varies {row.cv:.1%}"))
    return {
        "value": row.value, "share": row.share, "rank": row.rank,
        "cumulative_share": row.cumulative_share, "key": row.is_key,
        "dependency": row.dependency, "mono_client": row.mono_client,
        "pareto_core": row.pareto_core, "near_key": row.near_key, "growth": row.growth,
        "abc": row.abc, "xyz": row.xyz, "cell": cell, "cv": row.cv,
        "mean_monthly": row.mean_monthly,
        "recommendation": RECOMMENDATIONS.get(cell) if cell else None,
        "reasons": reasons,
        "period": {"start": month_label(snap.period_start), "end": month_label(snap.period_end)},
        "measure": snap.measure, "total": snap.total,
        "computed_at": snap.computed_at.isoformat() if snap.computed_at else None,
    }
