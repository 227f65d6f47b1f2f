"""Customer lifetime value discounted month by month (the lifetimes recipe)."""

import numpy as np
import pytest

from abm.ml.bgnbd import BGNBDParams, ModelError, expected_purchases
from abm.ml.gammagamma import discounted_value

# The published CDNOW fit (Fader, Hardie and Lee 2005), in weeks.
BG = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0)
MONTH = 365.25 / 12 / 7
X, T_X, T = np.array([2.0, 0.0, 10.0]), np.array([30.43, 0.0, 35.0]), np.array([38.86] * 3)
SPEND = np.array([40.0, 25.0, 60.0])


def value(months: int, rate: float) -> np.ndarray:
    return discounted_value(BG, SPEND, X, T_X, T, months=months, month_length=MONTH,
                            annual_rate=rate)


def test_without_discounting_it_is_purchases_times_spend():
    undiscounted = expected_purchases(BG, 36 * MONTH, X, T_X, T) * SPEND
    assert value(36, 0.0) == pytest.approx(undiscounted, rel=1e-9)


def test_discounting_lowers_the_value_and_more_so_at_a_higher_rate():
    plain, ten, twenty = value(36, 0.0), value(36, 0.10), value(36, 0.20)
    assert np.all(ten < plain) and np.all(twenty < ten)


def test_the_first_month_is_discounted_by_the_twelfth_root_of_the_yearly_rate():
    first = expected_purchases(BG, MONTH, X, T_X, T) * SPEND
    assert value(1, 0.10) == pytest.approx(first / 1.10 ** (1 / 12), rel=1e-9)


def test_each_month_is_discounted_by_its_own_distance():
    # Twelve months at 10%: the last month's purchases are worth 1/1.10 of their spend.
    by_11 = expected_purchases(BG, 11 * MONTH, X, T_X, T)
    by_12 = expected_purchases(BG, 12 * MONTH, X, T_X, T)
    last_month = (by_12 - by_11) * SPEND / 1.10
    assert value(12, 0.10) - value(11, 0.10) == pytest.approx(last_month, rel=1e-9)


def test_a_longer_horizon_is_worth_more_but_less_than_proportionally():
    one, three = value(12, 0.10), value(36, 0.10)
    assert np.all(three > one) and np.all(three < 3 * one)


def test_a_horizon_under_a_month_is_refused():
    with pytest.raises(ModelError, match="at least one month"):
        value(0, 0.10)
