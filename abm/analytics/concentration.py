"""Revenue shares and risk flags, the Herfindahl-Hirschman index, Pareto and near-key accounts.

DOMAIN.md, "Identifying key accounts", rules 1 and 2, and "near-key accounts"
from "Monitoring key accounts". Every flag comes with the figures behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.orm import Session

from abm.analytics.explanations import Explanation, flag_explanations
from abm.analytics.periods import last_full_month, month_label, month_span
from abm.analytics.settings import AnalyticsSettings
from abm.analytics.stats import AccountFigures, account_figures, ranked
from abm.workspace.services import settings_of

CURVE_POINTS = 100  # the Pareto curve is sampled: 100k accounts make no better chart


@dataclass(frozen=True, slots=True)
class Period:
    """The months a figure covers, as ``YYYY-MM`` labels."""

    start: str
    end: str
    months: int


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """A point of the Pareto curve: the share of accounts, the share of value they bring."""

    accounts: float
    value: float


@dataclass(frozen=True, slots=True)
class Pareto:
    """The Pareto core: the fewest accounts whose cumulative value reaches ``share``."""

    share: float
    core_accounts: int
    core_account_share: float
    core_value_share: float
    curve: list[CurvePoint]


@dataclass(frozen=True, slots=True)
class RankedAccount:
    """An account with a positive value in the period: the value, its share of the total,
    its rank (1: the largest; equal values share a rank)."""

    account_id: int
    external_id: str | None
    name: str
    value: float
    share: float
    rank: int


@dataclass(frozen=True, slots=True)
class AccountShare(RankedAccount):
    """One account's share of the period's total, its rank and its flags.

    ``growth`` is the last half of the period against the first (None without a
    base); ``reasons`` say why each flag holds, in English (empty when not explained), and
    ``explanations`` the same as codes and figures, for the reader's language.
    """

    cumulative_share: float
    pareto_core: bool
    key: bool
    dependency: bool
    mono_client: bool
    near_key: bool
    growth: float | None
    reasons: list[str]
    explanations: list[Explanation] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Concentration:
    """Each account's share and flags, and the company's concentration (see
    :func:`concentration`)."""

    period: Period
    measure: str
    total: float
    accounts_with_sales: int
    hhi: float
    hhi_level: str
    thresholds: dict[str, float]
    pareto: Pareto
    flags: dict[str, list[int]]
    accounts: list[AccountShare]


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def hhi_level(hhi: float) -> str:
    """A word for the index (0 to 10,000) on the usual antitrust scale."""
    if hhi < 1500:
        return "unconcentrated"
    if hhi <= 2500:
        return "moderately concentrated"
    return "highly concentrated"


def concentration(
    session: Session,
    *,
    today: date | None = None,
    end: date | None = None,
    months: int | None = None,
    by: str | None = None,
    settings: AnalyticsSettings | None = None,
    figures: list[AccountFigures] | None = None,
    explain: bool = True,
) -> Concentration:
    """Each account's share of the period's total, its flags and the company's concentration.

    Args:
        today: the current date (default: the real one); the period ends with
            the last full month before it unless ``end`` is given.
        end: the last month of the period (first day of the month).
        months: the period length (default: the ``period_months`` setting).
        by: "revenue" or "margin" (default: the ``measure`` setting).
        settings: the workspace's analytics settings (read when None).
        figures: precomputed figures for this period (the full refresh passes them).
        explain: write each account's reasons (the full refresh, which stores
            the figures and explains them when read, skips them).

    Returns:
        The ``hhi`` is 0 to 10,000; ``flags`` lists the account ids of each flag (key,
        dependency, mono_client, near_key); ``accounts`` has one row per account with
        a positive value, largest first.
    """
    s = settings or settings_of(session, AnalyticsSettings)
    end = end or last_full_month(today or date.today())
    months = months or s.period_months
    measure = by or s.measure
    if figures is None:
        figures = account_figures(session, end=end, months=months, measure=measure,
                                  xyz_months=months)
    start, _ = month_span(end, months)
    by_id = {f.account_id: f for f in figures}
    ranking = ranked({f.account_id: f.value for f in figures})
    total = round(sum(r.value for r in ranking), 2)
    key_t, dep_t = s.key_share, s.dependency_share
    mono_t, pareto_t = s.mono_client_share, s.pareto_share
    growth_by_id = _growth(figures)
    fastest = _fastest_growing(ranking, growth_by_id, s)

    accounts: list[AccountShare] = []
    hhi = 0.0
    core = 0
    core_value = 0.0
    for account_id, value, rank, _tied, before, through in ranking:
        f = by_id[account_id]
        share = round(value / total, 12)  # 0.1 stays 0.1 at a threshold
        hhi += (share * 100) ** 2
        in_core = round(before, 12) < pareto_t  # the smallest set that reaches it
        if in_core:
            core += 1
            core_value = through
        key = share >= key_t
        near = not key and (share >= key_t - s.near_key_margin or account_id in fastest)
        accounts.append(AccountShare(
            account_id=account_id, external_id=f.external_id, name=f.name, value=value,
            share=round(share, 6), rank=rank, cumulative_share=round(through, 6),
            pareto_core=in_core, key=key, dependency=share > dep_t,
            mono_client=share >= mono_t, near_key=near, growth=growth_by_id.get(account_id),
            reasons=[],
        ))
    n = len(accounts)
    result = Concentration(
        period=Period(start=month_label(start), end=month_label(end), months=months),
        measure=measure,
        total=total,
        accounts_with_sales=n,
        hhi=round(hhi, 2),
        hhi_level=hhi_level(hhi),
        thresholds={"key": key_t, "dependency": dep_t, "mono_client": mono_t,
                    "pareto": pareto_t, "near_key_margin": s.near_key_margin},
        pareto=Pareto(
            share=pareto_t,
            core_accounts=core,
            core_account_share=round(core / n, 6) if n else 0.0,
            core_value_share=round(core_value, 6),
            curve=_curve(ranking),
        ),
        flags={name: [a.account_id for a in accounts if getattr(a, name)]
               for name in ("key", "dependency", "mono_client", "near_key")},
        accounts=accounts,
    )
    if explain:
        explained = [explained_account(result, a, s) for a in accounts]
        result = replace(result, accounts=explained)
    return result


def _growth(figures: list[AccountFigures]) -> dict[int, float | None]:
    """Growth of the last half of the period against the first half (None without a base)."""
    return {f.account_id: (round((f.late - f.early) / f.early, 6) if f.early > 0 else None)
            for f in figures}


def _fastest_growing(ranking, growth_by_id, s: AnalyticsSettings) -> set[int]:
    """The fastest growers above the minimum share and growth, the key accounts aside."""
    total = sum(r.value for r in ranking) or 1.0
    candidates = [
        (growth_by_id[a], a) for a, v, *_ in ranking
        if growth_by_id.get(a) is not None
        and growth_by_id[a] >= s.near_key_growth
        and s.near_key_min_share <= v / total < s.key_share
    ]
    candidates.sort(key=lambda t: (-t[0], t[1]))
    return {a for _, a in candidates[: s.near_key_fastest]}


def explain_account(result: Concentration, account: AccountShare,
                    settings: AnalyticsSettings) -> list[str]:
    """The reasons behind one account's flags, from a :func:`concentration` result."""
    s = settings
    share, measure = account.share, result.measure
    of = f"{account.value:,.2f} of {result.total:,.2f} {measure}"
    out = []
    if account.mono_client:
        out.append(f"mono-client risk: share {_pct(share)} ({of}) >= "
                   f"{_pct(s.mono_client_share)}")
    if account.dependency:
        out.append(f"dependency risk: share {_pct(share)} ({of}) > "
                   f"{_pct(s.dependency_share)}")
    if account.key:
        out.append(f"key by share: {_pct(share)} ({of}) >= {_pct(s.key_share)}")
    if account.near_key:
        if share >= s.key_share - s.near_key_margin:
            out.append(f"near-key: share {_pct(share)} is within "
                       f"{_pct(s.near_key_margin)} of the key threshold "
                       f"{_pct(s.key_share)}")
        else:
            out.append(f"near-key: among the fastest growing, {_pct(account.growth or 0.0)} last "
                       "half of the period against the first")
    if account.pareto_core:
        before = max(account.cumulative_share - share, 0.0)
        out.append(f"Pareto core: rank {account.rank}, the accounts above it bring "
                   f"{_pct(before)} (< {_pct(s.pareto_share)})")
    return out


