"""Reads over the labels that analytics stores, for the dashboard and the account list.

The analytics refresh stores every account's share, flags and ABC-XYZ class
(one row per account) and the churn states; reading them costs an indexed
query, where recomputing them on every page view would aggregate every
account's sales. Each function returns None (or nothing) when analytics has
not run yet, so that pages can say so.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.accounts.services import Viewer, visibility_clause
from abm.analytics.models import (
    AccountAnalytics,
    Alert,
    AlertStatus,
    AnalyticsSnapshot,
    ChurnState,
    ChurnStateKind,
    KeyAccountReport,
)

CELLS = [a + x for a in "ABC" for x in "XYZ"]
FLAGS = ("key", "dependency", "mono_client", "near_key", "pareto_core")
CHURN_STATES = ("at_risk", "lost")
PARETO_POINTS = 100


def latest_snapshot(session: Session) -> dict | None:
    """The latest full refresh: period, total, HHI, Pareto core size and thresholds."""
    snap = session.scalar(select(AnalyticsSnapshot).order_by(AnalyticsSnapshot.id.desc())
                          .limit(1))
    if snap is None:
        return None
    return {"id": snap.id, "computed_at": snap.computed_at, "period_start": snap.period_start,
            "period_end": snap.period_end, "measure": snap.measure, "total": snap.total,
            "accounts": snap.accounts, "hhi": snap.hhi, "core_accounts": snap.core_accounts,
            "settings": dict(snap.settings or {})}


def list_figures(session: Session, account_ids: list[int]) -> dict[int, dict]:
    """The accounts list's stored figures of these accounts, by id (absent: none stored).

    Returns:
        ``{"revenue", "share", "growth", "cell", "churn"}`` per account; ``cell``
        is "AX".."CZ" or None, ``churn`` a churn state value or None.
    """
    if not account_ids:
        return {}
    aa, cs = AccountAnalytics, ChurnState
    rows = session.execute(
        select(Account.id, aa.revenue, aa.share, aa.growth, aa.abc, aa.xyz, cs.state)
        .outerjoin(aa, aa.account_id == Account.id).outerjoin(cs, cs.account_id == Account.id)
        .where(Account.id.in_(account_ids)))
    return {account_id: {"revenue": revenue, "share": share, "growth": growth,
                         "cell": abc + xyz if abc and xyz else None,
                         "churn": state.value if state else None}
            for account_id, revenue, share, growth, abc, xyz, state in rows}


def latest_period(session: Session) -> dict | None:
    """Period, measure and time of the latest full refresh (None before the first)."""
    s = AnalyticsSnapshot
    row = session.execute(select(s.period_start, s.period_end, s.measure, s.computed_at)
                          .order_by(s.id.desc()).limit(1)).first()
    return None if row is None else row._asdict()


def flagged_accounts(session: Session, viewer: Viewer, limit: int = 20) -> dict[str, list[dict]]:
    """Accounts with the risk and key flags, largest share first, that ``viewer`` may see."""
    aa = AccountAnalytics
    out = {}
    for flag, column in (("mono_client", aa.mono_client), ("dependency", aa.dependency),
                         ("key", aa.is_key), ("near_key", aa.near_key)):
        rows = session.execute(
            select(aa.account_id, Account.name, aa.share, aa.value, aa.growth)
            .join(Account, Account.id == aa.account_id)
            .where(column.is_(True), visibility_clause(viewer))
            .order_by(aa.rank).limit(limit)
        )
        out[flag] = [{"account_id": i, "name": n, "share": s, "value": v, "growth": g}
                     for i, n, s, v, g in rows]
    return out


def flag_counts(session: Session) -> dict[str, int]:
    """How many accounts carry each flag (company-wide)."""
    aa = AccountAnalytics
    columns = {"key": aa.is_key, "dependency": aa.dependency, "mono_client": aa.mono_client,
               "near_key": aa.near_key, "pareto_core": aa.pareto_core}
    row = session.execute(select(*[
        func.coalesce(func.sum(case((c.is_(True), 1), else_=0)), 0) for c in columns.values()
    ])).one()
    return dict(zip(columns, (int(v) for v in row), strict=True))


def pareto_curve(session: Session, points: int = PARETO_POINTS) -> list[tuple[float, float]]:
    """The Pareto curve: (share of accounts, cumulative share of value) at about ``points``
    evenly spaced ranks, best accounts first."""
    aa = AccountAnalytics
    n = session.scalar(select(func.count()).select_from(aa)) or 0
    if n == 0:
        return []
    step = max(1, n // points)
    ranks = sorted({min(n, k) for k in range(step, n + step, step)})
    rows = dict(session.execute(
        select(aa.rank, func.max(aa.cumulative_share)).where(aa.rank.in_(ranks))
        .group_by(aa.rank)
    ).all())
    curve, last = [], 0.0
    for rank in ranks:  # tied ranks skip numbers: keep the last known share
        last = rows.get(rank, last)
        curve.append((rank / n, last))
    return curve


def abc_xyz_cells(session: Session) -> dict[str, dict] | None:
    """Count, value and share of value of every ABC-XYZ cell (None before the first refresh)."""
    aa = AccountAnalytics
    rows = session.execute(
        select(aa.abc, aa.xyz, func.count(), func.sum(aa.value), func.sum(aa.share))
        .where(aa.abc.is_not(None), aa.xyz.is_not(None)).group_by(aa.abc, aa.xyz)
    ).all()
    if not rows:
        return None
    cells = {c: {"count": 0, "value": 0.0, "share": 0.0} for c in CELLS}
    for abc, xyz, count, value, share in rows:
        cells[f"{abc}{xyz}"] = {"count": count, "value": float(value or 0),
                            "share": float(share or 0)}
    return cells


def account_ids_in_cell(cell: str) -> Select | None:
    """SELECT of the ids of the accounts in an ABC-XYZ cell ("AX".."CZ")."""
    if cell not in CELLS:
        return None
    aa = AccountAnalytics
    return select(aa.account_id).where(aa.abc == cell[0], aa.xyz == cell[1])


def account_ids_with_flag(flag: str) -> Select | None:
    if flag not in FLAGS:
        return None
    aa = AccountAnalytics
    column = {"key": aa.is_key, "dependency": aa.dependency, "mono_client": aa.mono_client,
              "near_key": aa.near_key, "pareto_core": aa.pareto_core}[flag]
    return select(aa.account_id).where(column.is_(True))


def account_ids_in_churn_state(state: str) -> Select | None:
    if state not in CHURN_STATES:
        return None
    return select(ChurnState.account_id).where(ChurnState.state == ChurnStateKind(state))


def win_back(session: Session, viewer: Viewer, limit: int = 10) -> list[dict]:
    """Accounts at risk or lost (stored churn states), the most revenue at stake first."""
    cs = ChurnState
    rows = session.execute(
        select(cs, Account.name).join(Account, Account.id == cs.account_id)
        .where(cs.state.in_([ChurnStateKind.AT_RISK, ChurnStateKind.LOST]),
               visibility_clause(viewer))
        .order_by(cs.revenue_at_stake.desc(), cs.account_id).limit(limit)
    ).all()
    return [{"account_id": c.account_id, "name": name, "state": c.state.value,
             "since": c.since, "last_purchase_on": c.last_purchase_on,
             "silence_days": c.silence_days, "revenue_drop": c.revenue_drop,
             "revenue_at_stake": c.revenue_at_stake, "reasons": list(c.reasons or [])}
            for c, name in rows]


def count_open_alerts(session: Session, viewer: Viewer, *, own_only: bool = False) -> int:
    """How many alerts on accounts ``viewer`` may see (``own_only``: owns) are open or
    acknowledged."""
    return session.scalar(
        select(func.count()).select_from(Alert).join(Account, Account.id == Alert.account_id)
        .where(Alert.status.in_([AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]),
               visibility_clause(viewer, own_only=own_only))) or 0


def latest_report_month(session: Session) -> date | None:
    """The month of the latest stored top-N key-account report."""
    return session.scalar(select(func.max(KeyAccountReport.month)))
