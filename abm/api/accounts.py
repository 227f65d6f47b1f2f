"""Accounts: list with the web list's filters, read, create and update.

A sales user sees and edits only the accounts they own (the visibility rule of
:mod:`abm.accounts.services`); an account they may not see answers 404, so the
API never confirms that it exists.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from abm.accounts.models import Account, AccountKind, Category
from abm.accounts.services import (
    NotAllowed,
    UnknownOwner,
    can_edit_account,
    create_account,
    get_visible_account,
    update_account,
)
from abm.analytics.account_list import AccountFilters, list_accounts
from abm.analytics.jobs import start_refresh
from abm.api.core import ApiError, current_actor, current_user, current_viewer, operation
from abm.api.loyalty_schemas import MembershipChange, MembershipOut
from abm.api.schemas import (
    Bounds,
    Day,
    Flag,
    Id,
    Input,
    LongText,
    Name,
    Output,
    Page,
    PageQuery,
    ShortText,
    Text,
)
from abm.db import get_session
from abm.loyalty.services import (
    UNSET,
    LoyaltyError,
    NotFound,
    default_programme_id,
    memberships,
    update_membership,
)

Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class AccountSummary(Output):
    """A row of the account list, as the web list shows it."""

    id: int
    external_id: str | None
    name: str
    kind: AccountKind
    region: str | None
    city: str | None
    industry: str | None
    owner: str | None = Field(description="The owner's name.")
    categories: list[Category]
    revenue_12m: float = Field(description="Revenue over the last 12 months with sales.")
    share: float | None = Field(None, description="Share of the analytics period's total "
                                "(latest refresh); null without sales in the period.")
    growth: float | None = Field(None, description="Growth of the period's last half against "
                                 "its first half; null without a base.")
    abc_xyz: str | None = Field(None, validation_alias="cell",
                                description="The ABC-XYZ cell, AX to CZ.")
    churn: Literal["active", "at_risk", "lost"] | None = Field(
        None, description="The churn state by the account's own rhythm.")


class AccountOut(Output):
    id: int
    kind: AccountKind
    name: str
    external_id: str | None
    industry: str | None
    country: str | None
    region: str | None
    city: str | None
    employees: int | None
    website: str | None
    description: str | None
    history: str | None
    structure: str | None
    competitors: str | None
    current_supplier: str | None = Field(description="The competitor supplying a prospect.")
    competitor_key_client: bool = Field(description="The prospect is a key client of that "
                                                    "competitor (watched by the alerts).")
    win_plan: str | None = Field(description="The plan to win the prospect.")
    has_need: bool | None
    can_pay: bool | None
    has_authority: bool | None
    qualified: bool = Field(description="A prospect with need, ability to pay and authority.")
    loyalty_member: bool = Field(False, description="A member of some loyalty programme.")
    loyalty_tier: str | None = Field(None, description="The member's (best) tier.")
    loyalty: list[MembershipOut] = Field(default_factory=list, description=(
        "Memberships of the loyalty programmes; change one with PATCH and ``loyalty``."))
    terms_reviewed_on: date | None
    owner_id: int | None
    categories: list[Category] = Field(validation_alias="category_names")
    created_at: datetime
    updated_at: datetime


class AccountQuery(PageQuery):
    q: Annotated[str, Text(100)] = Field(
        "", description="In the name (any case) or the exact external id.")
    kind: AccountKind | None = None
    owner_id: int | None = Field(None, ge=0, le=2**31 - 1,
                                 description="An owner's user id; 0: accounts without owner.")
    region: ShortText = ""
    category: Category | None = None
    competitor: Literal["worked", "key_client"] | None = Field(
        None, description="Prospects worked by a competitor, or only its key clients.")
    sort: Literal["name", "-name", "region", "-region", "created", "-created", "revenue",
                  "-revenue", "share", "-share", "growth", "-growth", "churn", "-churn"] = Field(
        "name", description="A figure sort (revenue, share, growth, churn risk) lists the "
        "accounts without the figure last, by name.")


class AccountFields(Input):
    """The writable fields of an account."""

    kind: AccountKind = AccountKind.CUSTOMER
    external_id: Annotated[str, Text(100, min_length=1)] | None = None
    industry: ShortText | None = None
    country: Country | None = None
    region: ShortText | None = None
    city: ShortText | None = None
    employees: Annotated[int, Bounds(0, 10_000_000)] | None = None
    website: Annotated[str, Text(300)] | None = None
    description: LongText | None = None
    history: LongText | None = None
    structure: LongText | None = None
    competitors: LongText | None = None
    current_supplier: Annotated[str, Text(300)] | None = None
    competitor_key_client: Flag = False
    win_plan: LongText | None = None
    has_need: Flag | None = None
    can_pay: Flag | None = None
    has_authority: Flag | None = None
    terms_reviewed_on: Day | None = None
    categories: list[Category] = Field(default_factory=list, max_length=len(Category))
    owner_id: Id | None = Field(None, description="Management only; sales own what they create.")


class AccountCreate(AccountFields):
    name: Name


class LoyaltyChange(MembershipChange):
    programme_id: Id | None = Field(None, description="Default: the only active programme.")


class AccountUpdate(AccountFields):
    # Optional to send, but never null: an account always has a name.
    name: Name = None  # type: ignore[assignment]
    loyalty: LoyaltyChange | None = Field(None, description=(
        "A change of the account's membership of a loyalty programme."))


@operation("GET", "/accounts", summary="List accounts", tag="accounts", query=AccountQuery,
           response=Page[AccountSummary])
def list_(query: AccountQuery) -> Page[AccountSummary]:
    filters = AccountFilters(q=query.q, kind=query.kind.value if query.kind else "",
                             owner_id=query.owner_id, region=query.region,
                             category=query.category.value if query.category else "",
                             competitor=query.competitor or "", sort=query.sort)
    page = list_accounts(get_session(), current_viewer(), filters, after=query.after,
                         limit=query.limit)
    return Page[AccountSummary](
        items=[AccountSummary.model_validate(row) for row in page.rows],
        next_cursor=None if page.next_after is None else str(page.next_after),
    )


def visible_account(account_id: int) -> Account:
    account = get_visible_account(get_session(), account_id, current_viewer())
    if account is None:
        raise ApiError(404, "no such account")
    return account


def account_out(account: Account) -> AccountOut:
    """The account with its loyalty memberships."""
    held = [MembershipOut.model_validate(m) for m in memberships(get_session(), account.id)]
    members = [m for m in held if m.status == "member"]
    return AccountOut.model_validate(account).model_copy(update={
        "loyalty": held, "loyalty_member": bool(members),
        "loyalty_tier": next((m.tier for m in members if m.tier), None)})


@operation("GET", "/accounts/<int:account_id>", summary="Read an account", tag="accounts",
           response=AccountOut)
def get(account_id: int) -> AccountOut:
    return account_out(visible_account(account_id))


def _saved(change, *args) -> AccountOut:
    """Apply ``change`` (a service of :mod:`abm.accounts.services`) with the caller's rights;
    start the analytics refresh when it changed what they show."""
    session = get_session()
    try:
        saved = change(session, current_viewer(), *args)
    except NotAllowed as exc:
        raise ApiError(403, str(exc)) from None
    except UnknownOwner as exc:
        raise ApiError(404, str(exc)) from None
    if saved.figures_stale:
        start_refresh(user_id=current_user().id)  # commits the change first
    session.refresh(saved.account)
    return account_out(saved.account)


def _given(body: AccountFields) -> dict:
    return body.model_dump(include=body.model_fields_set - {"loyalty"})


def _change_loyalty(account: Account, change: LoyaltyChange) -> None:
    """The membership part of a PATCH: the loyalty services, with the caller's rights."""
    session = get_session()
    programme_id = change.programme_id or default_programme_id(session)
    if programme_id is None:
        raise ApiError(409, "name the loyalty programme (programme_id): there is not exactly "
                       "one active programme")
    if not can_edit_account(account, current_viewer()):
        raise ApiError(403, "only management or the account's owner may change its membership")
    try:
        update_membership(session, current_actor(), account.id, programme_id,
                          status=change.status,
                          tier=change.tier if "tier" in change.model_fields_set else UNSET)
    except LoyaltyError as exc:
        raise ApiError(404 if isinstance(exc, NotFound) else 422, str(exc)) from None


@operation("POST", "/accounts", summary="Create an account", tag="accounts",
           roles={"manager", "sales"}, body=AccountCreate, response=AccountOut, status=201,
           errors=(404, 409))
def create(body: AccountCreate) -> AccountOut:
    """Sales users own the accounts they create; management may name any owner."""
    return _saved(create_account, _given(body))


@operation("PATCH", "/accounts/<int:account_id>", summary="Update an account", tag="accounts",
           roles={"manager", "sales"}, body=AccountUpdate, response=AccountOut,
           errors=(403, 404, 409))
def update(account_id: int, body: AccountUpdate) -> AccountOut:
    """Only the fields sent change. The owner changes only for management."""
    account = visible_account(account_id)
    if body.loyalty is not None:
        _change_loyalty(account, body.loyalty)
    return _saved(update_account, account, _given(body))
