"""The BG/NBD model of repeat purchasing (Fader, Hardie and Lee, 2005).

Each customer is summarised by ``x`` (repeat purchases: purchase days after the
first), ``t_x`` (time of the last purchase since the first) and ``T`` (time since
the first purchase to the end of the calibration period), all in one unit
(days or weeks). The model is fit by maximum likelihood on log-parameters.

The likelihood terms that depend on ``x`` only are computed once per distinct
``x``: purchase counts repeat a lot, so a fit on 100k customers costs little
more than a few vectorised logarithms per evaluation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

from abm.ml.errors import DataError


class ModelError(DataError):
    """The data cannot support the model: a code of :data:`abm.ml.errors.MESSAGES` says why."""


@dataclass(frozen=True)
class BGNBDParams:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _check(
    x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    t_x = np.asarray(t_x, dtype=float)
    T = np.asarray(T, dtype=float)
    if not (x.shape == t_x.shape == T.shape) or x.ndim != 1:
        raise ModelError("bad_shapes")
    if len(x) == 0:
        raise ModelError("no_customers")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > T + 1e-9):
        raise ModelError("inconsistent")
    return x, t_x, T


def log_likelihood(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> float:
    """The BG/NBD log-likelihood of ``(r, alpha, a, b)`` summed over customers."""
    r, alpha, a, b = params
    ux, inverse = np.unique(x, return_inverse=True)
    return float(np.sum(_individual_ll(r, alpha, a, b, ux, inverse, x, t_x, T)))


def _individual_ll(
    r: float, alpha: float, a: float, b: float, ux: np.ndarray, inverse: np.ndarray,
    x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
) -> np.ndarray:
    # Terms of x only, once per distinct x (see the module docstring).
    a1 = (gammaln(r + ux) - gammaln(r) + r * np.log(alpha))[inverse]
    a2 = (betaln(a, b + ux) - betaln(a, b))[inverse]
    rx = r + x
    a3 = -rx * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - rx * np.log(alpha + t_x)
    a4 = np.where(x > 0, a4, -np.inf)
    ll: np.ndarray = a1 + a2 + np.logaddexp(a3, a4)
    return ll


def fit_bgnbd(
    x: ArrayLike, t_x: ArrayLike, T: ArrayLike, *,
    initial: tuple[float, float, float, float] | None = None,
) -> BGNBDParams:
    """Fit the BG/NBD model by maximum likelihood.

    Args:
        x: repeat purchases per customer (purchase days after the first).
        t_x: time of the last purchase, from the first purchase.
        T: time from the first purchase to the end of calibration.
        initial: starting ``(r, alpha, a, b)``; a scale-aware default otherwise.

    Returns:
        The fitted parameters and the maximised log-likelihood.

    Raises:
        ModelError: too little or inconsistent data for a meaningful fit.
    """
    x, t_x, T = _check(x, t_x, T)
    if not np.any(x > 0):
        raise ModelError("no_repeat")
    if np.ptp(T) == 0 and np.all(t_x == T):
        raise ModelError("same_history")
    ux, inverse = np.unique(x, return_inverse=True)
    start = initial or (1.0, max(float(np.mean(T)), 1e-3), 1.0, 1.0)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = _ll_and_gradient(np.exp(theta), ux, inverse, x, t_x, T)
        if not np.isfinite(ll):
            return np.inf, np.zeros(4)
        return -ll / len(x), -grad / len(x)

    result = minimize(objective, np.log(np.asarray(start, dtype=float)), jac=True,
                      method="L-BFGS-B", bounds=[(-12, 12)] * 4,
                      options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 1000})
    if not np.isfinite(result.fun):
        raise ModelError("no_convergence")
    r, alpha, a, b = (float(v) for v in np.exp(result.x))
    return BGNBDParams(r, alpha, a, b, -float(result.fun) * len(x))


def _ll_and_gradient(
    params: np.ndarray, ux: np.ndarray, inverse: np.ndarray, x: np.ndarray, t_x: np.ndarray,
    T: np.ndarray,
) -> tuple[float, np.ndarray]:
    """The log-likelihood and its gradient with respect to the log-parameters."""
    r, alpha, a, b = params
    ll = _individual_ll(r, alpha, a, b, ux, inverse, x, t_x, T)
    log_t, log_tx = np.log(alpha + T), np.log(alpha + t_x)
    rx = r + x
    a3 = -rx * log_t
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - rx * log_tx
    a4 = np.where(x > 0, a4, -np.inf)
    w4 = np.exp(a4 - np.logaddexp(a3, a4))  # weight of the "dropped out after t_x" branch
    w3 = 1.0 - w4
    n_x = np.bincount(inverse, minlength=len(ux))
    d_r = (np.sum(n_x * (digamma(r + ux) - digamma(r))) + len(x) * np.log(alpha)
           - np.sum(w3 * log_t + w4 * log_tx))
    d_alpha = len(x) * r / alpha - np.sum(rx * (w3 / (alpha + T) + w4 / (alpha + t_x)))
    d_a = (np.sum(n_x * (digamma(a + b) - digamma(a + b + ux))) + np.sum(w4) / a)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_b = np.where(x > 0, 1.0 / np.maximum(b + x - 1, 1e-300), 0.0)
    d_b = (np.sum(n_x * (digamma(b + ux) - digamma(a + b + ux) - digamma(b) + digamma(a + b)))
           - np.sum(w4 * inv_b))
    grad = np.array([d_r, d_alpha, d_a, d_b]) * params  # chain rule for log-parameters
    return float(np.sum(ll)), grad


def p_alive(params: BGNBDParams, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Probability that each customer is still active at the end of calibration."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = (np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                    + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
    odds = np.where(x > 0, np.exp(np.minimum(log_odds, 700)), 0.0)
    return 1.0 / (1.0 + odds)


def expected_purchases(
    params: BGNBDParams, t: float, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """Expected purchases of each customer in the next ``t`` units (FHL 2005, eq. 10)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    rx = r + x
    z = t / (alpha + T + t)
    growth = 1.0 - np.exp(rx * np.log((alpha + T) / (alpha + T + t))) * hyp2f1(
        rx, b + x, a + b + x - 1.0, z
    )
    numerator = (a + b + x - 1.0) / (a - 1.0) * growth
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = (np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                    + rx * (np.log(alpha + T) - np.log(alpha + t_x)))
    denominator = 1.0 + np.where(x > 0, np.exp(np.minimum(log_odds, 700)), 0.0)
    expected: np.ndarray = numerator / denominator
    return expected


def expected_purchases_new(params: BGNBDParams, t: float) -> float:
    """Expected purchases of a new customer in its first ``t`` units (FHL 2005, eq. 9)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + t)
    return float((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r
                                          * hyp2f1(r, b, a + b - 1, z)))
