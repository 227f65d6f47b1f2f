"""Prospects worked by competitors: the competitor's key clients we track with a plan to win.

DOMAIN.md, "Competitors' key clients". A prospect whose ``competitor_key_client``
is set is watched beside the key accounts: when nobody has talked to it for the
workspace's ``competitor_silence_days``, an alert says so, naming the competitor
(``current_supplier``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.accounts.models import Account, AccountKind
from abm.analytics.models import AlertKind
from abm.analytics.monitoring import Finding, silent_accounts

MONITORED_BECAUSE = "competitor_key_client"


def competitor_prospects(session: Session) -> dict[int, str | None]:
    """Prospects that are a competitor's key client: account id -> the competitor."""
    return dict(session.execute(
        select(Account.id, Account.current_supplier)
        .where(Account.kind == AccountKind.PROSPECT, Account.competitor_key_client.is_(True))
    ).all())


def competitor_silence(session: Session, prospects: dict[int, str | None], *, today: date,
                       days: int) -> list[Finding]:
    """The prospects of ``prospects`` without any interaction for more than ``days``."""
    if not prospects:
        return []
    return [Finding(a, AlertKind.COMPETITOR_SILENCE, cause,
                    {"competitor": prospects[a], "last_interaction": last, "days": silent,
                     "limit_days": days})
            for a, cause, last, silent in silent_accounts(session, sorted(prospects), today,
                                                          days)]
