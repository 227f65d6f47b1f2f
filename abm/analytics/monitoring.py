"""Monitoring key accounts: the conditions that raise alerts, with the figures behind them.

DOMAIN.md, "Monitoring key accounts". The accounts monitored are the key
accounts by share over the analysis period together with the accounts of the
top-N by average monthly shipments: a small set, so the per-account checks
below stay cheap whatever the size of the database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abm.accounts.models import PERSONAL_VISIT_KINDS, Account, Interaction, InteractionKind
from abm.analytics.concentration import (
    AccountShare,
    Concentration,
    concentration,
    explain_account,
    explained_account,
)
from abm.analytics.models import AlertKind
from abm.analytics.periods import add_months, last_full_month, month_label
from abm.analytics.settings import AnalyticsSettings
from abm.analytics.topn import top_accounts_by_avg_monthly_shipments
from abm.sales.models import MonthlyAccountProductSales, MonthlyAccountSales, Product, Receivable

NO_SHIPMENT_MONTHS = 3  # months checked for gaps: a first run still catches recent ones


@dataclass
class Finding:
    """One condition that holds for one account: what an alert is raised from.

    ``details`` are the figures the alert is worded from (see :mod:`abm.analytics.wording`).
    """

    account_id: int
    kind: AlertKind
    cause: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Monitored:
    """The key accounts to monitor (account id -> why) and the near-key accounts to develop
    (with their reasons and external ids)."""

    key: dict[int, list[str]]
    near_key: list[AccountShare]


def monitored_accounts(
    session: Session, *, today: date, settings: AnalyticsSettings,
    conc: Concentration | None = None,
) -> Monitored:
    """The key accounts to monitor and the near-key accounts to develop.

    ``conc`` is a concentration result of the same period, when at hand.
    """
    if conc is None:
        conc = concentration(session, today=today, settings=settings, explain=False)
    key: dict[int, list[str]] = {
        a.account_id: [r for r in explain_account(conc, a, settings) if "key by" in r]
        for a in conc.accounts if a.key
    }
    top = top_accounts_by_avg_monthly_shipments(
        session, month=last_full_month(today), top_n=settings.top_n,
        months=settings.top_n_months, measure=settings.measure,
    )
    for row in top:
        key.setdefault(row.account_id, []).append(
            f"top {settings.top_n} by average monthly shipments: rank "
            f"{row.rank}, {row.average:,.2f} a month"
        )
    near = [a for a in conc.accounts if a.near_key]
    names = dict(session.execute(
        select(Account.id, Account.external_id).where(Account.id.in_([a.account_id
                                                                     for a in near]))
    ).all()) if near else {}
    near = [replace(explained_account(conc, a, settings), external_id=names.get(a.account_id))
            for a in near]
    return Monitored(key=key, near_key=near)


def find_conditions(
    session: Session, account_ids: list[int], *, today: date, settings: AnalyticsSettings
) -> list[Finding]:
    """Every alert condition that holds today for these accounts."""
    if not account_ids:
        return []
    end = last_full_month(today)
    found: list[Finding] = []
    found += _no_shipments(session, account_ids, end)
    found += _declines(session, account_ids, end, settings.decline_threshold)
    found += _white_space(session, account_ids, end, settings.period_months)
    found += _terms_review(session, account_ids, today, settings.terms_review_months)
    found += _overdue(session, account_ids, today, settings.receivable_grace_days)
    found += _silence(session, account_ids, today, settings.silence_days)
    found += _no_visit(session, account_ids, today, settings.visit_days)
    return found


def _monthly(session, account_ids, first, last) -> dict[tuple[int, date], float]:
    m = MonthlyAccountSales
    return {(a, mo): round(float(v or 0), 2) for a, mo, v in session.execute(
        select(m.account_id, m.month, m.revenue)
        .where(m.account_id.in_(account_ids), m.month >= first, m.month <= last)
    )}


def _no_shipments(session, account_ids, end) -> list[Finding]:
    months = [add_months(end, -k) for k in range(NO_SHIPMENT_MONTHS - 1, -1, -1)]
    revenue = _monthly(session, account_ids, months[0], end)
    out = []
    for a in account_ids:
        for mo in months:
            if revenue.get((a, mo), 0.0) <= 0:
                out.append(Finding(a, AlertKind.NO_SHIPMENTS, month_label(mo),
                                   {"month": month_label(mo),
                                    "revenue": revenue.get((a, mo), 0.0)}))
    return out


def _declines(session, account_ids, end, threshold) -> list[Finding]:
    first = add_months(end, -14)
    revenue = _monthly(session, account_ids, first, end)

    def window(a, last):
        return round(sum(revenue.get((a, add_months(last, -k)), 0.0) for k in range(3)), 2)

    out = []
    label = f"{month_label(add_months(end, -2))}..{month_label(end)}"
    for a in account_ids:
        now = window(a, end)
        for kind, base_end in ((AlertKind.DECLINE_VS_PREVIOUS, add_months(end, -3)),
                               (AlertKind.DECLINE_VS_LAST_YEAR, add_months(end, -12))):
            base = window(a, base_end)
            if base <= 0:
                continue
            change = round((now - base) / base, 6)
            if change < -threshold:
                out.append(Finding(
                    a, kind, month_label(end),
                    {"months": label, "revenue": now, "base_revenue": base,
                     "base_months": f"{month_label(add_months(base_end, -2))}.."
                                    f"{month_label(base_end)}",
                     "change": change, "threshold": threshold},
                ))
    return out


def _white_space(session, account_ids, end, months) -> list[Finding]:
    """One finding per account: the top-assortment products it did not buy in the period.

    The cause is the set of products itself, so the alert is raised again only
    when the white space changes.
    """
    mp = MonthlyAccountProductSales
    first = add_months(end, -(months - 1))
    top = session.execute(
        select(Product.id, Product.sku, Product.name)
        .where(Product.top_assortment.is_(True)).order_by(Product.sku)
    ).all()
    if not top:
        return []
    bought = set(session.execute(
        select(mp.account_id, mp.product_id)
        .where(mp.account_id.in_(account_ids), mp.month >= first, mp.month <= end,
               mp.product_id.in_([p.id for p in top]))
        .group_by(mp.account_id, mp.product_id)
        .having(func.sum(mp.quantity) > 0)
    ).all())
    out = []
    for a in account_ids:
        missing = [p for p in top if (a, p.id) not in bought]
        if not missing:
            continue
        fingerprint = hashlib.sha1(  # noqa: S324 - a short name for a set, not security
            ",".join(str(p.id) for p in sorted(missing, key=lambda p: p.id)).encode()
        ).hexdigest()[:16]
        out.append(Finding(
            a, AlertKind.WHITE_SPACE, f"missing:{len(missing)}:{fingerprint}",
            {"top_assortment": len(top), "bought": len(top) - len(missing),
             "missing": [{"product_id": p.id, "sku": p.sku, "name": p.name} for p in missing],
             "since": month_label(first), "until": month_label(end)},
        ))
    return out


def _terms_review(session, account_ids, today, months) -> list[Finding]:
    out = []
    for a, reviewed in session.execute(
        select(Account.id, Account.terms_reviewed_on).where(Account.id.in_(account_ids))
    ):
        if reviewed is None:
            out.append(Finding(a, AlertKind.TERMS_REVIEW_DUE, "never", {"reviewed_on": None}))
            continue
        due = _add_months_to_day(reviewed, months)
        if today > due:
            out.append(Finding(
                a, AlertKind.TERMS_REVIEW_DUE, reviewed.isoformat(),
                {"reviewed_on": reviewed.isoformat(), "due_on": due.isoformat(),
                 "days_overdue": (today - due).days, "every_months": months},
            ))
    return out


def _add_months_to_day(day: date, months: int) -> date:
    first = add_months(day.replace(day=1), months)
    last_day = (add_months(first, 1) - timedelta(days=1)).day
    return first.replace(day=min(day.day, last_day))


def _overdue(session, account_ids, today, grace_days) -> list[Finding]:
    r = Receivable
    cutoff = today - timedelta(days=grace_days)
    rows = session.execute(
        select(r.id, r.account_id, r.document, r.due_on, r.amount, r.paid_amount, r.currency)
        .where(r.account_id.in_(account_ids), r.due_on < cutoff, r.amount > r.paid_amount)
        .order_by(r.due_on)
    ).all()
    return [
        Finding(row.account_id, AlertKind.OVERDUE_RECEIVABLE, f"receivable:{row.id}",
                {"document": row.document, "due_on": row.due_on.isoformat(),
                 "days_overdue": (today - row.due_on).days,
                 "outstanding": round(row.amount - row.paid_amount, 2),
                 "currency": row.currency})
        for row in rows
    ]


def _silence(session, account_ids, today, days) -> list[Finding]:
    """No interaction of any kind for more than ``days`` (any e-mail or note ends it)."""
    return [Finding(a, AlertKind.NO_INTERACTION, cause,
                    {"last_interaction": last, "days": silent, "limit_days": days})
            for a, cause, last, silent in silent_accounts(session, account_ids, today, days)]


def _no_visit(session, account_ids, today, days) -> list[Finding]:
    """No personal visit (a visit or a meeting) for more than ``days``: DOMAIN.md asks for
    one a month, and a call or an e-mail does not end this one."""
    return [Finding(a, AlertKind.NO_VISIT, cause,
                    {"last_visit": last, "days": silent, "limit_days": days})
            for a, cause, last, silent in silent_accounts(session, account_ids, today, days,
                                                          kinds=PERSONAL_VISIT_KINDS)]


def silent_accounts(
    session: Session, account_ids: list[int], today: date, days: int,
    kinds: tuple[InteractionKind, ...] | None = None,
) -> list[tuple[int, str, str | None, int | None]]:
    """The accounts without an interaction (of ``kinds``, default any) for more than ``days``:
    (account id, cause, last day in ISO or None, days silent or None)."""
    i = Interaction
    stmt = select(i.account_id, func.max(i.occurred_at)).where(i.account_id.in_(account_ids))
    if kinds is not None:
        stmt = stmt.where(i.kind.in_(kinds))
    last = dict(session.execute(stmt.group_by(i.account_id)).all())
    out: list[tuple[int, str, str | None, int | None]] = []
    for a in account_ids:
        when = last.get(a)
        if when is None:
            out.append((a, "never", None, None))
            continue
        # SQLite hands max() back as text: parse it, whatever the driver.
        day = when.date() if hasattr(when, "date") else date.fromisoformat(str(when)[:10])
        silent = (today - day).days
        if silent > days:
            out.append((a, f"since:{day.isoformat()}", day.isoformat(), silent))
    return out
