"""The loyalty membership as the accounts and loyalty resources read and change it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from abm.api.schemas import Input, Output, Text

Status = Literal["invited", "member", "left"]
TierName = Annotated[str, Text(50, min_length=1)]


class MembershipOut(Output):
    id: int
    account_id: int
    programme_id: int
    programme: str
    tier: str | None
    status: Status
    since: date | None = Field(description="The day the account entered its tier.")
    invited_at: datetime | None
    accepted_at: datetime | None
    left_at: datetime | None


class Memberships(Output):
    items: list[MembershipOut]


class MembershipChange(Input):
    status: Status | None = Field(None, description="Left as it is when not sent.")
    tier: TierName | None = Field(None, description="A tier name of the programme; null: none.")
