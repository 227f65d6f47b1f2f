"""Key-account analytics: shares with their flags, Pareto, the top-N report, ABC-XYZ,
monitoring alerts (acknowledge, resolve) and the win-back list.

Company-wide figures are for management and marketing. Alerts and the win-back
list are open to sales too, limited to the accounts they own. Reports are
computed in full and paginated by offset (``next_cursor`` is the next offset).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlalchemy import select

from abm.accounts.models import Account
from abm.accounts.services import visibility_clause
from abm.analytics.abcxyz import abc_xyz
from abm.analytics.alerts import AlertError, acknowledge_alert, list_alerts, resolve_alert
from abm.analytics.churn import WinBackAccount, win_back_list
from abm.analytics.concentration import Concentration as ConcentrationResult
from abm.analytics.concentration import concentration
from abm.analytics.models import Alert
from abm.analytics.periods import parse_month
from abm.analytics.topn import key_account_report
from abm.analytics.wording import churn_reason_text
from abm.api import lists
from abm.api.accounts import visible_account
from abm.api.analytics_schemas import (
    AbcXyz,
    AlertNote,
    AlertOut,
    AlertPage,
    AlertQuery,
    Concentration,
    ConcentrationQuery,
    ParetoReport,
    PeriodQuery,
    TopNQuery,
    TopNReport,
    WinBackPage,
    WinBackRow,
)
from abm.api.core import ApiError, current_user, current_viewer, operation
from abm.api.runs import RunStarted, run_started
from abm.api.schemas import PageQuery, fields_of
from abm.db import get_session

COMPANY_WIDE = {"manager", "marketing"}
MAX_ALERTS = 10_000


def _month(text: str | None) -> date | None:
    return parse_month(text) if text else None


def _concentration(query: PeriodQuery, months: int | None = None) -> ConcentrationResult:
    return concentration(get_session(), end=_month(query.end), months=months, by=query.by)


@operation("GET", "/analytics/concentration", summary="Revenue shares, flags, HHI and Pareto",
           tag="analytics", roles=COMPANY_WIDE, query=ConcentrationQuery, response=Concentration)
def shares(query: ConcentrationQuery) -> Concentration:
    result = _concentration(query, query.months)
    page, cursor = lists.offset_page(result.accounts, query.after, query.limit)
    return Concentration.model_validate(fields_of(result) | {"accounts": page,
                                                            "next_cursor": cursor})


@operation("GET", "/analytics/pareto", summary="The Pareto 80/20 core", tag="analytics",
           roles=COMPANY_WIDE, query=ConcentrationQuery, response=ParetoReport)
def pareto(query: ConcentrationQuery) -> ParetoReport:
    """The smallest set of accounts whose cumulative revenue reaches the Pareto share."""
    result = _concentration(query, query.months)
    core = [a for a in result.accounts if a.pareto_core]
    page, cursor = lists.offset_page(core, query.after, query.limit)
    return ParetoReport.model_validate(fields_of(result) | {"core": page, "next_cursor": cursor})


@operation("GET", "/analytics/key-accounts", summary="The top-N report and its changes",
           tag="analytics", roles=COMPANY_WIDE, query=TopNQuery, response=TopNReport)
def top_n(query: TopNQuery) -> TopNReport:
    """Built and stored the first time a month is asked for, like the monthly job does."""
    result = key_account_report(get_session(), month=_month(query.month), top_n=query.top)
    return TopNReport.model_validate(result)


@operation("GET", "/analytics/abc-xyz", summary="ABC-XYZ classes and the nine-cell matrix",
           tag="analytics", roles=COMPANY_WIDE, query=PeriodQuery, response=AbcXyz)
def abcxyz(query: PeriodQuery) -> AbcXyz:
    result = abc_xyz(get_session(), end=_month(query.end), by=query.by)
    page, cursor = lists.offset_page(result.accounts, query.after, query.limit)
    return AbcXyz.model_validate(fields_of(result) | {"accounts": page, "next_cursor": cursor})


def _visible_ids(account_ids: set[int]) -> set[int]:
    """The ids among ``account_ids`` that the caller may see."""
    if not account_ids:
        return set()
    return set(get_session().scalars(select(Account.id).where(
        Account.id.in_(sorted(account_ids)), visibility_clause(current_viewer()))))


@operation("GET", "/analytics/alerts", summary="Monitoring alerts (newest first)",
           tag="analytics", roles=COMPANY_WIDE | {"sales"}, query=AlertQuery,
           response=AlertPage)
def alerts(query: AlertQuery) -> AlertPage:
    """Sales users see the alerts of the accounts they own."""
    status = None if query.status == "all" else query.status or ["open", "acknowledged"]
    rows = list_alerts(get_session(), status=status, account_id=query.account_id,
                       kind=query.kind.value if query.kind else None, limit=MAX_ALERTS)
    if not current_viewer().sees_every_account:
        seen = _visible_ids({r.account_id for r in rows})
        rows = [r for r in rows if r.account_id in seen]
    page, cursor = lists.offset_page(rows, query.after, query.limit)
    return AlertPage(items=[AlertOut.model_validate(r) for r in page], next_cursor=cursor)


def _change_alert(alert_id: int, change, note: str) -> AlertOut:
    alert = get_session().get(Alert, alert_id)
    if alert is None:
        raise ApiError(404, "no such alert")
    visible_account(alert.account_id)
    try:
        return AlertOut.model_validate(change(get_session(), alert_id, user_id=current_user().id,
                                              note=note))
    except AlertError as exc:
        raise ApiError(409, str(exc)) from None


@operation("POST", "/analytics/alerts/<int:alert_id>/acknowledge", summary="Acknowledge an alert",
           tag="analytics", roles={"manager", "sales"}, body=AlertNote, response=AlertOut,
           errors=(409,))
def acknowledge(alert_id: int, body: AlertNote) -> AlertOut:
    """An open alert is being worked on (409 when it is not open)."""
    return _change_alert(alert_id, acknowledge_alert, body.note)


@operation("POST", "/analytics/alerts/<int:alert_id>/resolve", summary="Resolve an alert",
           tag="analytics", roles={"manager", "sales"}, body=AlertNote, response=AlertOut,
           errors=(409,))
def resolve(alert_id: int, body: AlertNote) -> AlertOut:
    """Close an alert; its cause will not raise it again (409 when resolved already)."""
    return _change_alert(alert_id, resolve_alert, body.note)


@operation("GET", "/analytics/win-back", summary="Accounts at risk or lost, most at stake first",
           tag="analytics", roles=COMPANY_WIDE | {"sales"}, query=PageQuery,
           response=WinBackPage)
def win_back(query: PageQuery) -> WinBackPage:
    """Judged by each account's own purchase rhythm; sales see the accounts they own."""
    rows = win_back_list(get_session())
    viewer = current_viewer()
    if not viewer.sees_every_account:
        rows = [r for r in rows if r.owner_id == viewer.user_id]
    page, cursor = lists.offset_page(rows, query.after, query.limit)
    return WinBackPage(items=[_win_back_row(r) for r in page], next_cursor=cursor)


def _win_back_row(row: WinBackAccount) -> WinBackRow:
    reasons = [{"code": r.get("code"), "params": r.get("params") or {},
                "text": churn_reason_text(r)} for r in row.reasons if isinstance(r, dict)]
    return WinBackRow.model_validate({**asdict(row), "reasons": reasons})


@operation("POST", "/analytics/refresh", summary="Refresh the analytics (in the background)",
           tag="analytics", roles={"manager"}, response=RunStarted, status=202)
def refresh() -> RunStarted:
    """Labels, churn, alerts, the key-account reports and the dashboard's figures, as after an
    import. A refresh still waiting for a worker takes the request in: its run is answered."""
    from abm.analytics.jobs import start_refresh

    return run_started(start_refresh(user_id=current_user().id))
