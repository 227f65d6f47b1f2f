"""The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee, 2005 note).

Each repeat customer is summarised by ``x`` (repeat purchases) and ``mbar``
(their mean value). Customers without repeat purchases carry no information on
their own spend and get the population mean.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from scipy.special import digamma, gammaln

from abm.ml.bgnbd import BGNBDParams, ModelError, expected_purchases


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float
    log_likelihood: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def fit_gamma_gamma(x: ArrayLike, mbar: ArrayLike) -> GammaGammaParams:
    """Fit the Gamma-Gamma spend model on customers with repeat purchases.

    Args:
        x: repeat purchases per customer.
        mbar: mean value of those repeat purchases.

    Returns:
        The parameters ``p``, ``q``, ``gamma`` and the maximised log-likelihood.

    Raises:
        ModelError: fewer than two repeat customers with positive spend.
    """
    x = np.asarray(x, dtype=float)
    mbar = np.asarray(mbar, dtype=float)
    keep = (x > 0) & (mbar > 0)
    x, mbar = x[keep], mbar[keep]
    if len(x) < 2 or np.ptp(mbar) == 0:
        raise ModelError("spend_too_few")
    log_mbar, log_x, xm = np.log(mbar), np.log(x), x * mbar
    n = len(x)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, g = np.exp(theta)
        px = p * x
        log_gx = np.log(g + xm)
        ll = np.sum(gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g)
                    + px * log_x + (px - 1) * log_mbar - (px + q) * log_gx)
        d_p = np.sum(x * (digamma(px + q) - digamma(px) + log_x + log_mbar - log_gx))
        d_q = np.sum(digamma(px + q) - digamma(q) + np.log(g) - log_gx)
        d_g = np.sum(q / g - (px + q) / (g + xm))
        if not np.isfinite(ll):
            return np.inf, np.zeros(3)
        return -ll / n, -np.array([d_p * p, d_q * q, d_g * g]) / n

    start = np.log([1.0, 1.0, float(np.mean(mbar))])
    result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[(-12, 20)] * 3,
                      options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 1000})
    if not np.isfinite(result.fun):
        raise ModelError("spend_no_convergence")
    p, q, g = (float(v) for v in np.exp(result.x))
    return GammaGammaParams(p, q, g, -float(result.fun) * n)


def expected_spend(params: GammaGammaParams, x: ArrayLike, mbar: ArrayLike) -> np.ndarray:
    """Expected value of a customer's future purchase, given its history.

    A weighted mean of the population mean and the customer's own mean, the
    weight of its own mean growing with the number of its purchases.
    """
    x = np.asarray(x, dtype=float)
    mbar = np.nan_to_num(np.asarray(mbar, dtype=float))
    p, q, g = params.p, params.q, params.gamma
    if q <= 1:
        raise ModelError("spend_no_mean")
    spend: np.ndarray = p * (g + x * mbar) / (p * x + q - 1)
    return spend


def customer_value(
    bgnbd: BGNBDParams, spend: GammaGammaParams, horizon: float, x: ArrayLike, t_x: ArrayLike,
    T: ArrayLike, mbar: ArrayLike,
) -> np.ndarray:
    """Undiscounted value of each customer over the next ``horizon`` units."""
    value: np.ndarray = (expected_purchases(bgnbd, horizon, x, t_x, T)
                         * expected_spend(spend, x, mbar))
    return value


def discounted_value(
    bgnbd: BGNBDParams, spend_per_purchase: ArrayLike, x: ArrayLike, t_x: ArrayLike,
    T: ArrayLike, *, months: int, month_length: float, annual_rate: float,
) -> np.ndarray:
    """Customer lifetime value: expected spend month by month, discounted to today.

    The lifetimes way (``customer_lifetime_value``): the purchases expected in
    month ``i`` (those by its end less those by the end of month ``i - 1``)
    times the expected spend per purchase, divided by ``(1 + monthly rate)**i``.
    A purchase three years away is worth less than one next month; the plain
    product of purchases and spend overstated the value of long horizons.

    Args:
        spend_per_purchase: expected value of each customer's next purchase.
        months: the horizon in months.
        month_length: one month in the model's time unit (30.44 days, 4.35 weeks).
        annual_rate: the yearly discount rate (0.10 = 10%); the monthly rate is its
            twelfth root, so twelve monthly steps compound to exactly it.
    """
    if months < 1:
        raise ModelError("clv_horizon")
    if annual_rate <= -1:
        raise ModelError("discount_rate")
    spend = np.nan_to_num(np.asarray(spend_per_purchase, dtype=float))
    monthly = (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0
    total: np.ndarray = np.zeros_like(spend)
    before: np.ndarray = np.zeros_like(spend)
    for i in range(1, months + 1):
        by_now = expected_purchases(bgnbd, i * month_length, x, t_x, T)
        total += (by_now - before) * spend / (1.0 + monthly) ** i
        before = by_now
    return total
