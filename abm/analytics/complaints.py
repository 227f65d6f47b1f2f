"""Complaints, refusals and lost tenders: churn signals beside the purchase rhythm.

DOMAIN.md, "Losing and winning back accounts": besides a long silence and a
falling turnover, complaints and refusals (interactions of those kinds) and
tenders the account held and we lost say an account is being lost. Each is
tracked by count, recency and direction: how many in the last
``churn_signal_days``, the day of the latest, and how many in the same number of
days before (more now than then: the signals are rising).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Interaction, InteractionKind, Tender, TenderOutcome

SIGNAL_KINDS = (InteractionKind.COMPLAINT, InteractionKind.REFUSAL)


@dataclass(frozen=True, slots=True)
class Signals:
    """An account's churn signals: counts in the recent window, the window before, the latest."""

    complaints: int = 0
    refusals: int = 0
    lost_tenders: int = 0
    before: int = 0
    last_on: date | None = None

    @property
    def recent(self) -> int:
        return self.complaints + self.refusals + self.lost_tenders

    @property
    def direction(self) -> str:
        """"rising", "falling" or "steady": the recent window against the one before."""
        if self.recent > self.before:
            return "rising"
        return "falling" if self.recent < self.before else "steady"


def _day(value) -> date | None:
    if value is None or type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])  # SQLite hands max() back as text


def signals_by_account(session: Session, *, today: date, days: int) -> dict[int, Signals]:
    """Every account with a signal in the last ``2 * days`` days, and its signals.

    Two grouped queries over the interactions and tenders of the window (an
    index on each's account and date), whatever the number of accounts.
    """
    mid, since = today - timedelta(days=days), today - timedelta(days=2 * days)
    counts: dict[int, dict[str, object]] = {}

    def add(account_id: int, key: str, recent: int, before: int, last) -> None:
        row = counts.setdefault(account_id, {"before": 0, "last_on": None})
        row[key] = int(row.get(key, 0)) + int(recent or 0)  # type: ignore[call-overload]
        row["before"] = int(row["before"]) + int(before or 0)  # type: ignore[call-overload]
        day = _day(last)
        if day is not None and (row["last_on"] is None or day > row["last_on"]):  # type: ignore[operator]
            row["last_on"] = day

    i = Interaction
    mid_at = datetime.combine(mid, time(), UTC)
    for a, kind, recent, before, last in session.execute(
        select(i.account_id, i.kind, func.sum(case((i.occurred_at >= mid_at, 1), else_=0)),
               func.sum(case((i.occurred_at < mid_at, 1), else_=0)), func.max(i.occurred_at))
        .where(i.kind.in_(SIGNAL_KINDS), i.occurred_at >= datetime.combine(since, time(), UTC),
               i.occurred_at < datetime.combine(today + timedelta(days=1), time(), UTC))
        .group_by(i.account_id, i.kind)
    ):
        add(a, "complaints" if kind == InteractionKind.COMPLAINT else "refusals",
            recent, before, last)
    t = Tender
    for a, recent, before, last in session.execute(
        select(t.account_id, func.sum(case((t.held_on >= mid, 1), else_=0)),
               func.sum(case((t.held_on < mid, 1), else_=0)), func.max(t.held_on))
        .where(t.outcome == TenderOutcome.LOST, t.held_on >= since, t.held_on <= today)
        .group_by(t.account_id)
    ):
        add(a, "lost_tenders", recent, before, last)
    return {a: Signals(**row) for a, row in counts.items()}  # type: ignore[arg-type]
