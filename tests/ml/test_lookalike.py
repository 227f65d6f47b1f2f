import numpy as np
import pytest

from abm.ml.lookalike import firmographic_matrix, lookalike_scores, prospect_potential


def test_a_prospect_among_key_accounts_scores_one_and_one_far_away_zero():
    industries = ["Retail"] * 5 + ["HoReCa"] * 5 + ["Retail", "HoReCa"]
    regions = ["Moscow"] * 5 + ["Berlin"] * 5 + ["Moscow", "Berlin"]
    employees = [500] * 5 + [5] * 5 + [480, 6]
    matrix = firmographic_matrix(industries, regions, employees)
    is_key = np.array([True] * 5 + [False] * 5)
    scores = lookalike_scores(matrix[10:], matrix[:10], is_key, n_neighbors=5)
    assert list(scores) == [1.0, 0.0]


def test_unknown_firmographics_do_not_break_the_encoding():
    matrix = firmographic_matrix([None, "Retail"], [None, None], [None, 10])
    assert matrix.shape == (2, 2) and np.all(np.isfinite(matrix))


def test_without_key_accounts_every_prospect_scores_zero():
    matrix = firmographic_matrix(["A", "A"], ["R", "R"], [1, 1])
    assert list(lookalike_scores(matrix[:1], matrix[1:], np.array([False]))) == [0.0]


def test_potential_is_half_lookalike_half_qualification():
    assert prospect_potential(np.array([0.6]), np.array([2]))[0] == pytest.approx(0.3 + 1 / 3)
