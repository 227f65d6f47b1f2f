"""The dashboard's panels, each read from its own domain's service and each guarded.

A panel whose domain has no data yet or fails returns None;
the page then shows a short note in its place instead of failing as a whole.
Company-wide parts come from the stored company figures
(:mod:`abm.analytics.company`); only what depends on the viewer (a sales user's
own accounts, open alerts, running campaigns) is read per request, by bounded
queries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from abm.accounts.services import Viewer, visibility_clause, visible_ids
from abm.analytics import reads
from abm.analytics.company import LIST_LIMIT, DashboardFigures
from abm.analytics.settings import AnalyticsSettings
from abm.campaigns.listing import count_campaigns, list_campaigns
from abm.campaigns.outcomes import delivery_progress
from abm.web.charts import pareto_chart

log = logging.getLogger(__name__)


def guarded(build: Callable[..., dict | None], *args) -> dict | None:
    """``build(*args)``, or None when it fails: one broken panel must not take the page down."""
    try:
        return build(*args)
    except Exception:  # noqa: BLE001 - logged; the page shows the panel as unavailable
        log.exception("dashboard panel %s failed", build.__name__)
        return None


def concentration(session: Session, viewer: Viewer, figures: DashboardFigures) -> dict | None:
    snapshot = figures.snapshot
    if snapshot is None:
        return None
    threshold = AnalyticsSettings.from_stored(snapshot["settings"]).pareto_share
    accounts = snapshot["accounts"] or 0
    flagged = figures.flagged if viewer.sees_every_account else \
        reads.flagged_accounts(session, viewer, limit=LIST_LIMIT)
    return {
        "snapshot": snapshot,
        "counts": figures.flag_counts,
        "flagged": flagged,
        "core_share": snapshot["core_accounts"] / accounts if accounts else 0.0,
        "pareto": pareto_chart(figures.pareto, threshold=threshold),
        "pareto_threshold": threshold,
    }


def abc_xyz(session: Session, viewer: Viewer, figures: DashboardFigures) -> dict | None:
    if figures.abc_xyz is None:
        return None
    from abm.analytics.abcxyz import RECOMMENDATIONS

    return {"cells": figures.abc_xyz, "recommendations": RECOMMENDATIONS}


def top_n(session: Session, viewer: Viewer, figures: DashboardFigures) -> dict | None:
    report = figures.top_n
    if report is None:
        return None
    left = report.changes["left"]
    visible = visible_ids(session, viewer, {r.account_id for r in report.rows + left})
    return {"top_n": report.top_n, "months": report.months,
            "previous_month": report.previous_month,
            "rows": [r for r in report.rows if r.account_id in visible],
            "left": [r for r in left if r.account_id in visible]}


def alerts(session: Session, viewer: Viewer, figures: DashboardFigures,
           limit: int = LIST_LIMIT) -> dict | None:
    return open_alerts(session, viewer, limit=limit)


def open_alerts(session: Session, viewer: Viewer, *, own_only: bool = False,
                limit: int = LIST_LIMIT) -> dict:
    """The newest open alerts ``viewer`` may see (``own_only``: on the accounts they own),
    and how many more there are: the dashboard's panel and the alerts page."""
    from abm.analytics.alerts import list_alerts

    shown = list_alerts(session, limit=limit, visible=visibility_clause(viewer, own_only=own_only))
    more = reads.count_open_alerts(session, viewer, own_only=own_only) - len(shown)
    return {"items": shown, "more": max(0, more)}


def win_back(session: Session, viewer: Viewer, figures: DashboardFigures,
             limit: int = LIST_LIMIT) -> dict | None:
    if viewer.sees_every_account:
        return {"items": figures.win_back[:limit]}
    return {"items": reads.win_back(session, viewer, limit=limit)}


def campaigns(session: Session, viewer: Viewer, figures: DashboardFigures) -> dict | None:
    """Campaigns scheduled or sending, with their delivery progress from the outbox."""
    running = [c for status in ("sending", "scheduled")
               for c in list_campaigns(session, status=status, limit=LIST_LIMIT)][:LIST_LIMIT]
    return {"running": [{"id": c.id, "name": c.name, "status": c.status, "sent": c.sent,
                         "delivery": delivery_progress(session, c.id)} for c in running],
            "pending_approval": count_campaigns(session, "pending_approval")}


PANELS = {"concentration": concentration, "abc_xyz": abc_xyz, "top_n": top_n,
          "alerts": alerts, "win_back": win_back, "campaigns": campaigns}


def build_panels(session: Session, viewer: Viewer,
                 figures: DashboardFigures) -> dict[str, dict | None]:
    """Every panel by name (None where unavailable), from the stored company ``figures``."""
    return {name: guarded(build, session, viewer, figures) for name, build in PANELS.items()}
