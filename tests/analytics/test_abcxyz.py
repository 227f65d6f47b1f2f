from datetime import date

import pytest

from abm.analytics.abcxyz import abc_xyz, coefficient_of_variation
from abm.settings.services import set_settings
from tests.analytics.shop import PERIOD, TODAY


def _classes(session, key="abc"):
    return {a.external_id: getattr(a, key) for a in abc_xyz(session, today=TODAY).accounts}


def _spread(shop, amounts: dict[str, float]) -> None:
    """Each account's amount in every month of the period (shares as in ``amounts``)."""
    for name, amount in amounts.items():
        shop.monthly(shop.account(name), dict.fromkeys(PERIOD, amount))
    shop.refresh()


def test_abc_splits_by_cumulative_share(session, shop):
    _spread(shop, {"A": 600, "B": 240, "C": 120, "D": 36, "E": 4})
    # cumulative shares before each account: 0, 60, 84, 96, 99.6
    assert _classes(session) == {"A": "A", "B": "A", "C": "B", "D": "C", "E": "C"}


def test_the_account_that_crosses_eighty_percent_is_in_a(session, shop):
    _spread(shop, {"A": 60, "B": 25, "C": 10, "D": 5})
    assert _classes(session) == {"A": "A", "B": "A", "C": "B", "D": "C"}


def test_equal_values_share_a_class(session, shop):
    _spread(shop, {"A": 70, "B": 10, "C": 10, "D": 10})
    # B starts at 70%, C and D have the same value as B: all A.
    assert _classes(session) == {"A": "A", "B": "A", "C": "A", "D": "A"}


def test_abc_thresholds_are_settings(session, shop):
    set_settings(session, {"analytics.abc_a": 0.5})
    _spread(shop, {"A": 60, "B": 25, "C": 10, "D": 5})
    assert _classes(session) == {"A": "A", "B": "B", "C": "B", "D": "C"}


def test_steady_monthly_revenue_is_x(session, shop):
    _spread(shop, {"Steady": 1200})
    account = abc_xyz(session, today=TODAY).accounts[0]
    assert (account.cv, account.xyz) == (0.0, "X")


def test_a_variation_of_exactly_ten_percent_is_still_x(session, shop):
    shop.monthly(shop.account("A"), {m: (90 if i % 2 else 110) for i, m in enumerate(PERIOD)})
    shop.refresh()
    account = abc_xyz(session, today=TODAY).accounts[0]
    assert (account.cv, account.xyz) == (0.1, "X")


def test_a_variation_of_twenty_percent_is_y(session, shop):
    shop.monthly(shop.account("A"), {m: (80 if i % 2 else 120) for i, m in enumerate(PERIOD)})
    shop.refresh()
    account = abc_xyz(session, today=TODAY).accounts[0]
    assert (account.cv, account.xyz) == (0.2, "Y")


def test_a_month_without_purchases_counts_as_zero(session, shop):
    shop.monthly(shop.account("A"), dict.fromkeys(PERIOD[1:], 100))
    shop.refresh()
    account = abc_xyz(session, today=TODAY).accounts[0]
    # 11 months of 100 and one of 0: mean 91.67, population deviation 27.64
    assert account.cv == pytest.approx(0.301511, abs=1e-6)
    assert account.xyz == "Z"


def test_a_single_purchase_is_irregular(session, shop):
    shop.line(shop.account("Once"), date(2026, 5, 5), 500)
    shop.refresh()
    account = abc_xyz(session, today=TODAY).accounts[0]
    assert account.cv == pytest.approx(3.316625, abs=1e-6)  # sqrt(11)
    assert account.xyz == "Z"


def test_returns_count_in_the_monthly_revenue(session, shop):
    a = shop.account("A")
    shop.monthly(a, dict.fromkeys(PERIOD, 100))
    shop.line(a, date(2026, 6, 20), -100)
    shop.refresh()
    account = abc_xyz(session, today=TODAY).accounts[0]
    assert account.mean_monthly == 91.67
    assert account.xyz == "Z"


def test_the_matrix_counts_accounts_and_revenue_per_cell(session, shop):
    _spread(shop, {"A": 600, "B": 240, "C": 120, "D": 40})
    shop.line(shop.account("E"), date(2026, 5, 5), 5)
    shop.refresh()
    matrix = abc_xyz(session, today=TODAY).matrix
    assert len(matrix) == 9
    assert (matrix["AX"].count, matrix["AX"].value) == (2, 840 * 12)
    assert (matrix["BX"].count, matrix["CX"].count, matrix["CZ"].count) == (1, 1, 1)
    assert matrix["CZ"].value == 5
    assert all(cell.recommendation for cell in matrix.values())


def test_the_cv_formula_handles_a_mean_of_zero():
    assert coefficient_of_variation(0, 0, 12) is None
    assert coefficient_of_variation(-10, 100, 12) is None


def test_every_class_carries_its_reasons(session, shop):
    _spread(shop, {"A": 600, "B": 400})
    reasons = abc_xyz(session, today=TODAY).accounts[1].reasons
    assert reasons[0].startswith("A: the accounts above it bring 60.0% of revenue")
    assert reasons[1].startswith("X: monthly revenue varies by 0.0% around its mean 400.00")
