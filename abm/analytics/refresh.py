"""The full refresh (every account's labels stored at once) and one account's analytics.

Labels that depend on every other account (its share, its ABC class) cannot be
computed for one account alone in a few milliseconds, so the full refresh
stores them per account; an account page then reads one row.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from abm.analytics.abcxyz import RECOMMENDATIONS, abc_xyz
from abm.analytics.alerts import list_alerts, refresh_alerts
from abm.analytics.bulk import insert_rows
from abm.analytics.churn import refresh_churn_states
from abm.analytics.concentration import concentration
from abm.analytics.models import (
    AccountAnalytics,
    AnalyticsSnapshot,
    ChurnState,
    KeyAccountReport,
    KeyAccountReportRow,
)
from abm.analytics.periods import add_months, last_full_month, month_label, month_span
from abm.analytics.stats import account_figures
from abm.sales.models import MonthlyAccountSales
from abm.workspace.services import get_settings


def refresh_labels(
    session: Session, *, today: date | None = None
) -> tuple[dict, dict]:
    """Recompute and store every account's labels (shares, flags, Pareto, ABC-XYZ).

    The caller commits.

    Returns:
        (summary, concentration): the summary has snapshot_id, accounts, total,
        hhi, core_accounts and seconds; the concentration result is handed on
        so that the alerts need not compute it again.
    """
    today = today or date.today()
    s = get_settings(session)
    end = last_full_month(today)
    months, measure = s["analytics.period_months"], s["analytics.measure"]
    started = time.perf_counter()
    figures = account_figures(session, end=end, months=months, measure=measure,
                              xyz_months=s["analytics.xyz_months"], with_names=False)
    conc = concentration(session, end=end, settings=s, figures=figures, explain=False)
    classes = {a["account_id"]: a for a in
               abc_xyz(session, end=end, settings=s, figures=figures, explain=False)["accounts"]}
    classified = time.perf_counter() - started

    started = time.perf_counter()
    start, _ = month_span(end, months)
    snapshot = AnalyticsSnapshot(
        today=today, period_start=start, period_end=end, measure=measure, total=conc["total"],
        accounts=conc["accounts_with_sales"], hhi=conc["hhi"],
        core_accounts=conc["pareto"]["core_accounts"],
        settings={k: v for k, v in s.items() if k.startswith("analytics.")},
    )
    session.add(snapshot)
    session.flush()
    session.execute(delete(AccountAnalytics))
    revenue = {f.account_id: f.revenue for f in figures}
    rows = []
    for a in conc["accounts"]:
        c = classes[a["account_id"]]
        rows.append({
            "account_id": a["account_id"], "snapshot_id": snapshot.id, "value": a["value"],
            "revenue": revenue[a["account_id"]],
            "share": a["share"], "rank": a["rank"], "cumulative_share": a["cumulative_share"],
            "is_key": a["key"], "dependency": a["dependency"], "mono_client": a["mono_client"],
            "pareto_core": a["pareto_core"], "near_key": a["near_key"], "growth": a["growth"],
            "abc": c["abc"], "xyz": c["xyz"], "cv": c["cv"], "mean_monthly": c["mean_monthly"],
        })
    insert_rows(session, AccountAnalytics, rows)
    summary = {
        "snapshot_id": snapshot.id, "accounts": len(rows), "total": conc["total"],
        "hhi": conc["hhi"], "core_accounts": conc["pareto"]["core_accounts"],
        "seconds": {"classify": round(classified, 3),
                    "store": round(time.perf_counter() - started, 3)},
    }
    return summary, conc


def refresh_analytics(session: Session, *, today: date | None = None, progress=None) -> dict:
    """The full refresh: every account's labels, the churn states and the alerts.

    The caller commits. ``progress(done, total, message)`` is called between steps.

    Returns:
        The labels summary of :func:`refresh_labels` plus ``churn`` (counts),
        ``alerts`` (counts), ``near_key`` (how many) and seconds per step.
    """
    progress = progress or (lambda *_a, **_k: None)
    today = today or date.today()
    summary, conc = refresh_labels(session, today=today)
    progress(1, 3, "labels stored")
    started = time.perf_counter()
    churn = refresh_churn_states(session, today=today)
    summary["seconds"]["churn"] = round(time.perf_counter() - started, 3)
    progress(2, 3, "churn states stored")
    started = time.perf_counter()
    alerts = refresh_alerts(session, today=today, conc=conc)
    summary["seconds"]["alerts"] = round(time.perf_counter() - started, 3)
    progress(3, 3, "alerts refreshed")
    return summary | {
        "churn": churn, "alerts": {k: v for k, v in alerts.items() if k != "near_key"},
        "near_key": len(alerts["near_key"]),
    }


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
    t = snap.settings
    share = f"{row.share * 100:.1f}% of {snap.total:,.2f} {snap.measure}"
    reasons = []
    if row.mono_client:
        reasons.append(f"mono-client risk: {share} >= {t['analytics.mono_client_share']:.0%}")
    if row.dependency:
        reasons.append(f"dependency risk: {share} > {t['analytics.dependency_share']:.0%}")
    if row.is_key:
        reasons.append(f"key by share: {share} >= {t['analytics.key_share']:.0%}")
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
