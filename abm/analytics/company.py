"""The dashboard's company-wide figures: computed when the data changes, read with one query.

Revenue by month, account counts, the concentration summary, the Pareto curve,
the ABC-XYZ matrix, the top-N report and the lists seen by everyone who sees
every account are the same for all those users and change only with the data;
computing them reads every account's monthly sales. The analytics refresh
(:func:`abm.analytics.refresh.refresh_analytics`, after every import and
nightly) stores them with :func:`refresh_company_figures` in the same
transaction as the labels they show; the dashboard reads the stored row with
:func:`company_figures`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from abm.accounts.services import Viewer, count_accounts_by_kind
from abm.analytics import reads
from abm.analytics.models import CompanyFigures
from abm.analytics.topn import TopNReport, key_account_report
from abm.sales.services import revenue_by_month

MONTHS = 24  # of revenue shown on the dashboard
LIST_LIMIT = 10  # rows of each list panel
EVERYONE = Viewer(user_id=0, role="manager")  # the lists as everyone who sees every account
_TOP_N = TypeAdapter(TopNReport)


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    """The dashboard's company-wide figures.

    Attributes:
        counts: accounts by kind.
        months: revenue, margin and accounts of the last :data:`MONTHS` months.
        snapshot: the latest labels' snapshot (None before the first refresh).
        flag_counts, pareto, abc_xyz, flagged, win_back: what the dashboard's panels
            show of the stored labels, as everyone who sees every account sees them.
        top_n: the latest key-account report (None before the first).
    """

    counts: dict[str, int]
    months: list[dict[str, Any]]
    snapshot: dict[str, Any] | None
    flag_counts: dict[str, int]
    pareto: list[tuple]
    abc_xyz: dict[str, Any] | None
    flagged: dict[str, list[dict[str, Any]]]
    win_back: list[dict[str, Any]]
    top_n: TopNReport | None


def compute_company_figures(session: Session) -> DashboardFigures:
    """The figures, computed now from the aggregates and the stored analytics."""
    month = reads.latest_report_month(session)
    return DashboardFigures(
        counts=count_accounts_by_kind(session),
        months=revenue_by_month(session)[-MONTHS:],
        snapshot=reads.latest_snapshot(session),
        flag_counts=reads.flag_counts(session),
        pareto=reads.pareto_curve(session),
        abc_xyz=reads.abc_xyz_cells(session),
        flagged=reads.flagged_accounts(session, EVERYONE, limit=LIST_LIMIT),
        win_back=reads.win_back(session, EVERYONE, limit=LIST_LIMIT),
        top_n=None if month is None else key_account_report(session, month=month),
    )


def refresh_company_figures(session: Session) -> DashboardFigures:
    """Compute the figures and store them in place of the previous ones; the caller commits."""
    figures = compute_company_figures(session)
    session.execute(delete(CompanyFigures))
    session.add(CompanyFigures(figures=_plain(figures)))
    session.flush()
    return figures


def company_figures(session: Session) -> DashboardFigures | None:
    """The stored figures (None before the first import or refresh stored any)."""
    stored = session.scalar(select(CompanyFigures.figures)
                            .order_by(CompanyFigures.id.desc()).limit(1))
    return None if stored is None else _revived(stored)


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO strings (read back by :func:`_revived`)."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain({f.name: getattr(value, f.name) for f in fields(value)})
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return value


def _revived(figures: dict[str, Any]) -> DashboardFigures:
    for m in figures["months"]:
        m["month"] = date.fromisoformat(m["month"])
    snapshot = figures["snapshot"]
    if snapshot is not None:
        snapshot["period_start"] = date.fromisoformat(snapshot["period_start"])
        snapshot["period_end"] = date.fromisoformat(snapshot["period_end"])
        snapshot["computed_at"] = datetime.fromisoformat(snapshot["computed_at"])
    for w in figures["win_back"]:
        w["since"] = date.fromisoformat(w["since"])
        w["last_purchase_on"] = date.fromisoformat(w["last_purchase_on"])
    figures["pareto"] = [tuple(point) for point in figures["pareto"]]
    if figures["top_n"] is not None:
        figures["top_n"] = _TOP_N.validate_python(figures["top_n"])
    return DashboardFigures(**figures)
