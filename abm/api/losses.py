"""Why accounts leave, through the API: mark an account lost or won back, read the marks,
and the lost-revenue report by reason and period."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import Field

from abm.accounts.services import can_edit_account
from abm.analytics.losses import LossError, account_marks, lost_revenue_report, mark_account
from abm.analytics.periods import add_months, parse_month
from abm.api.accounts import visible_account
from abm.api.analytics_schemas import MONTH
from abm.api.core import ApiError, current_actor, current_viewer, operation
from abm.api.schemas import Day, Input, Output, PageQuery, Text
from abm.db import get_session


class LossIn(Input):
    action: Literal["lost", "won_back"]
    reason: Annotated[str, Text(100, min_length=1)] = Field(
        description="One of the workspace's reasons (setting analytics.loss_reasons).")
    note: Annotated[str, Text(5000)] = ""
    on: Day | None = Field(None, description="Default: today.")


class LossOut(Output):
    id: int
    account_id: int
    action: Literal["lost", "won_back"]
    reason: str
    note: str
    occurred_on: date
    monthly_revenue: float = Field(description="Average monthly revenue over the 12 months "
                                               "up to its last month with purchases.")
    user_id: int | None


class LossList(Output):
    items: list[LossOut]


class LossReportQuery(PageQuery):
    by: Literal["month", "quarter", "year"] = "month"
    first: str | None = Field(None, pattern=MONTH, description="First month (YYYY-MM).")
    last: str | None = Field(None, pattern=MONTH, description="Last month (YYYY-MM).")


class LossReportRowOut(Output):
    period: str
    reason: str
    accounts: int
    monthly_revenue: float
    annual_revenue: float


class LossReport(Output):
    items: list[LossReportRowOut]


@operation("POST", "/accounts/<int:account_id>/loss", summary="Mark an account lost or won back",
           tag="losses", roles={"manager", "sales"}, body=LossIn, response=LossOut, status=201)
def mark(account_id: int, body: LossIn) -> LossOut:
    """The reason is one of the workspace's list (422 otherwise)."""
    account = visible_account(account_id)
    if not can_edit_account(account, current_viewer()):
        raise ApiError(403, "you may not edit this account")
    try:
        done = mark_account(get_session(), account.id, body.action, body.reason, body.note,
                            on=body.on, actor=current_actor())
    except LossError as exc:
        raise ApiError(422, str(exc)) from None
    return LossOut.model_validate(done)


@operation("GET", "/accounts/<int:account_id>/losses", summary="An account's lost and won-back "
           "marks", tag="losses", response=LossList)
def marks(account_id: int) -> LossList:
    account = visible_account(account_id)
    return LossList(items=[LossOut.model_validate(m)
                           for m in account_marks(get_session(), account.id)])


@operation("GET", "/analytics/losses", summary="Lost revenue by reason and period",
           tag="losses", roles={"manager", "marketing"}, query=LossReportQuery,
           response=LossReport)
def report(query: LossReportQuery) -> LossReport:
    first = parse_month(query.first) if query.first else None
    last = add_months(parse_month(query.last), 1) - timedelta(days=1) if query.last else None
    rows = lost_revenue_report(get_session(), by=query.by, first=first, last=last)
    return LossReport(items=[LossReportRowOut.model_validate(r) for r in rows])
