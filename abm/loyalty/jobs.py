"""The monthly proposal of tier changes as an RQ job (the cron process queues it on the 1st).

``today`` is an ISO date string (RQ arguments stay plain data); None means the
real date when the job runs.
"""

from __future__ import annotations

from datetime import date

from abm.db import get_session
from abm.loyalty.proposals import propose_tier_changes


def propose_tiers(today: str | None = None) -> dict:
    """Propose this month's tier changes of every revenue-rule programme, and commit."""
    session = get_session()
    added = propose_tier_changes(session, date.fromisoformat(today) if today else None)
    session.commit()
    return {"proposed": added}