def account_explanations(result: Concentration, account: AccountShare,
                         settings: AnalyticsSettings) -> list[Explanation]:
    """The codes and figures of :func:`explain_account`'s reasons, in the same order."""
    return flag_explanations(
        settings, share=account.share, total=result.total, measure=result.measure,
        mono_client=account.mono_client, dependency=account.dependency, key=account.key,
        near_key=account.near_key, growth=account.growth, pareto_core=account.pareto_core,
        rank=account.rank, accounts=result.accounts_with_sales)


def explained_account(result: Concentration, account: AccountShare,
                      settings: AnalyticsSettings) -> AccountShare:
    """The account with its reasons, in English and as codes and figures."""
    return replace(account, reasons=explain_account(result, account, settings),
                   explanations=account_explanations(result, account, settings))


def _curve(ranking) -> list[CurvePoint]:
    """The cumulative share of value against the share of accounts, sampled."""
    n = len(ranking)
    if not n:
        return []
    step = max(1, n // CURVE_POINTS)
    points = [CurvePoint(accounts=0.0, value=0.0)]
    for i in range(step - 1, n, step):
        points.append(CurvePoint(accounts=round((i + 1) / n, 6),
                                 value=round(ranking[i].through, 6)))
    if points[-1].accounts != 1.0:
        points.append(CurvePoint(accounts=1.0, value=round(ranking[-1].through, 6)))
    return points
