"""Why accounts leave: marking an account lost or won back, with a reason, and what was lost.

DOMAIN.md, "Losing and winning back accounts": the common causes of loss are a
service level cut, a quality drop, missed deadlines and promises, the client's
opinion ignored. Each mark records a reason from the workspace's list
(``AnalyticsSettings.loss_reasons``), a note, and the account's average monthly
revenue over the 12 months up to its last month with purchases before the mark
(months without purchases count as zero): what the company stands to lose a month.
The web, the API and the command line all call :func:`mark_account`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.analytics.models import AccountLoss, LossAction
from abm.analytics.periods import add_months, month_start
from abm.analytics.settings import AnalyticsSettings
from abm.audit import services as audit
from abm.sales.models import MonthlyAccountSales
from abm.workspace.refusals import N_, Refusal
from abm.workspace.services import settings_of

MONTHS_BEFORE = 12
PERIODS = ("month", "quarter", "year")


class LossError(Refusal):
    """An unknown account, action or reason; the message (English) says which, its
    ``template`` words it for the reader."""


@dataclass(frozen=True, slots=True)
class LossMark:
    """An account marked lost or won back."""

    id: int
    account_id: int
    action: str
    reason: str
    note: str
    occurred_on: date
    monthly_revenue: float
    user_id: int | None


@dataclass(frozen=True, slots=True)
class LossReportRow:
    """Accounts marked lost in a period for a reason, and the revenue they took with them:
    ``monthly_revenue`` a month, ``annual_revenue`` over a year (12 times)."""

    period: str
    reason: str
    accounts: int
    monthly_revenue: float
    annual_revenue: float


def mark_account(session: Session, account_id: int, action: str, reason: str, note: str = "",
                 *, on: date | None = None, actor: audit.Actor = audit.NOBODY) -> LossMark:
    """Record that an account was lost or won back, why, and its monthly revenue before.

    Writes the audit entry; the caller commits.

    Raises:
        LossError: no such account, an action other than ``lost``/``won_back``, or a
            reason not in the workspace's list.
    """
    try:
        kind = LossAction(action)
    except ValueError:
        raise LossError.worded(N_("action: %(action)s is not lost or won_back"),
                               action=repr(action)) from None
    reasons = settings_of(session, AnalyticsSettings).loss_reason_list
    if reason not in reasons:
        raise LossError.worded(N_("reason: %(reason)s is not one of %(reasons)s"),
                               reason=repr(reason), reasons=", ".join(reasons))
    if session.get(Account, account_id) is None:
        raise LossError.worded(N_("account: no account %(account)s"), account=account_id)
    day = on or date.today()
    row = AccountLoss(account_id=account_id, action=kind, reason=reason,
                      note=(note or "").strip()[:5000], occurred_on=day, user_id=actor.user_id,
                      monthly_revenue=monthly_revenue_before(session, account_id, day))
    session.add(row)
    session.flush()
    audit.record_by(session, actor, f"account.{kind.value}",
                    f"account:{account_id}", {"reason": reason, "on": day.isoformat(),
                                              "monthly_revenue": row.monthly_revenue})
    return _mark(row)


def monthly_revenue_before(session: Session, account_id: int, day: date) -> float:
    """The account's average monthly revenue over the 12 months up to its last month with
    purchases on or before ``day``'s month (0 when it never bought)."""
    m = MonthlyAccountSales
    last = session.scalar(select(func.max(m.month)).where(
        m.account_id == account_id, m.month <= month_start(day), m.revenue > 0))
    if last is None:
        return 0.0
    last = last if isinstance(last, date) else date.fromisoformat(str(last)[:10])
    total = session.scalar(select(func.sum(m.revenue)).where(
        m.account_id == account_id, m.month > add_months(last, -MONTHS_BEFORE),
        m.month <= last))
    return round(float(total or 0) / MONTHS_BEFORE, 2)


def account_marks(session: Session, account_id: int) -> list[LossMark]:
    """The account's marks, newest first."""
    return [_mark(r) for r in session.scalars(
        select(AccountLoss).where(AccountLoss.account_id == account_id)
        .order_by(AccountLoss.occurred_on.desc(), AccountLoss.id.desc()))]


def lost_revenue_report(session: Session, *, by: str = "month", first: date | None = None,
                        last: date | None = None) -> list[LossReportRow]:
    """Accounts marked lost and their revenue, per period (``month``, ``quarter`` or
    ``year``) and reason, the latest period first, the largest loss first within it.

    Raises:
        LossError: an unknown period.
    """
    if by not in PERIODS:
        raise LossError.worded(N_("by: %(by)s is not one of %(periods)s"), by=repr(by),
                               periods=", ".join(PERIODS))
    a = AccountLoss
    stmt = select(a.occurred_on, a.reason, a.monthly_revenue).where(a.action == LossAction.LOST)
    if first is not None:
        stmt = stmt.where(a.occurred_on >= first)
    if last is not None:
        stmt = stmt.where(a.occurred_on <= last)
    groups: dict[tuple[str, str], list[float]] = {}
    for day, reason, revenue in session.execute(stmt):
        groups.setdefault((_period(day, by), reason), []).append(float(revenue or 0))
    rows = [LossReportRow(period=p, reason=r, accounts=len(v),
                          monthly_revenue=round(sum(v), 2), annual_revenue=round(sum(v) * 12, 2))
            for (p, r), v in groups.items()]
    rows.sort(key=lambda r: (r.period, r.monthly_revenue), reverse=True)
    return rows


def _period(day: date, by: str) -> str:
    if by == "year":
        return f"{day.year}"
    if by == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def _mark(row: AccountLoss) -> LossMark:
    return LossMark(id=row.id, account_id=row.account_id, action=str(row.action),
                    reason=row.reason, note=row.note or "", occurred_on=row.occurred_on,
                    monthly_revenue=row.monthly_revenue, user_id=row.user_id)


def account_id_by_ref(session: Session, ref: str) -> int:
    """The account named by its external id, or by its numeric id (the command line's way).

    Raises:
        LossError: no such account.
    """
    found = session.scalar(select(Account.id).where(Account.external_id == ref))
    if found is None and ref.isdigit():
        found = session.scalar(select(Account.id).where(Account.id == int(ref)))
    if found is None:
        raise LossError.worded(N_("account: no account %(account)s"), account=repr(ref))
    return found
