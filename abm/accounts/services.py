"""Accounts: the rules about customers and prospects."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account, AccountKind


def count_accounts_by_kind(session: Session) -> dict[str, int]:
    """Number of accounts of each kind, every kind present (zero when none)."""
    rows = session.execute(select(Account.kind, func.count()).group_by(Account.kind))
    counts = {kind.value: 0 for kind in AccountKind}
    counts.update({kind.value: n for kind, n in rows})
    return counts
