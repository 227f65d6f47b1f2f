"""Who the token belongs to."""

from __future__ import annotations

from abm.api.core import current_user, operation
from abm.api.schemas import Output
from abm.users.models import Role


class Me(Output):
    id: int
    email: str
    name: str
    role: Role


@operation("GET", "/me", summary="The user the token acts as", tag="tokens", response=Me)
def me() -> Me:
    return Me.model_validate(current_user())
