"""Interactions: calls, meetings, visits, emails, complaints and notes on accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from abm.accounts import work
from abm.accounts.models import InteractionKind
from abm.api import lists
from abm.api.accounts import visible_account
from abm.api.core import ApiError, current_user, current_viewer, operation
from abm.api.schemas import Id, Input, Moment, Output, Page, PageQuery, Text
from abm.db import get_session


class InteractionOut(Output):
    id: int
    account_id: int
    contact_id: int | None
    user_id: int | None
    kind: InteractionKind
    occurred_at: datetime
    text: str


class InteractionQuery(PageQuery):
    account_id: Id | None = None
    kind: InteractionKind | None = None


class InteractionCreate(Input):
    account_id: Id
    kind: InteractionKind
    occurred_at: Moment = Field(description="When it happened, with a time zone.")
    text: Annotated[str, Text(5000)] = ""
    contact_id: Id | None = None


@operation("GET", "/interactions", summary="List interactions", tag="interactions",
           query=InteractionQuery, response=Page[InteractionOut])
def list_(query: InteractionQuery) -> Page[InteractionOut]:
    rows = lists.interactions(get_session(), current_viewer(), account_id=query.account_id,
                              kind=query.kind, after=query.after, limit=query.limit)
    return Page[InteractionOut](
        items=[InteractionOut.model_validate(i) for i in rows.items],
        next_cursor=None if rows.next_after is None else str(rows.next_after))


@operation("GET", "/interactions/<int:interaction_id>", summary="Read an interaction",
           tag="interactions", response=InteractionOut)
def get(interaction_id: int) -> InteractionOut:
    found = lists.get_interaction(get_session(), current_viewer(), interaction_id)
    if found is None:
        raise ApiError(404, "no such interaction")
    return InteractionOut.model_validate(found)


@operation("POST", "/interactions", summary="Log an interaction on an account",
           tag="interactions", body=InteractionCreate, response=InteractionOut, status=201,
           errors=(404,))
def create(body: InteractionCreate) -> InteractionOut:
    account = visible_account(body.account_id)
    try:
        found = work.log_interaction(get_session(), account_id=account.id,
                                     user_id=current_user().id, kind=body.kind,
                                     occurred_at=body.occurred_at, text=body.text,
                                     contact_id=body.contact_id)
    except ValueError as exc:
        raise ApiError(404, f"contact_id: {exc}") from None
    return InteractionOut.model_validate(found)
