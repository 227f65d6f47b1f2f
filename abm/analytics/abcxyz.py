"""ABC-XYZ: value class by cumulative share, regularity class by the variation of monthly revenue.

ABC: accounts sorted by value, largest first; an account belongs to the class
in which its cumulative share *starts* (the share of the accounts strictly
above it): A below 80%, B below 95%, C after. So the account that crosses 80%
is in A, as in the Pareto core, and equal values always share a class.

XYZ: the coefficient of variation (population standard deviation over the
mean) of the account's monthly revenue over the last 12 full months, months
without shipments counted as zero: X <= 10%, Y <= 25%, Z above. An account
whose mean monthly revenue is not positive has no regular purchases: Z.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from abm.analytics.concentration import Period, RankedAccount
from abm.analytics.periods import last_full_month, month_label, month_span
from abm.analytics.settings import AnalyticsSettings
from abm.analytics.stats import AccountFigures, account_figures, ranked
from abm.workspace.services import settings_of

RECOMMENDATIONS = {
    "AX": "Key and steady: keep them. A personal key-account manager, individual terms, "
          "loyalty programme, deliveries planned ahead.",
    "AY": "Key, with swings: agree a purchase plan with them, keep safety stock, visit "
          "monthly and learn what drives the swings.",
    "AZ": "Key but irregular: find out why purchases are erratic; joint planning, contract "
          "volumes and close monitoring.",
    "BX": "Steady middle: grow them towards A by cross-selling the top assortment and "
          "volume bonuses.",
    "BY": "Middle, with swings: regular offers timed to their buying months; standard "
          "service with a named contact.",
    "BZ": "Middle, irregular: keep in touch, find the causes, targeted offers when they buy.",
    "CX": "Small but steady: serve efficiently (standard terms, automated reorders) and look "
          "for growth potential.",
    "CY": "Small, with swings: standard service and mass campaigns; little individual effort.",
    "CZ": "Small and irregular: lowest priority; automated campaigns only, and check that "
          "serving them pays.",
}


@dataclass(frozen=True, slots=True)
class XyzPeriod(Period):
    """The ABC period, and the months the regularity (XYZ) is measured over."""

    xyz_months: int


@dataclass(frozen=True, slots=True)
class AbcXyzCell:
    """One of the nine cells: its accounts (ids), their value and share, how to work them."""

    count: int
    value: float
    share: float
    accounts: list[int]
    recommendation: str


@dataclass(frozen=True, slots=True)
class AccountClass(RankedAccount):
    """One account's ABC class (by the share of the accounts above it), its XYZ class (by
    the variation of its monthly revenue, ``cv``; None without a positive mean) and why."""

    share_before: float
    abc: str
    mean_monthly: float
    cv: float | None
    xyz: str
    cell: str
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class AbcXyz:
    """The class of every account with a positive value and the nine-cell matrix."""

    period: XyzPeriod
    measure: str
    total: float
    thresholds: dict[str, float]
    matrix: dict[str, AbcXyzCell]
    accounts: list[AccountClass]


def coefficient_of_variation(total: float, sum_of_squares: float, months: int) -> float | None:
    """CV of ``months`` monthly values given their sum and sum of squares (None if mean <= 0)."""
    mean = total / months
    if mean <= 0:
        return None
    variance = max(sum_of_squares / months - mean * mean, 0.0)
    return round(math.sqrt(variance) / mean, 6)


def abc_class(share_before: float, a: float, b: float) -> str:
    if share_before < a:
        return "A"
    if share_before < b:
        return "B"
    return "C"


def xyz_class(cv: float | None, x: float, y: float) -> str:
    if cv is None:
        return "Z"
    if cv <= x:
        return "X"
    if cv <= y:
        return "Y"
    return "Z"


def abc_xyz(
    session: Session,
    *,
    today: date | None = None,
    end: date | None = None,
    by: str | None = None,
    settings: AnalyticsSettings | None = None,
    figures: list[AccountFigures] | None = None,
    explain: bool = True,
) -> AbcXyz:
    """The class of every account with a positive value and the nine-cell matrix.

    Args:
        today: the current date; the period ends with the last full month before it.
        end: the last month of the period (overrides ``today``).
        by: "revenue" or "margin" for the ABC part (default: the setting).
        settings: the workspace's analytics settings (read when None).
        figures: precomputed figures (the full refresh passes them).
        explain: write each account's reasons (the full refresh skips them).

    Returns:
        The ``matrix`` by cell name ("AX".."CZ"); the ``accounts`` largest first.
    """
    s = settings or settings_of(session, AnalyticsSettings)
    end = end or last_full_month(today or date.today())
    months = s.period_months
    xyz_months = s.xyz_months
    measure = by or s.measure
    if figures is None:
        figures = account_figures(session, end=end, months=months, measure=measure,
                                  xyz_months=xyz_months)
    start, _ = month_span(end, months)
    by_id = {f.account_id: f for f in figures}
    ranking = ranked({f.account_id: f.value for f in figures})
    total = round(sum(r.value for r in ranking), 2)
    a_t, b_t = s.abc_a, s.abc_b
    x_t, y_t = s.xyz_x, s.xyz_y
    members: dict[str, list[AccountClass]] = {f"{abc}{xyz}": [] for abc in "ABC" for xyz in "XYZ"}
    accounts = []
    for account_id, value, rank, before, _position, _through in ranking:
        f = by_id[account_id]
        abc = abc_class(round(before, 12), a_t, b_t)
        cv = coefficient_of_variation(f.xyz_sum, f.xyz_sumsq, xyz_months)
        xyz = xyz_class(cv, x_t, y_t)
        mean = round(f.xyz_sum / xyz_months, 2)
        account = AccountClass(
            account_id=account_id, external_id=f.external_id, name=f.name, value=value,
            share=round(value / total, 6), rank=rank, share_before=round(before, 6), abc=abc,
            mean_monthly=mean, cv=cv, xyz=xyz, cell=abc + xyz,
            reasons=_reasons(abc, xyz, before, cv, mean, measure, xyz_months, s)
            if explain else [],
        )
        members[account.cell].append(account)
        accounts.append(account)
    return AbcXyz(
        period=XyzPeriod(start=month_label(start), end=month_label(end), months=months,
                         xyz_months=xyz_months),
        measure=measure,
        total=total,
        thresholds={"a": a_t, "b": b_t, "x": x_t, "y": y_t},
        matrix={name: _cell(name, found, total) for name, found in members.items()},
        accounts=accounts,
    )


def _cell(name: str, members: list[AccountClass], total: float) -> AbcXyzCell:
    value = 0.0
    for a in members:  # summed in rank order, as the shares were
        value += a.value
    value = round(value, 2)
    return AbcXyzCell(count=len(members), value=value,
                      share=round(value / total, 6) if total else 0.0,
                      accounts=[a.account_id for a in members],
                      recommendation=RECOMMENDATIONS[name])


def _reasons(abc, xyz, before, cv, mean, measure, xyz_months,
             s: AnalyticsSettings) -> list[str]:
    a_t, b_t = s.abc_a, s.abc_b
    x_t, y_t = s.xyz_x, s.xyz_y
    regularity = (f"monthly revenue varies by {cv * 100:.1f}% around its mean {mean:,.2f} "
                  f"over {xyz_months} months" if cv is not None
                  else f"no positive mean monthly revenue over {xyz_months} months")
    return [
        f"{abc}: the accounts above it bring {before * 100:.1f}% of {measure} "
        f"(A below {a_t * 100:.0f}%, B below {b_t * 100:.0f}%)",
        f"{xyz}: {regularity} (X up to {x_t * 100:.0f}%, Y up to {y_t * 100:.0f}%)",
    ]
