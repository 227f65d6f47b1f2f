"""Account potential: BG/NBD and Gamma-Gamma on customers, lookalike score on prospects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account, AccountKind
from abm.ml.bgnbd import ModelError, expected_purchases, fit_bgnbd, p_alive
from abm.ml.gammagamma import discounted_value, expected_spend, fit_gamma_gamma
from abm.ml.lookalike import firmographic_matrix, lookalike_scores, prospect_potential
from abm.segments.models import AccountPotential, PotentialFit
from abm.segments.queries import add_months, bulk_insert, purchase_histories, sales_span
from abm.segments.reads import (  # noqa: F401 - the reads, importable from here as before
    account_potential,
    account_potentials,
    latest_fit,
    potential_count,
    probability_alive,
)
from abm.segments.refusals import PotentialError, note, said
from abm.workspace.refusals import N_

UNITS = {"days": 1.0, "weeks": 7.0}
_CUSTOMER_COLUMNS = ("fit_id", "account_id", "kind", "frequency", "recency", "age", "mean_spend",
                     "expected_purchases", "p_alive", "expected_spend", "clv", "purchases_90d")
_PROSPECT_COLUMNS = ("fit_id", "account_id", "kind", "lookalike", "qualified_ps", "score")
MONTH_DAYS = 365.25 / 12
SOON_DAYS = 90  # the account page's "expected purchases in the next 90 days"
MIN_HISTORY_DAYS = 60  # below this a purchase rate is a guess, not an estimate


@dataclass(frozen=True, slots=True)
class FitSummary:
    """A stored potential fit (its per-account figures are stored, not here).

    Attributes:
        calibration_end: the last day of history used (ISO).
        unit: "days" or "weeks", the time unit of the parameters.
        horizon: the horizon of expected purchases and CLV, in ``unit``.
        customers, prospects: how many of each were scored.
        bgnbd: the purchase model's r, alpha, a, b and log_likelihood.
        spend: the spend model's p, q, gamma and log_likelihood; None when it could
            not be fitted (``spend_error`` says why in English, ``spend_note`` as a code
            and its parameters, for the reader's language).
    """

    fit_id: int
    calibration_end: str
    unit: str
    horizon: float
    customers: int
    prospects: int
    bgnbd: dict[str, float]
    spend: dict[str, float] | None
    spend_error: str | None
    spend_note: dict[str, Any] | None = None


def fit_potential(
    session: Session,
    *,
    calibration_end: date | None = None,
    unit: str = "weeks",
    horizon_months: int = 12,
    clv_months: int = 36,
    discount_rate: float = 0.10,
    key_account_ids: list[int] | None = None,
    progress: Callable[..., None] | None = None,
) -> FitSummary:
    """Fit BG/NBD and Gamma-Gamma on every customer's history, store the fit and figures.

    Args:
        calibration_end: last day of history used (default: the last order date).
        unit: "days" or "weeks", the time unit of recency, age and the parameters.
        horizon_months: the horizon of expected purchases.
        clv_months: the horizon of customer lifetime value (CLV), in months.
        discount_rate: the yearly rate CLV is discounted at (0.10 = 10%).
        key_account_ids: the key accounts prospects are compared with (default:
            the Pareto core: customers making 80% of the calibration revenue).
        progress: called as ``progress(done, total, message)``.

    Returns:
        The fit; the per-account figures are stored. The caller commits.

    Raises:
        PotentialError: no orders, too short a history, or no repeat purchases.
    """
    report = progress or (lambda *a, **k: None)
    if unit not in UNITS:
        raise PotentialError("unknown_unit", unit=unit)
    first, last, _ = sales_span(session)
    if first is None or last is None:  # both or neither
        raise PotentialError("no_orders")
    calibration_end = calibration_end or last
    if calibration_end < first:
        raise PotentialError("end_before_first", end=calibration_end.isoformat(),
                             first=first.isoformat())
    if (calibration_end - first).days < MIN_HISTORY_DAYS:
        raise PotentialError("short_sales_history", days=(calibration_end - first).days + 1,
                             end=calibration_end.isoformat(), minimum=MIN_HISTORY_DAYS)
    report(0, 4, N_("reading purchase histories"))
    h = purchase_histories(session, calibration_end, last)
    scale = UNITS[unit]
    x = h.days - 1
    t_x = (h.last - h.first).astype(float) / scale
    T = (np.datetime64(calibration_end, "D") - h.first).astype(float) / scale
    with np.errstate(divide="ignore", invalid="ignore"):
        mbar = np.where(x > 0, (h.revenue - h.first_day_revenue) / x, 0.0)
    report(1, 4, N_("fitting the purchase model"))
    try:
        bg = fit_bgnbd(x, t_x, T)
    except ModelError as exc:
        raise PotentialError.of(exc) from None
    horizon = (add_months(calibration_end.replace(day=1), horizon_months)
               - calibration_end.replace(day=1)).days / scale
    purchases = expected_purchases(bg, horizon, x, t_x, T)
    alive = p_alive(bg, x, t_x, T)
    spend, spend_note = None, None
    try:
        spend = fit_gamma_gamma(x, mbar)
        value = expected_spend(spend, x, mbar)
    except ModelError as exc:
        # Spend too heavy-tailed (or too little of it) for the model: each
        # customer's own average per purchase day is the honest next best.
        spend_note = note("own_average_spend", exc)
        value = h.revenue / np.maximum(h.days, 1)
    clv = discounted_value(bg, value, x, t_x, T, months=clv_months,
                           month_length=MONTH_DAYS / scale, annual_rate=discount_rate)
    soon = expected_purchases(bg, SOON_DAYS / scale, x, t_x, T)
    report(2, 4, N_("storing per-account figures"))
    fit = PotentialFit(
        calibration_end=calibration_end, unit=unit, horizon=float(horizon),
        n_customers=len(x),
        params={"bgnbd": bg.as_dict(), "spend": spend.as_dict() if spend else None,
                "spend_error": said(spend_note), "spend_note": spend_note},
        log_likelihood=bg.log_likelihood,
        settings={"horizon_months": horizon_months, "clv_months": clv_months,
                  "discount_rate": discount_rate},
    )
    session.add(fit)
    session.flush()
    # Only the latest fit keeps per-account rows: the table stays one row per account.
    session.execute(delete(AccountPotential).where(AccountPotential.fit_id != fit.id))
    # Columns as plain lists zipped into rows: per-value Python work at 100k
    # accounts cost more than the database's insert itself.
    mean_spend = [m if f > 0 else None for f, m in zip(x.tolist(), mbar.tolist(), strict=True)]
    n = len(x)
    bulk_insert(session, AccountPotential.__table__, _CUSTOMER_COLUMNS, list(zip(
        [fit.id] * n, h.account_ids.tolist(), ["customer"] * n, x.astype(int).tolist(),
        t_x.tolist(), T.tolist(), mean_spend, purchases.tolist(), alive.tolist(),
        value.tolist(), clv.tolist(), soon.tolist(), strict=True)))
    report(3, 4, N_("scoring prospects"))
    prospects = _score_prospects(session, fit.id, set(h.account_ids.tolist()), h,
                                 key_account_ids)
    report(4, 4, N_("done"))
    return FitSummary(
        fit_id=fit.id, calibration_end=calibration_end.isoformat(), unit=unit,
        horizon=float(horizon), customers=len(x), prospects=prospects, bgnbd=bg.as_dict(),
        spend=spend.as_dict() if spend else None, spend_error=said(spend_note),
        spend_note=spend_note,
    )


def pareto_core(account_ids: np.ndarray, revenue: np.ndarray, share: float = 0.8) -> list[int]:
    """The fewest accounts whose revenue reaches ``share`` of the total."""
    positive = revenue > 0
    if not np.any(positive):
        return []
    order = np.argsort(-revenue, kind="stable")
    cumulative = np.cumsum(revenue[order]) / revenue[positive].sum()
    n = int(np.searchsorted(cumulative, share - 1e-12) + 1)
    return [int(i) for i in account_ids[order[:n]]]


def _score_prospects(session, fit_id, customer_ids, h, key_account_ids) -> int:
    a = Account
    columns = (a.id, a.industry, a.region, a.employees, a.has_need, a.can_pay, a.has_authority)
    prospects = [p for p in session.execute(
        select(*columns).where(a.kind == AccountKind.PROSPECT).order_by(a.id))
        if p.id not in customer_ids]
    if not prospects:
        return 0
    customers = [c for c in session.execute(select(*columns).order_by(a.id))
                 if c.id in customer_ids]
    keys = set(key_account_ids if key_account_ids is not None
               else pareto_core(h.account_ids, h.revenue))
    rows = customers + prospects
    matrix = firmographic_matrix([r.industry for r in rows], [r.region for r in rows],
                                 [r.employees for r in rows])
    is_key = np.array([c.id in keys for c in customers])
    look = lookalike_scores(matrix[len(customers):], matrix[:len(customers)], is_key)
    ps = np.array([sum(bool(v) for v in (p.has_need, p.can_pay, p.has_authority))
                   for p in prospects])
    score = prospect_potential(look, ps)
    bulk_insert(session, AccountPotential.__table__, _PROSPECT_COLUMNS, [
        (fit_id, p.id, "prospect", float(lk), int(n), float(s))
        for p, lk, n, s in zip(prospects, look, ps, score, strict=True)
    ])
    return len(prospects)
