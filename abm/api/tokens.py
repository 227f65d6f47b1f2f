"""API tokens: list your own, create one (shown once), revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from abm.api.core import ApiError, current_actor, current_user, operation
from abm.api.schemas import Bounds, Input, Output, Page, PageQuery, Text
from abm.db import get_session
from abm.users import tokens


class TokenOut(Output):
    id: int
    name: str
    shown: str = Field(description="The first characters of the token, to recognise it.")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The token itself: shown now and never again.")


class TokenCreate(Input):
    name: Annotated[str, Text(100, min_length=1)]
    expires_in_days: Annotated[int, Bounds(1, 3650)] | None = None


@operation("GET", "/tokens", summary="Your API tokens", tag="tokens", query=PageQuery,
           response=Page[TokenOut])
def list_tokens(query: PageQuery) -> Page[TokenOut]:
    rows = [t for t in tokens.list_tokens(get_session(), current_user().id)
            if query.after is None or t.id < query.after]
    page, more = rows[:query.limit], len(rows) > query.limit
    return Page[TokenOut](items=[TokenOut.model_validate(t) for t in page],
                          next_cursor=str(page[-1].id) if more else None)


@operation("POST", "/tokens", summary="Create an API token (the response shows it once)",
           tag="tokens", body=TokenCreate, response=TokenCreated, status=201)
def create_token(body: TokenCreate) -> TokenCreated:
    row, secret = tokens.issue_token(get_session(), current_user().id, body.name,
                                     expires_at=tokens.expires_after(body.expires_in_days),
                                     by=current_actor())
    return TokenCreated(**TokenOut.model_validate(row).model_dump(), token=secret)


@operation("DELETE", "/tokens/<int:token_id>", summary="Revoke an API token", tag="tokens",
           status=204)
def revoke_token(token_id: int) -> None:
    """Revoke one of your tokens (administrators may revoke anyone's)."""
    session = get_session()
    row = tokens.token_of(session, token_id, current_user())
    if row is None:
        raise ApiError(404, "no such token")
    tokens.revoke_token(session, row, by=current_actor())
