"""The audit log, for administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from abm.api.core import operation
from abm.api.schemas import Id, Output, Page, PageQuery, Text
from abm.audit.services import list_events
from abm.db import get_session


class AuditEventOut(Output):
    id: int
    occurred_at: datetime
    actor_id: int | None
    action: str
    target: str | None
    address: str | None
    details: dict | None


class AuditQuery(PageQuery):
    """Newest first; ``cursor`` continues with older events."""

    action: Annotated[str, Text(50)] | None = Field(
        None, description="e.g. login_failed, user_role_changed.")
    actor_id: Id | None = None


@operation("GET", "/audit", summary="The audit log (newest first)", tag="audit",
           roles={"admin"}, query=AuditQuery, response=Page[AuditEventOut])
def list_(query: AuditQuery) -> Page[AuditEventOut]:
    rows = list_events(get_session(), action=query.action, actor_id=query.actor_id,
                       before_id=query.after, limit=query.limit + 1)
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    return Page[AuditEventOut](items=[AuditEventOut.model_validate(e) for e in rows],
                               next_cursor=str(rows[-1].id) if more else None)
