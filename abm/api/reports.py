"""The KAM's monthly report: a KAM reads their own, a manager or admin anyone's."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from abm.analytics.kam_report import kam_report
from abm.api.core import ApiError, current_user, operation
from abm.api.schemas import Output
from abm.db import get_session


class KamReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    today: date | None = Field(None, description="As of this day (default: today); the report "
                                                 "covers the last full month before it.")


class KamAccountOut(Output):
    account_id: int
    name: str
    key: bool
    near_key: bool
    rank: int | None
    shipped: float
    average: float
    change: float | None
    open_alerts: int
    new_alerts: int
    tasks_due: int
    visits_done: int
    visit_due: bool


class KamAlertOut(Output):
    alert_id: int
    account_id: int
    kind: str
    cause: str
    raised_at: datetime
    new: bool


class KamTaskOut(Output):
    task_id: int
    account_id: int
    title: str
    due_on: date
    overdue: bool


class TopChangeOut(Output):
    account_id: int
    name: str
    change: str = Field(description="entered or left")
    rank: int | None
    previous_rank: int | None


class WinBackOut(Output):
    account_id: int
    name: str
    state: str
    silence_days: int
    revenue_at_stake: float


class KamReportOut(Output):
    kam_id: int
    kam_name: str
    month: date
    average_months: list[date]
    report_month: date | None
    previous_report_month: date | None
    shipped: float
    average: float
    visits_done: int
    visits_due: int
    accounts: list[KamAccountOut]
    alerts: list[KamAlertOut]
    tasks: list[KamTaskOut]
    top_changes: list[TopChangeOut]
    win_back: list[WinBackOut]


@operation("GET", "/reports/kam/<int:user_id>", summary="A KAM's monthly report",
           tag="reports", query=KamReportQuery, response=KamReportOut, errors=(404,))
def kam(user_id: int, query: KamReportQuery) -> KamReportOut:
    """The key and near-key accounts of the KAM ``user_id``: shipments of the last full month
    against the three months before, alerts, tasks due, visits, top-N moves and win-back list.
    A salesperson or marketer reads only their own; a manager or admin anyone's."""
    me = current_user()
    # Another KAM's report is not found rather than forbidden: it tells nothing of who exists.
    mine = me.role.value in ("admin", "manager") or me.id == user_id
    report = kam_report(get_session(), user_id, query.today or date.today()) if mine else None
    if report is None:
        raise ApiError(404, f"no KAM report of user {user_id} that you may read")
    return KamReportOut.model_validate(report)
