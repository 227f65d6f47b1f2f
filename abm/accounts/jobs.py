"""Jobs of the accounts domain: the daily reminder of tasks due."""

from __future__ import annotations

from datetime import date

from abm.accounts.work import notify_tasks_due
from abm.db import get_session


def remind_tasks_due(today: date | None = None) -> dict:
    """Daily: each assignee of a task due today finds it in their inbox (once per task and day)."""
    session = get_session()
    told = notify_tasks_due(session, today or date.today())
    session.commit()
    return {"notified": told}
