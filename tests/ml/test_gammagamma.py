import pytest

from abm.ml.bgnbd import ModelError
from abm.ml.gammagamma import GammaGammaParams, expected_spend, fit_gamma_gamma


def sig3(value: float) -> float:
    return float(f"{value:.3g}")


def test_fit_reproduces_the_published_cdnow_parameters(cdnow_summary):
    x, _, _, mbar = cdnow_summary
    fit = fit_gamma_gamma(x, mbar)
    # Fader and Hardie, "The Gamma-Gamma model of monetary value" (2013): 946 repeat buyers.
    assert (sig3(fit.p), sig3(fit.q), sig3(fit.gamma)) == (6.25, 3.74, 15.4)


def test_expected_spend_weighs_own_mean_against_the_population():
    params = GammaGammaParams(p=6.25, q=3.74, gamma=15.44, log_likelihood=0)
    population_mean = 6.25 * 15.44 / (3.74 - 1)
    assert expected_spend(params, [0], [0])[0] == pytest.approx(population_mean)
    own = expected_spend(params, [10], [100.0])[0]
    assert own == pytest.approx(6.25 * (15.44 + 10 * 100) / (6.25 * 10 + 3.74 - 1))
    assert population_mean < own < 100


def test_too_few_repeat_buyers_give_a_clear_message():
    with pytest.raises(ModelError, match="too few repeat customers"):
        fit_gamma_gamma([0, 3, 0], [0, 10.0, 0])
