"""Top-N accounts by average monthly shipments, the monthly report and what changed.

DOMAIN.md rule 3: the last 3 full calendar months, per account per month
(months without shipments count as zero), averaged, largest first, top 20.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.analytics.models import KeyAccountReport, KeyAccountReportRow
from abm.analytics.periods import add_months, last_full_month, month_label, months_between
from abm.analytics.settings import AnalyticsSettings
from abm.analytics.stats import measure_column
from abm.sales.models import MonthlyAccountSales
from abm.workspace.services import settings_of


@dataclass(frozen=True, slots=True)
class MonthlyAverage:
    """An account's rank by average monthly value, and its value in each month (oldest first)."""

    rank: int
    account_id: int
    average: float
    monthly: list[float]


@dataclass(frozen=True, slots=True)
class RankChange:
    """How an account moved between two reports (``change`` > 0: it moved up)."""

    account_id: int
    previous_rank: int | None
    rank: int | None
    change: int | None
    external_id: str | None = None
    name: str = ""


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A row of the report, with its move since the previous one (``status``: entered, up,
    down or same)."""

    rank: int
    account_id: int
    average: float
    monthly: list[float]
    external_id: str | None
    name: str
    previous_rank: int | None
    change: int | None
    status: str


@dataclass(frozen=True, slots=True)
class TopNReport:
    """The key-account report of a month and what changed since the month before.

    ``months`` are the months averaged (``YYYY-MM``); ``changes`` lists the accounts that
    entered, left, moved_up, moved_down and stayed unchanged; ``previous_stored`` says
    whether the comparison was a stored report (or computed from today's data).
    """

    month: str
    months: list[str]
    previous_month: str
    previous_stored: bool
    top_n: int
    measure: str
    created_at: str | None
    rows: list[ReportRow]
    changes: dict[str, list[RankChange]]


@dataclass(frozen=True, slots=True)
class StoredReports:
    """What the refresh stored: the last full month's report (ISO dates) and its rows."""

    month: str
    previous_month: str
    rows: int


def top_accounts_by_avg_monthly_shipments(
    session: Session, *, month: date, top_n: int, months: int = 3, measure: str = "revenue"
) -> list[MonthlyAverage]:
    """The ``top_n`` accounts by average monthly value over ``months`` months ending with ``month``.

    The average divides by ``months`` whatever the number of months with
    shipments. Accounts whose average is not positive are left out; equal
    averages are ordered by account id.

    Returns:
        One row per account, best first.
    """
    m = MonthlyAccountSales
    first = add_months(month, -(months - 1))
    total = func.round(func.sum(measure_column(measure)), 2)
    stmt = (
        select(m.account_id, total)
        .where(m.month >= first, m.month <= month)
        .group_by(m.account_id)
        .having(func.sum(measure_column(measure)) > 0)
        .order_by(total.desc(), m.account_id)
        .limit(top_n)
    )
    top = [(account_id, float(value)) for account_id, value in session.execute(stmt)]
    if not top:
        return []
    ids = [a for a, _ in top]
    labels = months_between(first, month)
    per_month: dict[tuple[int, date], float] = {
        (a, mo): round(float(v or 0), 2)
        for a, mo, v in session.execute(
            select(m.account_id, m.month, measure_column(measure))
            .where(m.account_id.in_(ids), m.month >= first, m.month <= month)
        )
    }
    return [
        MonthlyAverage(rank=rank, account_id=account_id, average=round(value / months, 2),
                       monthly=[per_month.get((account_id, mo), 0.0) for mo in labels])
        for rank, (account_id, value) in enumerate(top, start=1)
    ]


def build_key_account_report(
    session: Session,
    *,
    month: date | None = None,
    today: date | None = None,
    top_n: int | None = None,
    replace: bool = False,
) -> KeyAccountReport:
    """Persist the report of ``month`` (default: the last full month); the caller commits.

    A report that exists already is returned as it is, so that the monthly job
    can run twice; ``replace`` recomputes it.
    """
    s = settings_of(session, AnalyticsSettings)
    month = month or last_full_month(today or date.today())
    existing = session.scalar(select(KeyAccountReport).where(KeyAccountReport.month == month))
    if existing is not None and not replace and (top_n is None or existing.top_n == top_n):
        return existing
    if existing is not None:
        session.execute(delete(KeyAccountReport).where(KeyAccountReport.id == existing.id))
        session.expunge(existing)
    top_n = top_n or s.top_n
    months = s.top_n_months
    measure = s.measure
    rows = top_accounts_by_avg_monthly_shipments(
        session, month=month, top_n=top_n, months=months, measure=measure
    )
    report = KeyAccountReport(month=month, top_n=top_n, months=months, measure=measure)
    report.rows = [KeyAccountReportRow(account_id=r.account_id, rank=r.rank,
                                       average=r.average, monthly=r.monthly) for r in rows]
    session.add(report)
    session.flush()
    return report


def store_recent_reports(session: Session, *, today: date) -> StoredReports:
    """Store the report of the last full month anew, and the month before's when it is missing.

    The last full month's report follows the data (a late import changes it);
    the month before's is kept as it was stored, so that "what changed" compares
    with what was reported then, and is built only when there is none (a first
    import), so that the comparison is there from the start. The caller commits.

    """
    month = last_full_month(today)
    build_key_account_report(session, month=add_months(month, -1))
    report = build_key_account_report(session, month=month, replace=True)
    return StoredReports(month=month.isoformat(),
                         previous_month=add_months(month, -1).isoformat(),
                         rows=len(report.rows))


def diff_reports(before: dict[int, int], now: dict[int, int]) -> dict[str, list[RankChange]]:
    """What changed between two rankings, each the rank by account id.

    Returns:
        entered, left, moved_up, moved_down and unchanged: the accounts of each, by rank.
    """
    out: dict[str, list[RankChange]] = {"entered": [], "left": [], "moved_up": [],
                                        "moved_down": [], "unchanged": []}
    for account_id, rank in sorted(now.items(), key=lambda t: t[1]):
        was = before.get(account_id)
        item = RankChange(account_id=account_id, previous_rank=was, rank=rank,
                          change=None if was is None else was - rank)
        if was is None:
            out["entered"].append(item)
        elif was > rank:
            out["moved_up"].append(item)
        elif was < rank:
            out["moved_down"].append(item)
        else:
            out["unchanged"].append(item)
    for account_id, was in sorted(before.items(), key=lambda t: t[1]):
        if account_id not in now:
            out["left"].append(RankChange(account_id=account_id, previous_rank=was, rank=None,
                                          change=None))
    return out


def key_account_report(
    session: Session,
    *,
    month: date | None = None,
    today: date | None = None,
    top_n: int | None = None,
) -> TopNReport:
    """The report of ``month`` (built and stored if missing) and its changes since the month before.

    The previous month's stored report is the comparison; when there is none,
    it is computed from the current data (and not stored).
    """
    report = build_key_account_report(session, month=month, today=today, top_n=top_n)
    previous_month = add_months(report.month, -1)
    prev = session.scalar(
        select(KeyAccountReport).where(KeyAccountReport.month == previous_month)
    )
    previous: list[KeyAccountReportRow] | list[MonthlyAverage]
    if prev is not None:
        previous = prev.rows
    else:
        previous = top_accounts_by_avg_monthly_shipments(
            session, month=previous_month, top_n=report.top_n, months=report.months,
            measure=report.measure,
        )
    was = {r.account_id: r.rank for r in previous}
    now = {r.account_id: r.rank for r in report.rows}
    names = _names(session, set(now) | set(was))
    changes = {kind: [_named(item, names) for item in items]
               for kind, items in diff_reports(was, now).items()}
    return TopNReport(
        month=month_label(report.month),
        months=[month_label(m) for m in months_between(
            add_months(report.month, -(report.months - 1)), report.month)],
        previous_month=month_label(previous_month),
        previous_stored=prev is not None,
        top_n=report.top_n,
        measure=report.measure,
        created_at=report.created_at.isoformat() if report.created_at else None,
        rows=[_row(r, was.get(r.account_id), names) for r in report.rows],
        changes=changes,
    )


def _names(session: Session, ids: set[int]) -> dict[int, tuple[str | None, str]]:
    if not ids:
        return {}
    return {a: (e, n) for a, e, n in session.execute(
        select(Account.id, Account.external_id, Account.name).where(Account.id.in_(ids)))}


def _named(item: RankChange, names: dict[int, tuple[str | None, str]]) -> RankChange:
    external_id, name = names.get(item.account_id, (None, ""))
    return replace(item, external_id=external_id, name=name)


def _row(r: KeyAccountReportRow, before: int | None,
         names: dict[int, tuple[str | None, str]]) -> ReportRow:
    status = ("entered" if before is None else "up" if before > r.rank
              else "down" if before < r.rank else "same")
    external_id, name = names.get(r.account_id, (None, ""))
    return ReportRow(rank=r.rank, account_id=r.account_id, average=r.average,
                     monthly=r.monthly, external_id=external_id, name=name,
                     previous_rank=before, change=None if before is None else before - r.rank,
                     status=status)
