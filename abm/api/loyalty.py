"""Loyalty programmes, memberships and the tier changes a manager confirms.

Memberships follow the accounts' visibility: a sales user reads and changes
only those of the accounts they own (404 for any other). Programmes and the
decisions on proposed tier changes are management's.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from abm.accounts.services import can_edit_account
from abm.api.accounts import visible_account
from abm.api.core import ApiError, current_actor, current_viewer, operation
from abm.api.loyalty_schemas import MembershipChange, MembershipOut, Memberships, TierName
from abm.api.schemas import Bounds, Flag, Input, LongText, Money, Output, Text
from abm.db import get_session
from abm.loyalty import proposals as rule
from abm.loyalty import services as loyalty


class TierOut(Output):
    id: int
    name: str
    rank: int = Field(description="Higher is better.")
    min_revenue: float | None = Field(description="Revenue over the period from which the "
                                      "revenue rule gives this tier.")


class ProgrammeOut(Output):
    id: int
    name: str
    description: str | None
    rule: Literal["revenue", "manual"]
    period_months: int
    active: bool
    tiers: list[TierOut]


class Programmes(Output):
    items: list[ProgrammeOut]


class TierIn(Input):
    name: TierName
    min_revenue: Money | None = None


class ProgrammeIn(Input):
    name: Annotated[str, Text(200, min_length=1)]
    description: LongText | None = None
    rule: Literal["revenue", "manual"] = "manual"
    period_months: Annotated[int, Bounds(1, 60)] = 12
    active: Flag = True
    tiers: list[TierIn] = Field(max_length=50, description="Lowest tier first.")


class ProposalOut(Output):
    id: int
    account_id: int
    account_name: str
    programme: str
    month: date
    from_tier: str | None
    to_tier: str | None
    revenue: float
    status: Literal["pending", "confirmed", "rejected"]


class Proposals(Output):
    items: list[ProposalOut]


class Decision(Input):
    confirm: Flag = Field(description="True confirms the tier change, false rejects it.")


def refused(exc: loyalty.LoyaltyError) -> ApiError:
    """404 for what does not exist, 409 for a clash with what is stored, else 422."""
    status = 404 if isinstance(exc, loyalty.NotFound) else \
        409 if isinstance(exc, loyalty.Conflict) else 422
    return ApiError(status, str(exc))


@operation("GET", "/loyalty/programmes", summary="List loyalty programmes", tag="loyalty",
           response=Programmes)
def programmes() -> Programmes:
    return Programmes(items=[ProgrammeOut.model_validate(p)
                             for p in loyalty.programmes(get_session())])


def _save(body: ProgrammeIn, programme_id: int | None) -> ProgrammeOut:
    try:
        saved = loyalty.save_programme(
            get_session(), current_actor(), name=body.name, rule=body.rule,
            tiers=[loyalty.TierInput(t.name, t.min_revenue) for t in body.tiers],
            period_months=body.period_months, description=body.description,
            active=body.active, programme_id=programme_id)
    except loyalty.LoyaltyError as exc:
        raise refused(exc) from None
    return ProgrammeOut.model_validate(saved)


@operation("POST", "/loyalty/programmes", summary="Create a loyalty programme", tag="loyalty",
           roles={"manager"}, body=ProgrammeIn, response=ProgrammeOut, status=201,
           errors=(409, 422))
def create_programme(body: ProgrammeIn) -> ProgrammeOut:
    return _save(body, None)


@operation("PUT", "/loyalty/programmes/<int:programme_id>", summary="Replace a loyalty "
           "programme and its tiers", tag="loyalty", roles={"manager"}, body=ProgrammeIn,
           response=ProgrammeOut, errors=(404, 409, 422))
def replace_programme(programme_id: int, body: ProgrammeIn) -> ProgrammeOut:
    """Tiers keep their ids (and members) by name."""
    if loyalty.get_programme(get_session(), programme_id) is None:
        raise ApiError(404, "no such programme")
    return _save(body, programme_id)


@operation("GET", "/accounts/<int:account_id>/loyalty", summary="An account's loyalty "
           "memberships", tag="loyalty", response=Memberships, errors=(404,))
def memberships(account_id: int) -> Memberships:
    account = visible_account(account_id)
    return Memberships(items=[MembershipOut.model_validate(m)
                              for m in loyalty.memberships(get_session(), account.id)])


def change_membership(account_id: int, programme_id: int,
                      body: MembershipChange) -> MembershipOut:
    """Apply ``body`` with the caller's rights (the accounts' PATCH calls this too)."""
    account = visible_account(account_id)
    if not can_edit_account(account, current_viewer()):
        raise ApiError(403, "only management or the account's owner may change its membership")
    sent = body.model_fields_set
    try:
        saved = loyalty.update_membership(
            get_session(), current_actor(), account.id, programme_id, status=body.status,
            tier=body.tier if "tier" in sent else loyalty.UNSET)
    except loyalty.LoyaltyError as exc:
        raise refused(exc) from None
    return MembershipOut.model_validate(saved)


@operation("PATCH", "/accounts/<int:account_id>/loyalty/<int:programme_id>",
           summary="Change an account's loyalty membership", tag="loyalty",
           roles={"manager", "sales"}, body=MembershipChange, response=MembershipOut,
           errors=(403, 404))
def update_membership(account_id: int, programme_id: int,
                      body: MembershipChange) -> MembershipOut:
    """Only the fields sent change; a new membership starts invited unless a status is sent."""
    return change_membership(account_id, programme_id, body)


@operation("GET", "/loyalty/proposals", summary="Tier changes waiting for a manager",
           tag="loyalty", roles={"manager"}, response=Proposals)
def proposals() -> Proposals:
    return Proposals(items=[ProposalOut.model_validate(p)
                            for p in rule.pending_proposals(get_session())])


@operation("POST", "/loyalty/proposals/<int:proposal_id>/decision", summary="Confirm or "
           "reject a tier change", tag="loyalty", roles={"manager"}, body=Decision,
           response=ProposalOut, errors=(404, 409))
def decide(proposal_id: int, body: Decision) -> ProposalOut:
    try:
        decided = rule.decide_proposal(get_session(), current_actor(), proposal_id,
                                       body.confirm)
    except loyalty.LoyaltyError as exc:
        raise refused(exc) from None
    return ProposalOut.model_validate(decided)


