"""The one analytics refresh after any change of sales data.

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
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from abm.analytics.alerts import AlertCounts, scan_alerts, store_alerts
from abm.analytics.churn import ChurnCounts, churn_signals, store_churn_states
from abm.analytics.company import refresh_company_figures
from abm.analytics.labels import StoredLabels, compute_labels, store_labels
from abm.analytics.topn import StoredReports, store_recent_reports
from abm.db import utcnow
from abm.runs.models import JobRun
from abm.runs.services import unfinished_runs

# The steps the refresh reports, in order: codes the pages translate.
STEPS = ("labels", "churn", "alerts", "storing")
DONE = "done"  # the code of a finished refresh

OnStep = Callable[[int, int, str], None]
REFRESH_KIND = "analytics.refresh"  # the kind of its job runs
REFRESH_TIMEOUT = 3600  # seconds a refresh job may run; an older unfinished run is stale


@dataclass(frozen=True, slots=True)
class RefreshSummary(StoredLabels):
    """What a refresh stored: the labels' snapshot, the churn states and the alerts (counts),
    how many near-key accounts, the key-account report; ``seconds`` per step."""

    churn: ChurnCounts
    alerts: AlertCounts
    near_key: int
    reports: StoredReports


def refresh_analytics(
    session: Session, *, today: date | None = None, progress: OnStep | None = None
) -> RefreshSummary:
    """Bring every figure derived from the sales data up to date, as of ``today``.

    Reads first: the labels, the churn signals and the alert conditions are
    computed without writing anything, and ``progress(done, total, step)`` is
    called before each step (``step`` is one of :data:`STEPS`). The caller may
    commit in ``progress`` (the job does, so that its run row moves): nothing is
    written before the last call. Then everything is stored together, labels,
    churn states, alerts, the key-account reports of the last two full months
    (:func:`~abm.analytics.topn.store_recent_reports`) and the company figures,
    for the caller's one commit, so that a page never shows half of a refresh.
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

    stored = store_labels(session, labels)
    seconds = dict(stored.seconds)
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
    return RefreshSummary(
        snapshot_id=stored.snapshot_id, accounts=stored.accounts, total=stored.total,
        hhi=stored.hhi, core_accounts=stored.core_accounts, seconds=seconds, churn=churn,
        alerts=alerts.counts(), near_key=len(alerts.near_key), reports=reports,
    )


def running_refresh(session: Session) -> JobRun | None:
    """The newest refresh job waiting for a worker or running (None when there is none)."""
    since = utcnow() - timedelta(seconds=REFRESH_TIMEOUT)
    runs = unfinished_runs(session, REFRESH_KIND, since=since)
    return runs[0] if runs else None
