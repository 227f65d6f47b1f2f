"""Losing and winning back accounts: each account judged by its own rhythm of purchases.

The rhythm is the account's usual gap between purchase days: the days from
its first to its last purchase day in the look-back window divided by the
number of gaps (purchase days - 1), where purchase days are the days with
lines in months of positive net revenue. With a single purchase day (first
and last purchase on the same day) there is no gap to measure and a
configured rhythm is assumed; very short rhythms are
raised to a floor, so that a daily buyer is not at risk after a weekend.

An account is *at risk* when its silence (days from its last purchase to the
last day the data covers: the latest purchase of any account, or today if
earlier) exceeds k times its rhythm, when its revenue of the last 3 full
months fell by more than x% against the 3 months before, or when it had more
complaints, refusals and lost tenders lately than the workspace allows
(:mod:`abm.analytics.complaints`); it is *lost* when
its silence exceeds a larger multiple. A purchase is a day in a month whose net
revenue is positive: a month with only returns is not a purchase.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.analytics.bulk import insert_rows
from abm.analytics.complaints import Signals, signals_by_account
from abm.analytics.models import ChurnState, ChurnStateKind
from abm.analytics.periods import add_months, last_full_month, month_start
from abm.analytics.settings import AnalyticsSettings
from abm.analytics.stats import months_between_sql
from abm.db import utcnow
from abm.sales.models import MonthlyAccountSales, OrderLine
from abm.workspace.services import settings_of

NO_SIGNALS = Signals()


@dataclass(frozen=True, slots=True)
class ChurnSignal:
    """The churn state of an account, judged by its own rhythm of purchases.

    Attributes:
        state: "active", "at_risk" or "lost".
        rhythm_days: its usual gap between purchase days (floored, or assumed).
        silence_days, silence_ratio: days since its last purchase, and as a multiple of
            its rhythm.
        revenue_last_3, revenue_previous_3: revenue of the last 3 full months and the 3
            before; ``revenue_drop`` between them (None without a base).
        revenue_at_stake: its average monthly revenue from its first to its last
            purchase month, times 12.
        complaints, refusals, lost_tenders: its churn signals in the last
            ``churn_signal_days`` (see :mod:`abm.analytics.complaints`);
            ``signals_before`` in as many days before; ``last_signal_on`` the latest.
        reasons: why it is at risk or lost, as codes with figures (``{"code", "params"}``).
    """

    account_id: int
    state: str
    first_purchase_on: date
    last_purchase_on: date
    purchase_days: int
    rhythm_days: float
    silence_days: int
    silence_ratio: float
    revenue_last_3: float
    revenue_previous_3: float
    revenue_drop: float | None
    revenue_at_stake: float
    complaints: int
    refusals: int
    lost_tenders: int
    signals_before: int
    last_signal_on: date | None
    reasons: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class WinBackAccount(ChurnSignal):
    """An account to win back: its signal, who it is, and since when it is in its state
    (None before the daily job judged it)."""

    external_id: str | None
    name: str
    owner_id: int | None
    since: date | None


@dataclass(frozen=True, slots=True)
class ChurnCounts:
    """Accounts per state after storing, how many changed state, and how many rows were
    removed (no purchase in the look-back window any more)."""

    active: int
    at_risk: int
    lost: int
    changed: int
    removed: int


def _month_index(day: date) -> int:
    return day.year * 12 + day.month


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_day(value) -> date:
    """A date the query guarantees: a month with revenue has a line with revenue."""
    day = _as_date(value)
    if day is None:
        raise ValueError("a purchase date was expected")
    return day


def churn_signals(
    session: Session,
    *,
    today: date | None = None,
    settings: AnalyticsSettings | None = None,
) -> list[ChurnSignal]:
    """The churn state of every account that bought in the look-back window."""
    s = settings or settings_of(session, AnalyticsSettings)
    today = today or date.today()
    m = MonthlyAccountSales
    this_month = month_start(today)
    first = add_months(this_month, -(s.churn_lookback_months - 1))
    end = last_full_month(today)
    last3, prev3 = add_months(end, -2), add_months(end, -5)
    positive = m.revenue > 0
    per_account = (
        select(
            m.account_id.label("account_id"),
            func.min(case((positive, m.month))).label("first_month"),
            func.max(case((positive, m.month))).label("last_month"),
            func.sum(case((positive, m.purchase_days), else_=0)).label("purchase_days"),
            func.sum(m.revenue).label("revenue"),
            func.sum(case((m.month.between(last3, end), m.revenue), else_=0)).label("last3"),
            func.sum(case((and_(m.month >= prev3, m.month < last3), m.revenue),
                          else_=0)).label("prev3"),
        )
        .where(months_between_sql(session, m.month, first, this_month))
        .group_by(m.account_id)
        .having(func.max(case((positive, 1), else_=0)) == 1)
    )
    sub = per_account.subquery()
    ol = OrderLine
    # The first and last purchase days, each found by walking the (account_id, date)
    # index from one end: a row or two per account, never the account's whole history.
    # The first positive month holds a positive line, so the first one on or after its
    # first day is in it; the same holds backwards for the last positive month.
    first_on = (select(ol.date)
                .where(ol.account_id == sub.c.account_id, ol.date >= sub.c.first_month,
                       ol.revenue > 0)
                .order_by(ol.date).limit(1).scalar_subquery())
    last_on = (select(ol.date)
               .where(ol.account_id == sub.c.account_id, ol.month <= sub.c.last_month,
                      ol.revenue > 0)
               .order_by(ol.date.desc()).limit(1).scalar_subquery())
    rows = session.execute(select(sub, first_on.label("first_on"), last_on.label("last_on"))).all()
    rows = [r for r in rows if r.last_on is not None]
    # Silence counts up to the last day the data covers: with a monthly import,
    # counting up to the calendar date would make every account look silent.
    horizon = min(today, max((_as_day(r.last_on) for r in rows), default=today))
    signals = signals_by_account(session, today=today, days=s.churn_signal_days)
    return [_judge(row, horizon, s, signals.get(row.account_id, NO_SIGNALS)) for row in rows]


def _judge(row, today, s: AnalyticsSettings, signals: Signals) -> ChurnSignal:
    first_on, last_on = _as_day(row.first_on), _as_day(row.last_on)
    days = int(row.purchase_days or 0)
    measured = (last_on - first_on).days / (days - 1) if days > 1 and last_on > first_on else None
    rhythm = round(max(measured if measured is not None
                       else s.churn_single_purchase_days,
                       s.churn_min_rhythm_days), 2)
    silence = max((today - last_on).days, 0)
    ratio = round(silence / rhythm, 2)
    last3, prev3 = round(float(row.last3 or 0), 2), round(float(row.prev3 or 0), 2)
    drop = round(1 - last3 / prev3, 6) if prev3 > 0 else None
    fm, lm = _as_day(row.first_month), _as_day(row.last_month)
    span = _month_index(lm) - _month_index(fm) + 1
    revenue = round(float(row.revenue or 0), 2)
    at_stake = round(max(revenue, 0.0) / span * 12, 2)
    how = "single" if measured is None else "floor" if measured < rhythm else "measured"
    silent = {"days": silence, "since": last_on.isoformat(), "ratio": ratio, "rhythm": rhythm,
              "how": how, "measured": round(measured, 1) if measured is not None else None}
    reasons: list[dict[str, Any]] = []
    state = ChurnStateKind.ACTIVE
    if silence > s.churn_lost_factor * rhythm:
        state = ChurnStateKind.LOST
        reasons.append(reason("silence_lost", **silent, factor=s.churn_lost_factor))
    elif silence > s.churn_at_risk_factor * rhythm:
        state = ChurnStateKind.AT_RISK
        reasons.append(reason("silence_at_risk", **silent, factor=s.churn_at_risk_factor))
    if drop is not None and drop > s.churn_revenue_drop:
        if state == ChurnStateKind.ACTIVE:
            state = ChurnStateKind.AT_RISK
        reasons.append(reason("revenue_drop", last3=last3, prev3=prev3, drop=drop,
                              threshold=s.churn_revenue_drop))
    if signals.recent or signals.before:
        if signals.recent >= s.churn_signal_count and state == ChurnStateKind.ACTIVE:
            state = ChurnStateKind.AT_RISK
        reasons.append(reason(
            "signals", complaints=signals.complaints, refusals=signals.refusals,
            lost_tenders=signals.lost_tenders, before=signals.before,
            direction=signals.direction, days=s.churn_signal_days,
            last_on=signals.last_on.isoformat() if signals.last_on else None,
            threshold=s.churn_signal_count))
    if state != ChurnStateKind.ACTIVE:
        reasons.append(reason("at_stake", at_stake=at_stake, revenue=revenue, months=span))
    return ChurnSignal(
        account_id=row.account_id, state=str(state), first_purchase_on=first_on,
        last_purchase_on=last_on, purchase_days=days, rhythm_days=rhythm,
        silence_days=silence, silence_ratio=ratio, revenue_last_3=last3,
        revenue_previous_3=prev3, revenue_drop=drop, revenue_at_stake=at_stake,
        complaints=signals.complaints, refusals=signals.refusals,
        lost_tenders=signals.lost_tenders, signals_before=signals.before,
        last_signal_on=signals.last_on, reasons=reasons,
    )


def reason(code: str, **params: Any) -> dict[str, Any]:
    """A churn reason as stored: its code and figures, worded when read
    (:func:`abm.analytics.wording.churn_reason_text`)."""
    return {"code": code, "params": params}


def refresh_churn_states(session: Session, *, today: date | None = None) -> ChurnCounts:
    """Store every account's churn state; ``since`` moves only when the state changes.

    Accounts without a purchase in the look-back window lose their row. The
    caller commits.
    """
    today = today or date.today()
    return store_churn_states(session, churn_signals(session, today=today), today=today)


def store_churn_states(session: Session, signals: list[ChurnSignal], *,
                       today: date) -> ChurnCounts:
    """Store the states judged by :func:`churn_signals` in place of the previous ones.

    The caller commits.
    """
    old = {a: (st, since) for a, st, since in session.execute(
        select(ChurnState.account_id, ChurnState.state, ChurnState.since))}
    now = utcnow()
    rows, changed = [], 0
    for sig in signals:
        state = ChurnStateKind(sig.state)
        before = old.pop(sig.account_id, None)
        since = before[1] if before is not None and before[0] == state else today
        if before is not None and before[0] != state:
            changed += 1
        rows.append({"account_id": sig.account_id, "state": state, "since": since,
                     "last_purchase_on": sig.last_purchase_on,
                     "rhythm_days": sig.rhythm_days, "silence_days": sig.silence_days,
                     "revenue_drop": sig.revenue_drop,
                     "revenue_at_stake": sig.revenue_at_stake, "reasons": sig.reasons,
                     "updated_at": now})
    # Every row changes daily (the silence grows): rewriting the table in
    # multi-row INSERTs is several times faster than one UPDATE per account.
    session.execute(delete(ChurnState))
    insert_rows(session, ChurnState, rows)
    counts = {str(k): 0 for k in ChurnStateKind}
    for sig in signals:
        counts[sig.state] += 1
    return ChurnCounts(**counts, changed=changed, removed=len(old))


def win_back_list(
    session: Session, *, today: date | None = None, limit: int | None = None
) -> list[WinBackAccount]:
    """Accounts at risk or lost, the most revenue at stake first, with reasons.

    Computed from the current data; ``since`` comes from the stored states
    (None for an account the daily job has not judged yet).
    """
    signals = [s for s in churn_signals(session, today=today) if s.state != "active"]
    signals.sort(key=lambda s: (-s.revenue_at_stake, s.account_id))
    if limit is not None:
        signals = signals[:limit]
    ids = [s.account_id for s in signals]
    info, since = {}, {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        info.update({a: (e, n, o) for a, e, n, o in session.execute(
            select(Account.id, Account.external_id, Account.name, Account.owner_id)
            .where(Account.id.in_(chunk)))})
        since.update(dict(session.execute(
            select(ChurnState.account_id, ChurnState.since)
            .where(ChurnState.account_id.in_(chunk), ChurnState.state.in_(
                [ChurnStateKind.AT_RISK, ChurnStateKind.LOST]))).all()))
    return [_win_back(sig, *info[sig.account_id], since.get(sig.account_id)) for sig in signals]


def _win_back(sig: ChurnSignal, external_id: str | None, name: str, owner_id: int | None,
              since: date | None) -> WinBackAccount:
    signal = {f.name: getattr(sig, f.name) for f in fields(ChurnSignal)}
    return WinBackAccount(**signal, external_id=external_id, name=name, owner_id=owner_id,
                          since=since)
