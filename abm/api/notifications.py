"""The token user's notifications: read them (worded in their language) and mark them read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from abm.api.core import current_user, operation
from abm.api.schemas import Id, Input, Output
from abm.db import get_session
from abm.notifications import services
from abm.notifications.texts import render, translations_for


class NotificationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unread: bool = Field(False, description="Only the unread ones.")
    limit: int = Field(50, ge=1, le=200, description="At most this many, newest first.")


class NotificationOut(Output):
    id: int
    kind: str = Field(description="The code of the event (task_assigned, alerts_raised, ...).")
    params: dict[str, Any]
    text: str = Field(description="The event worded in the user's language.")
    created_at: datetime
    read: bool = Field(description="Read by the user, or resolved: it no longer asks for them.")
    resolved_at: datetime | None = Field(
        None, description="When someone else settled it (an approval another manager "
                          "decided); the text then says how.")


class NotificationList(Output):
    items: list[NotificationOut]
    unread: int


class MarkRead(Input):
    ids: Annotated[list[Id], Field(max_length=1000)] | None = Field(
        None, description="The notifications to mark read; omitted: all of them.")


class Marked(Output):
    marked: int
    unread: int


@operation("GET", "/notifications", summary="Your notifications", tag="notifications",
           query=NotificationQuery, response=NotificationList)
def list_(query: NotificationQuery) -> NotificationList:
    """The token user's notifications, newest first, with the unread count."""
    user = current_user()
    session = get_session()
    t = translations_for(user.language)
    items = [NotificationOut(id=n.id, kind=n.kind, params=n.params,
                             text=render(t, n.kind, n.params, n.resolution),
                             created_at=n.created_at, read=n.read, resolved_at=n.resolved_at)
             for n in services.inbox(session, user.id, unread_only=query.unread,
                                     limit=query.limit)]
    return NotificationList(items=items, unread=services.unread_count(session, user.id))


@operation("POST", "/notifications/read", summary="Mark notifications read",
           tag="notifications", body=MarkRead, response=Marked)
def mark_read(body: MarkRead) -> Marked:
    """Mark the given notifications (all when ``ids`` is omitted) of the token user read."""
    user = current_user()
    session = get_session()
    marked = services.mark_read(session, user.id, body.ids)
    return Marked(marked=marked, unread=services.unread_count(session, user.id))
