"""The KAM's monthly report: per account owner, their key and near-key accounts at a glance.

For the last full month: each account's shipments against the average of the
three months before it, its new and open alerts, the tasks due, the visits done
(and whether one is due this month), the accounts that entered or left the top-N
between the two latest stored reports, and the owner's accounts on the win-back
list. A read only: the page (any KAM's for a manager, one's own for a KAM) and the
monthly mail both show what this returns.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account, Interaction, InteractionKind, Task, TaskStatus
from abm.analytics.models import (
    AccountAnalytics,
    Alert,
    AlertStatus,
    ChurnState,
    ChurnStateKind,
    KamReportMailing,
    KeyAccountReport,
    KeyAccountReportRow,
)
from abm.analytics.periods import last_full_month, month_end, months_between
from abm.sales.models import MonthlyAccountSales
from abm.sales.months import add_months, month_start
from abm.users.models import User

AVERAGE_MONTHS = 3
VISIT_KINDS = (InteractionKind.VISIT, InteractionKind.MEETING)
OPEN_ALERTS = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
OPEN_TASKS = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


@dataclass(frozen=True)
class KamAccount:
    """One key or near-key account of the KAM; ``change`` is shipped / average - 1."""

    account_id: int
    name: str
    key: bool
    near_key: bool
    rank: int | None
    shipped: float
    average: float
    change: float | None
    open_alerts: int
    new_alerts: int
    tasks_due: int
    visits_done: int
    visit_due: bool


@dataclass(frozen=True)
class KamAlert:
    alert_id: int
    account_id: int
    account: str
    kind: str
    cause: str
    raised_at: datetime
    new: bool


@dataclass(frozen=True)
class KamTask:
    task_id: int
    account_id: int
    account: str
    title: str
    due_on: date
    overdue: bool


@dataclass(frozen=True)
class TopChange:
    """An account of the KAM that ``entered`` or ``left`` the top-N between two reports."""

    account_id: int
    name: str
    change: str
    rank: int | None
    previous_rank: int | None


@dataclass(frozen=True)
class WinBack:
    account_id: int
    name: str
    state: str
    silence_days: int
    revenue_at_stake: float


@dataclass(frozen=True)
class KamReport:
    """The report of one KAM for ``month`` (the last full month before ``today``)."""

    kam_id: int
    kam_name: str
    kam_email: str
    language: str
    today: date
    month: date
    average_months: list[date]
    report_month: date | None
    previous_report_month: date | None
    accounts: list[KamAccount]
    alerts: list[KamAlert]
    tasks: list[KamTask]
    top_changes: list[TopChange]
    win_back: list[WinBack]

    @property
    def shipped(self) -> float:
        return sum(a.shipped for a in self.accounts)

    @property
    def average(self) -> float:
        return sum(a.average for a in self.accounts)

    @property
    def visits_done(self) -> int:
        return sum(a.visits_done for a in self.accounts)

    @property
    def visits_due(self) -> int:
        return sum(a.visit_due for a in self.accounts)


def kams(session: Session) -> list[tuple[int, str]]:
    """The active users who own accounts (id, name): whose report a manager may open."""
    return [(i, n) for i, n in session.execute(
        select(User.id, User.name).where(User.active.is_(True), User.id.in_(
            select(Account.owner_id).where(Account.owner_id.is_not(None)))).order_by(User.name))]


def _stored_reports(session: Session, month: date) -> tuple[date | None, date | None]:
    latest = session.scalar(select(func.max(KeyAccountReport.month)).where(
        KeyAccountReport.month <= month))
    if latest is None:
        return None, None
    return latest, session.scalar(select(func.max(KeyAccountReport.month)).where(
        KeyAccountReport.month < latest))


def _ranks(session: Session, month: date | None, owned: list[int]) -> dict[int, int]:
    if month is None or not owned:
        return {}
    return dict(session.execute(
        select(KeyAccountReportRow.account_id, KeyAccountReportRow.rank)
        .join(KeyAccountReport, KeyAccountReport.id == KeyAccountReportRow.report_id)
        .where(KeyAccountReport.month == month, KeyAccountReportRow.account_id.in_(owned))).all())


def _key_accounts(session: Session, owned: dict[int, str], ranks: dict[int, int]
                  ) -> dict[int, tuple[bool, bool]]:
    """(key, near key) of the owned accounts that are key (by share or top-N) or near key."""
    labels = {a: (k, n) for a, k, n in session.execute(
        select(AccountAnalytics.account_id, AccountAnalytics.is_key, AccountAnalytics.near_key)
        .where(AccountAnalytics.account_id.in_(owned)))}
    out = {}
    for account_id in owned:
        key, near = labels.get(account_id, (False, False))
        if key or near or account_id in ranks:
            out[account_id] = (key or account_id in ranks, near and not key)
    return out


def _monthly(session: Session, ids: list[int], first: date, last: date
             ) -> dict[tuple[int, date], float]:
    return {(a, m): float(r or 0) for a, m, r in session.execute(
        select(MonthlyAccountSales.account_id, MonthlyAccountSales.month,
               MonthlyAccountSales.revenue)
        .where(MonthlyAccountSales.account_id.in_(ids), MonthlyAccountSales.month >= first,
               MonthlyAccountSales.month <= last))}


def _alerts(session: Session, ids: list[int], names: dict[int, str], since: datetime
            ) -> list[KamAlert]:
    rows = session.scalars(select(Alert).where(Alert.account_id.in_(ids),
                                               Alert.status.in_(OPEN_ALERTS))
                           .order_by(Alert.raised_at.desc(), Alert.id.desc()))
    return [KamAlert(alert_id=a.id, account_id=a.account_id, account=names[a.account_id],
                     kind=a.kind.value, cause=a.cause, raised_at=a.raised_at,
                     new=a.raised_at >= since) for a in rows]


def _tasks(session: Session, ids: list[int], names: dict[int, str], today: date
           ) -> list[KamTask]:
    until = month_end(month_start(today))
    rows = session.execute(select(Task.id, Task.account_id, Task.title, Task.due_on).where(
        Task.account_id.in_(ids), Task.status.in_(OPEN_TASKS), Task.due_on.is_not(None),
        Task.due_on <= until).order_by(Task.due_on, Task.id))
    return [KamTask(task_id=i, account_id=a, account=names[a], title=t, due_on=d,
                    overdue=d < today) for i, a, t, d in rows if d is not None]


def _visits(session: Session, ids: list[int], since: date) -> list[tuple[int, datetime]]:
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    return list(session.execute(select(Interaction.account_id, Interaction.occurred_at).where(
        Interaction.account_id.in_(ids), Interaction.kind.in_(VISIT_KINDS),
        Interaction.occurred_at >= start)))


def _top_changes(before: dict[int, int], now: dict[int, int], names: dict[int, str]
                 ) -> list[TopChange]:
    entered = [TopChange(a, names[a], "entered", r, None) for a, r in sorted(
        now.items(), key=lambda t: t[1]) if a not in before]
    left = [TopChange(a, names[a], "left", None, r) for a, r in sorted(
        before.items(), key=lambda t: t[1]) if a not in now]
    return entered + left


def _win_back(session: Session, owned: dict[int, str]) -> list[WinBack]:
    rows = session.scalars(select(ChurnState).where(
        ChurnState.account_id.in_(owned),
        ChurnState.state.in_([ChurnStateKind.AT_RISK, ChurnStateKind.LOST]))
        .order_by(ChurnState.revenue_at_stake.desc(), ChurnState.account_id))
    return [WinBack(c.account_id, owned[c.account_id], c.state.value, c.silence_days,
                    float(c.revenue_at_stake)) for c in rows]


def kam_report(session: Session, kam_id: int, today: date) -> KamReport | None:
    """The report of the user ``kam_id`` as of ``today`` (None: no such user)."""
    kam = session.get(User, kam_id)
    if kam is None:
        return None
    owned = dict(session.execute(select(Account.id, Account.name).where(
        Account.owner_id == kam_id)).all())
    month = last_full_month(today)
    report_month, previous_month = _stored_reports(session, month)
    ranks = _ranks(session, report_month, list(owned))
    labels = _key_accounts(session, owned, ranks)
    ids = sorted(labels)
    first = add_months(month, -AVERAGE_MONTHS)
    shipped = _monthly(session, ids, first, month)
    averaged = months_between(first, add_months(month, -1))
    since = datetime(month.year, month.month, 1, tzinfo=UTC)
    alerts = _alerts(session, ids, owned, since)
    tasks = _tasks(session, ids, owned, today)
    visits = _visits(session, ids, month)
    this_month = datetime(today.year, today.month, 1, tzinfo=UTC)
    done = Counter(a for a, at in visits if _aware(at) < this_month)
    visited_now = {a for a, at in visits if _aware(at) >= this_month}
    open_alerts, new_alerts = Counter(a.account_id for a in alerts), Counter(
        a.account_id for a in alerts if a.new)
    due = Counter(t.account_id for t in tasks)
    accounts = []
    for a in ids:
        value = shipped.get((a, month), 0.0)
        average = sum(shipped.get((a, m), 0.0) for m in averaged) / AVERAGE_MONTHS
        accounts.append(KamAccount(
            account_id=a, name=owned[a], key=labels[a][0], near_key=labels[a][1],
            rank=ranks.get(a), shipped=value, average=average,
            change=(value / average - 1) if average else None, open_alerts=open_alerts[a],
            new_alerts=new_alerts[a], tasks_due=due[a], visits_done=done[a],
            visit_due=labels[a][0] and a not in visited_now))
    accounts.sort(key=lambda r: (not r.key, r.rank or 10**9, -r.shipped, r.name))
    return KamReport(
        kam_id=kam.id, kam_name=kam.name, kam_email=kam.email, language=kam.language or "en",
        today=today, month=month, average_months=averaged, report_month=report_month,
        previous_report_month=previous_month, accounts=accounts, alerts=alerts, tasks=tasks,
        top_changes=_top_changes(_ranks(session, previous_month, list(owned)), ranks, owned),
        win_back=_win_back(session, owned))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def kams_to_mail(session: Session) -> list[int]:
    """The active owners of at least one account that has stored labels or a top-N rank."""
    return list(session.scalars(select(User.id).where(User.active.is_(True), User.id.in_(
        select(Account.owner_id).where(or_(
            Account.id.in_(select(AccountAnalytics.account_id).where(
                or_(AccountAnalytics.is_key, AccountAnalytics.near_key))),
            Account.id.in_(select(KeyAccountReportRow.account_id))))))
        .order_by(User.id)))


def mailed_kams(session: Session, month: date) -> set[int]:
    """The KAMs whose report of ``month`` was already mailed."""
    return set(session.scalars(select(KamReportMailing.user_id).where(
        KamReportMailing.month == month)))


def record_mailing(session: Session, kam_id: int, month: date) -> None:
    """Note the report of ``month`` as mailed to ``kam_id`` (the caller commits once sent)."""
    session.add(KamReportMailing(user_id=kam_id, month=month))
    session.flush()
