"""An account's tenders (won, lost and why) and its plan, as the account pages edit them.

The same rules as the pages: management, or the sales owner, records tenders;
marketing and the owner edit the plan; whoever may see the account reads both.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field

from abm.accounts import work
from abm.accounts.models import Account, TenderOutcome
from abm.accounts.services import can_edit_account
from abm.api.accounts import visible_account
from abm.api.core import ApiError, current_user, current_viewer, operation
from abm.api.schemas import Day, Input, LongText, Money, Output, Text
from abm.campaigns.plans import can_edit_plan, plan_detail, read_plan, update_plan
from abm.db import get_session


class TenderOut(Output):
    id: int
    account_id: int
    title: str
    held_on: date | None
    outcome: TenderOutcome
    reason: str | None
    amount: float | None


class Tenders(Output):
    items: list[TenderOut]


class TenderIn(Input):
    title: Annotated[str, Text(300, min_length=1)]
    held_on: Day | None = None
    outcome: TenderOutcome = TenderOutcome.PENDING
    reason: LongText | None = Field(None, description="Why it was won or lost.")
    amount: Money | None = None


class PlanTerm(Input):
    title: Annotated[str, Text(300, min_length=1)]
    discount_percent: Annotated[float, Field(ge=0, le=100)] | None = None
    valid_until: Day | None = None


class PlanOut(Output):
    account_id: int
    objectives: str
    notes: str
    terms: list[dict[str, Any]]
    campaigns: list[dict[str, Any]] = Field(description="The campaigns aimed at the account.")
    updated_at: str | None


class PlanChange(Input):
    objectives: LongText | None = None
    notes: LongText | None = None
    terms: list[PlanTerm] | None = Field(None, max_length=100)


def _editable(account_id: int) -> Account:
    account = visible_account(account_id)
    if not can_edit_account(account, current_viewer()):
        raise ApiError(403, "only management or the account's owner records its tenders")
    return account


@operation("GET", "/accounts/<int:account_id>/tenders", summary="An account's tenders",
           tag="accounts", response=Tenders, errors=(404,))
def tenders(account_id: int) -> Tenders:
    account = visible_account(account_id)
    get_session().refresh(account, ["tenders"])  # as stored, not as this session last saw it
    return Tenders(items=[TenderOut.model_validate(t) for t in account.tenders])


@operation("POST", "/accounts/<int:account_id>/tenders", summary="Record a tender",
           tag="accounts", roles={"manager", "sales"}, body=TenderIn, response=TenderOut,
           status=201, errors=(403, 404))
def create_tender(account_id: int, body: TenderIn) -> TenderOut:
    saved = work.save_tender(get_session(), _editable(account_id), body.model_dump())
    return TenderOut.model_validate(saved)


def _tender(account: Account, tender_id: int):
    found = work.get_tender(get_session(), account.id, tender_id)
    if found is None:
        raise ApiError(404, "no such tender")
    return found


@operation("PUT", "/accounts/<int:account_id>/tenders/<int:tender_id>", summary="Replace a "
           "tender", tag="accounts", roles={"manager", "sales"}, body=TenderIn,
           response=TenderOut, errors=(403, 404))
def replace_tender(account_id: int, tender_id: int, body: TenderIn) -> TenderOut:
    account = _editable(account_id)
    saved = work.save_tender(get_session(), account, body.model_dump(),
                             _tender(account, tender_id))
    return TenderOut.model_validate(saved)


@operation("DELETE", "/accounts/<int:account_id>/tenders/<int:tender_id>", summary="Delete a "
           "tender", tag="accounts", roles={"manager", "sales"}, status=204, errors=(403, 404))
def delete_tender(account_id: int, tender_id: int) -> None:
    account = _editable(account_id)
    work.delete_tender(get_session(), _tender(account, tender_id))


@operation("GET", "/accounts/<int:account_id>/plan", summary="An account's plan",
           tag="accounts", response=PlanOut, errors=(404,))
def plan(account_id: int) -> PlanOut:
    return PlanOut.model_validate(read_plan(get_session(), visible_account(account_id).id))


@operation("PATCH", "/accounts/<int:account_id>/plan", summary="Change an account's plan",
           tag="accounts", roles={"manager", "marketing", "sales"}, body=PlanChange,
           response=PlanOut, errors=(403, 404))
def change_plan(account_id: int, body: PlanChange) -> PlanOut:
    """Only the fields sent change; ``terms`` replaces the terms offered."""
    account = visible_account(account_id)
    if not can_edit_plan(account, current_viewer()):
        raise ApiError(403, "only marketing, management or the account's owner edit its plan")
    terms = None if body.terms is None else [
        {k: (v.isoformat() if isinstance(v, date) else v)
         for k, v in t.model_dump(exclude_none=True).items()} for t in body.terms]
    session = get_session()
    update_plan(session, account.id, objectives=body.objectives, notes=body.notes, terms=terms,
                user_id=current_user().id)
    session.flush()
    return PlanOut.model_validate(plan_detail(session, account.id))
