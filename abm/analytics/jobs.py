"""Analytics jobs: thin wrappers that call the services and commit.

``today`` is an ISO date string (RQ arguments stay plain data); None means
the real date when the job runs.
"""

from __future__ import annotations

from datetime import date

from abm.analytics.alerts import refresh_alerts
from abm.analytics.churn import refresh_churn_states
from abm.analytics.company import refresh_company_figures
from abm.analytics.refresh import refresh_analytics, refresh_labels
from abm.analytics.topn import build_key_account_report
from abm.db import get_session
from abm.runs.services import tracked


def _day(today: str | None) -> date:
    return date.fromisoformat(today) if today else date.today()


@tracked
def build_monthly_report(today: str | None = None, *, progress) -> dict:
    """Store the key-account report of the last full month (run on the 1st)."""
    session = get_session()
    report = build_key_account_report(session, today=_day(today))
    refresh_company_figures(session)
    session.commit()
    return {"report_id": report.id, "month": report.month.isoformat(), "rows": len(report.rows)}


@tracked
def raise_alerts(today: str | None = None, *, progress) -> dict:
    """Raise and resolve the monitoring alerts of the key accounts (daily)."""
    session = get_session()
    result = refresh_alerts(session, today=_day(today))
    session.commit()
    return {k: v for k, v in result.items() if k != "near_key"} | {
        "near_key": [a["account_id"] for a in result["near_key"]]}


@tracked
def update_churn_states(today: str | None = None, *, progress) -> dict:
    """Store every account's churn state (daily)."""
    session = get_session()
    result = refresh_churn_states(session, today=_day(today))
    refresh_company_figures(session)
    session.commit()
    return result


@tracked
def refresh_account_labels(today: str | None = None, *, progress) -> dict:
    """Recompute and store every account's shares, flags and ABC-XYZ classes (daily)."""
    session = get_session()
    summary, _ = refresh_labels(session, today=_day(today))
    refresh_company_figures(session)
    session.commit()
    return summary


@tracked
def refresh_all(today: str | None = None, *, progress) -> dict:
    """The full refresh: labels, churn states and alerts (after an import, on demand)."""
    session = get_session()
    result = refresh_analytics(session, today=_day(today), progress=progress)
    refresh_company_figures(session)
    session.commit()
    return result
