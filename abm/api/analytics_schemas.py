"""The analytics API's queries and answers: what the document publishes of the analytics'
results (names, descriptions, the values a field may take)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from abm.analytics.models import AlertKind, AlertStatus
from abm.api.schemas import Id, Input, Output, PageQuery, Text

MONTH = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$"


class Explanation(Output):
    """One reason as a stable code and the figures of its sentence."""

    code: str
    params: dict[str, Any]


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
    message: str = Field(description="The alert in English; its kind and details are what "
                                     "it is worded from.")
    details: dict | None
    raised_at: str | None
    resolved_at: str | None
    history: list[AlertHistory]


class AlertPage(Output):
    items: list[AlertOut]
    next_cursor: str | None


class AlertNote(Input):
    note: Annotated[str, Text(1000)] = ""


class ChurnReasonOut(Output):
    code: str = Field(description="silence_lost, silence_at_risk, revenue_drop, signals or "
                                  "at_stake")
    params: dict = Field(description="The figures the reason is worded from.")
    text: str = Field(description="The reason in English.")


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
    complaints: int = Field(description="Complaints in the last churn_signal_days.")
    refusals: int = Field(description="Refusals in the last churn_signal_days.")
    lost_tenders: int = Field(description="Tenders lost in the last churn_signal_days.")
    signals_before: int = Field(description="Complaints, refusals and lost tenders in as "
                                            "many days before.")
    last_signal_on: date | None
    reasons: list[ChurnReasonOut]


class WinBackPage(Output):
    items: list[WinBackRow]
    next_cursor: str | None
