"""The dashboard's panels, each read from its own domain's service and each guarded.

A panel whose domain is not installed, has no data yet or fails returns None;
the page then shows a short note in its place instead of failing as a whole.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from abm.accounts import insights
from abm.accounts.services import Viewer
from abm.web.charts import pareto_chart

log = logging.getLogger(__name__)

# Company-wide figures are the same for every user and change with imports and
# the nightly refresh, but computing them reads every account's monthly sales:
# they are kept for a minute, and dropped sooner when the data stamp moves.
CACHE_SECONDS = 60.0


class FigureCache:
    """A small per-application cache of company-wide dashboard figures."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._items: dict[str, tuple[float, object, object]] = {}
        self._lock = threading.Lock()

    def get(self, name: str, stamp: object, compute: Callable[[], object]) -> object:
        """``compute()``'s value for ``name``, reused while young and of the same ``stamp``."""
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(name)
        if hit is None or hit[1] != stamp or now - hit[0] > self.seconds:
            value = compute()
            with self._lock:
                self._items[name] = (now, stamp, value)
        else:
            value = hit[2]
        return copy.deepcopy(value)  # callers filter the lists per user


def guarded(build: Callable[..., dict | None], *args) -> dict | None:
    """``build(*args)``, or None when it fails: one broken panel must not take the page down."""
    try:
        return build(*args)
    except Exception:  # noqa: BLE001 - logged; the page shows the panel as unavailable
        log.exception("dashboard panel %s failed", build.__name__)
        return None


def _scope(viewer: Viewer) -> object:
    """Who a per-user list is for: everyone who sees every account shares one."""
    return "all" if viewer.sees_every_account else viewer.user_id


def concentration(session: Session, viewer: Viewer, cache: FigureCache) -> dict | None:
    stamp = insights.data_stamp(session)
    snapshot = cache.get("snapshot", stamp, lambda: insights.latest_snapshot(session))
    if snapshot is None:
        return None
    threshold = snapshot["settings"].get("analytics.pareto_share", 0.8)
    accounts = snapshot["accounts"] or 0
    curve = cache.get("pareto", stamp, lambda: insights.pareto_curve(session))
    return {
        "snapshot": snapshot,
        "counts": cache.get("flag_counts", stamp, lambda: insights.flag_counts(session)),
        "flagged": cache.get(f"flagged:{_scope(viewer)}", stamp,
                             lambda: insights.flagged_accounts(session, viewer, limit=10)),
        "core_share": snapshot["core_accounts"] / accounts if accounts else 0.0,
        "pareto": pareto_chart(curve, threshold=threshold),
        "pareto_threshold": threshold,
    }


def abc_xyz(session: Session, viewer: Viewer, cache: FigureCache) -> dict | None:
    cells = cache.get("abc_xyz", insights.data_stamp(session),
                      lambda: insights.abc_xyz_cells(session))
    if cells is None:
        return None
    from abm.analytics.abcxyz import RECOMMENDATIONS

    return {"cells": cells, "recommendations": RECOMMENDATIONS}


def top_n(session: Session, viewer: Viewer, cache: FigureCache) -> dict | None:
    month = insights.latest_report_month(session)
    if month is None:
        return None
    from abm.analytics.topn import key_account_report

    stamp = (month, insights.data_stamp(session))
    report = cache.get("top_n", stamp, lambda: key_account_report(session, month=month))
    ids = {r["account_id"] for r in report["rows"]}
    ids |= {r["account_id"] for r in report["changes"]["left"]}
    visible = insights.visible_ids(session, viewer, ids)
    report["rows"] = [r for r in report["rows"] if r["account_id"] in visible]
    report["left"] = [r for r in report["changes"]["left"] if r["account_id"] in visible]
    return report


def alerts(session: Session, viewer: Viewer, cache: FigureCache, limit: int = 10) -> dict | None:
    if not insights.available():
        return None
    from abm.analytics.alerts import list_alerts

    found = list_alerts(session, limit=200)
    visible = insights.visible_ids(session, viewer, {a["account_id"] for a in found})
    shown = [a for a in found if a["account_id"] in visible]
    return {"items": shown[:limit], "more": max(0, len(shown) - limit)}


def win_back(session: Session, viewer: Viewer, cache: FigureCache,
             limit: int = 10) -> dict | None:
    if not insights.available():
        return None
    return {"items": insights.win_back(session, viewer, limit=limit)}


def campaigns(session: Session, viewer: Viewer, cache: FigureCache) -> dict | None:
    """Campaigns scheduled or sending, with their delivery progress from the outbox."""
    try:
        from abm.campaigns.listing import list_campaigns
        from abm.delivery.outbox import counts_by_state
    except ImportError:
        return None
    running = [c for status in ("sending", "scheduled")
               for c in list_campaigns(session, status=status)]
    pending = len(list_campaigns(session, status="pending_approval"))
    for c in running[:10]:
        counts = counts_by_state(session, c["id"])
        total = sum(counts.values())
        c["outbox"] = counts
        c["progress"] = (total - counts.get("pending", 0) - counts.get("claimed", 0)) / total \
            if total else 0.0
    return {"running": running[:10], "pending_approval": pending}


PANELS = {"concentration": concentration, "abc_xyz": abc_xyz, "top_n": top_n,
          "alerts": alerts, "win_back": win_back, "campaigns": campaigns}


def build_panels(session: Session, viewer: Viewer,
                 cache: FigureCache | None = None) -> dict[str, dict | None]:
    """Every panel by name (None where unavailable)."""
    cache = cache or FigureCache(seconds=0)
    return {name: guarded(build, session, viewer, cache) for name, build in PANELS.items()}
