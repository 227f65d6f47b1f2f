"""Key-account analytics: shares with their flags, Pareto, the top-N report, ABC-XYZ,
monitoring alerts (acknowledge, resolve) and the win-back list.

Company-wide figures are for management and marketing. Alerts and the win-back
list are open to sales too, limited to the accounts they own. Reports are
computed in full and paginated by offset (``next_cursor`` is the next offset).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from abm.accounts.models import Account
from abm.accounts.services import visibility_clause
from abm.analytics.abcxyz import abc_xyz
from abm.analytics.alerts import AlertError, acknowledge_alert, list_alerts, resolve_alert
from abm.analytics.churn import win_back_list
from abm.analytics.concentration import Concentration as ConcentrationResult
from abm.analytics.concentration import concentration
from abm.analytics.models import Alert, AlertKind, AlertStatus
from abm.analytics.periods import parse_month
from abm.analytics.topn import key_account_report
from abm.api import lists
from abm.api.accounts import visible_account
from abm.api.core import ApiError, current_user, current_viewer, operation
from abm.api.runs import RunStarted, run_started
from abm.api.schemas import Id, Input, Output, PageQuery, fields_of, string
from abm.db import get_session

COMPANY_WIDE = {"manager", "marketing"}
MONTH = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$"
MAX_ALERTS = 10_000


class PeriodQuery(PageQuery):
    """The period of a report; ``limit``/``cursor`` page through its accounts."""

    end: str | None = Field(None, pattern=MONTH,
                            description="Last month (YYYY-MM); default: the last full month.")
    by: Literal["revenue", "margin"] | None = Field(None, description="Default: the setting.")


class ConcentrationQuery(PeriodQuery):
    months: int | None = Field(None, ge=1, le=120, description="Default: the setting (12).")


class Period(Output):
    start: str
    end: str
    months: int
    xyz_months: int | None = None


class ShareRow(Output):
    account_id: int
    external_id: str | None
    name: str
    value: float
    share: float
    rank: int
    cumulative_share: float
    pareto_core: bool
    key: bool
    dependency: bool
    mono_client: bool
    near_key: bool
    growth: float | None
    reasons: list[str] = Field(description="Why each flag holds, in words.")


class CurvePoint(Output):
    accounts: float
    value: float


class Pareto(Output):
    share: float
    core_accounts: int
    core_account_share: float
    core_value_share: float
    curve: list[CurvePoint]


class Concentration(Output):
    """Revenue shares and the key (>= 10%), dependency (> 20%) and mono-client (>= 50%) flags."""

    period: Period
    measure: str
    total: float
    accounts_with_sales: int
    hhi: float = Field(description="Herfindahl-Hirschman index of the shares, 0 to 10,000.")
    hhi_level: str
    thresholds: dict[str, float]
    pareto: Pareto
    flags: dict[str, list[int]] = Field(description="Account ids per flag.")
    accounts: list[ShareRow] = Field(description="This page of the accounts, largest first.")
    next_cursor: str | None


class ParetoReport(Output):
    period: Period
    measure: str
    total: float
    accounts_with_sales: int
    pareto: Pareto
    core: list[ShareRow] = Field(description="This page of the Pareto core, largest first.")
    next_cursor: str | None


class TopNQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str | None = Field(None, pattern=MONTH,
                              description="Last month (YYYY-MM); default: the last full month.")
    top: int | None = Field(None, ge=1, le=1000, description="Default: the setting (20).")


class TopNRow(Output):
    rank: int
    account_id: int
    external_id: str | None
    name: str
    average: float
    monthly: list[float]
    previous_rank: int | None
    change: int | None = Field(description="Places moved up (negative: down).")
    status: Literal["entered", "up", "down", "same"]


class RankChange(Output):
    account_id: int
    external_id: str | None
    name: str
    previous_rank: int | None
    rank: int | None
    change: int | None


class TopNReport(Output):
    """Top-N accounts by average monthly shipments over the last full months."""

    month: str
    months: list[str]
    previous_month: str
    previous_stored: bool
    top_n: int
    measure: str
    created_at: str | None
    rows: list[TopNRow]
    changes: dict[str, list[RankChange]] = Field(
        description="entered, left, moved_up, moved_down, unchanged.")


class AbcXyzCell(Output):
    count: int
    value: float
    share: float
    accounts: list[int]
    recommendation: str


class AbcXyzRow(Output):
    account_id: int
    external_id: str | None
    name: str
    value: float
    share: float
    rank: int
    share_before: float
    abc: Literal["A", "B", "C"]
    mean_monthly: float
    cv: float | None
    xyz: Literal["X", "Y", "Z"]
    cell: str
    reasons: list[str]


class AbcXyz(Output):
    period: Period
    measure: str
    total: float
    thresholds: dict[str, float]
    matrix: dict[str, AbcXyzCell] = Field(description="The nine cells AX..CZ.")
    accounts: list[AbcXyzRow]
    next_cursor: str | None


class AlertQuery(PageQuery):
    status: Literal["open", "acknowledged", "resolved", "all"] | None = Field(
        None, description="Default: open and acknowledged.")
    kind: AlertKind | None = None
    account_id: Id | None = None


class AlertHistory(Output):
    at: str | None
    action: str
    status: AlertStatus
    user_id: int | None
    owner_id: int | None
    note: str | None


class AlertOut(Output):
    id: int
    account_id: int
    external_id: str | None = None
    account_name: str | None = None
    kind: AlertKind
    cause: str
    status: AlertStatus
    owner_id: int | None
    message: str
    details: dict | None
    raised_at: str | None
    resolved_at: str | None
    history: list[AlertHistory]


class AlertPage(Output):
    items: list[AlertOut]
    next_cursor: str | None


class AlertNote(Input):
    note: string(1000) = ""


class WinBackRow(Output):
    account_id: int
    external_id: str | None
    name: str
    owner_id: int | None
    state: Literal["at_risk", "lost"]
    since: date | None
    first_purchase_on: date
    last_purchase_on: date
    purchase_days: int
    rhythm_days: float
    silence_days: int
    silence_ratio: float
    revenue_last_3: float
    revenue_previous_3: float
    revenue_drop: float | None
    revenue_at_stake: float
    reasons: list[str]


class WinBackPage(Output):
    items: list[WinBackRow]
    next_cursor: str | None


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
    return WinBackPage(items=[WinBackRow.model_validate(r) for r in page], next_cursor=cursor)


@operation("POST", "/analytics/refresh", summary="Refresh the analytics (in the background)",
           tag="analytics", roles={"manager"}, response=RunStarted, status=202)
def refresh() -> RunStarted:
    """Labels, churn, alerts, the key-account reports and the dashboard's figures, as after an
    import. A refresh still waiting for a worker takes the request in: its run is answered."""
    from abm.analytics.jobs import start_refresh

    return run_started(start_refresh(user_id=current_user().id))
