import numpy as np
import pytest

from abm.ml.bgnbd import (
    BGNBDParams,
    ModelError,
    _ll_and_gradient,
    expected_purchases,
    expected_purchases_new,
    fit_bgnbd,
    log_likelihood,
    p_alive,
)

# Fader, Hardie and Lee (2005), table 1 and section 4.
PUBLISHED = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4)


def sig3(value: float) -> float:
    return float(f"{value:.3g}")


def test_fit_reproduces_the_published_cdnow_parameters(cdnow_summary):
    x, t_x, T, _ = cdnow_summary
    fit = fit_bgnbd(x, t_x, T)
    assert len(x) == 2357
    assert [sig3(v) for v in (fit.r, fit.alpha, fit.a, fit.b)] == [
        sig3(v) for v in (PUBLISHED.r, PUBLISHED.alpha, PUBLISHED.a, PUBLISHED.b)]
    assert fit.log_likelihood == pytest.approx(PUBLISHED.log_likelihood, abs=0.05)


def test_the_fit_is_the_maximum_of_the_likelihood(cdnow_summary):
    x, t_x, T, _ = cdnow_summary
    fit = fit_bgnbd(x, t_x, T)
    best = np.array([fit.r, fit.alpha, fit.a, fit.b])
    for step in np.eye(4) * 0.01:
        assert log_likelihood(best * (1 + step), x, t_x, T) < fit.log_likelihood
        assert log_likelihood(best * (1 - step), x, t_x, T) < fit.log_likelihood


def test_the_gradient_matches_finite_differences(cdnow_summary):
    x, t_x, T, _ = cdnow_summary
    ux, inverse = np.unique(x, return_inverse=True)
    theta = np.log([0.3, 5.0, 0.9, 2.0])
    _, grad = _ll_and_gradient(np.exp(theta), ux, inverse, x, t_x, T)
    h = 1e-6
    numeric = [
        (_ll_and_gradient(np.exp(theta + h * e), ux, inverse, x, t_x, T)[0]
         - _ll_and_gradient(np.exp(theta - h * e), ux, inverse, x, t_x, T)[0]) / (2 * h)
        for e in np.eye(4)
    ]
    assert grad == pytest.approx(numeric, rel=1e-5)


def test_expected_purchases_of_the_papers_example_customer():
    # x = 2, t_x = 30.43, T = 38.86: 1.226 purchases in the next 39 weeks (FHL 2005).
    value = expected_purchases(PUBLISHED, 39, np.array([2.0]), np.array([30.43]),
                               np.array([38.86]))
    assert value[0] == pytest.approx(1.226, abs=5e-4)


def test_a_customer_without_repeat_purchases_is_alive():
    assert p_alive(PUBLISHED, [0], [0], [38.86])[0] == 1.0


def test_a_long_silence_makes_an_active_buyer_unlikely_to_be_alive():
    frequent_then_silent = p_alive(PUBLISHED, [20], [5.0], [38.86])[0]
    frequent_and_recent = p_alive(PUBLISHED, [20], [38.0], [38.86])[0]
    assert frequent_then_silent < 0.01 < 0.9 < frequent_and_recent


def test_a_new_customers_expected_purchases_grow_with_time():
    one_year = expected_purchases_new(PUBLISHED, 52)
    assert 0 < expected_purchases_new(PUBLISHED, 26) < one_year


def test_no_repeat_purchases_gives_a_clear_message():
    with pytest.raises(ModelError, match="no customer bought on a second day"):
        fit_bgnbd([0, 0, 0], [0, 0, 0], [10, 20, 30])


def test_inconsistent_histories_are_refused():
    with pytest.raises(ModelError, match="inconsistent"):
        fit_bgnbd([1, 2], [5, 40], [10, 30])
