import math
from datetime import date

import pytest
from sqlalchemy import func, select

from abm.accounts.models import AccountKind
from abm.segments.models import AccountPotential, PotentialFit
from abm.segments.potential import (
    PotentialError,
    account_potential,
    fit_potential,
    probability_alive,
)

CALIBRATION_END = date(1997, 9, 30)  # the end of the paper's 39-week calibration period


def sig3(value: float) -> float:
    return float(f"{value:.3g}")


def test_fit_from_the_database_reproduces_the_published_cdnow_parameters(session, cdnow):
    result = fit_potential(session, calibration_end=CALIBRATION_END, unit="weeks")
    bg = result.bgnbd
    assert result.customers == 2357
    assert (sig3(bg["r"]), sig3(bg["alpha"]), sig3(bg["a"]), sig3(bg["b"])) == (
        0.243, 4.41, 0.793, 2.43)
    assert bg["log_likelihood"] == pytest.approx(-9582.4, abs=0.05)


def test_spend_fit_from_the_database_reproduces_the_published_cdnow_parameters(session, cdnow):
    spend = fit_potential(session, calibration_end=CALIBRATION_END, unit="weeks").spend
    assert (sig3(spend["p"]), sig3(spend["q"]), sig3(spend["gamma"])) == (6.25, 3.74, 15.4)


def _hyp2f1(a: float, b: float, c: float, z: float) -> float:
    """Gauss's series, summed term by term: an implementation independent of scipy's."""
    total, term, n = 1.0, 1.0, 0
    while abs(term) > 1e-15 * abs(total):
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
        n += 1
    return total


def _direct(params: dict, t: float, x: int, t_x: float, T: float) -> tuple[float, float]:
    """Expected purchases in ``t`` and P(alive), straight from FHL (2005) eqs. 10 and 13."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    odds = a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x) if x > 0 else 0.0
    growth = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * _hyp2f1(
        r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    return (a + b + x - 1) / (a - 1) * growth / (1 + odds), 1 / (1 + odds)


def test_stored_figures_match_the_direct_formula_for_hand_checked_accounts(session, sales, cdnow):
    # CDNOW customer 1 buys on 1997-01-01, 01-18, 08-02 (and 12-12, after calibration):
    # x = 2 repeat days, t_x = 213 days, T = 272 days up to 1997-09-30.
    # Customer 2 buys on 1997-01-01 and 01-13; customer 3 only on 1997-01-01.
    result = fit_potential(session, calibration_end=CALIBRATION_END, unit="days")
    horizon = result.horizon
    assert horizon == 365  # October 1997 to September 1998
    for account_id, x, t_x, T in [(1, 2, 213, 272), (2, 1, 12, 272), (3, 0, 0, 272)]:
        figures = account_potential(session, account_id)
        assert (figures.frequency, figures.recency, figures.age) == (x, t_x, T)
        expected, alive = _direct(result.bgnbd, horizon, x, t_x, T)
        assert figures.expected_purchases == pytest.approx(expected, rel=1e-9)
        assert figures.p_alive == pytest.approx(alive, rel=1e-9)
        spend = result.spend
        mean = figures.mean_spend or 0.0
        value = spend["p"] * (spend["gamma"] + x * mean) / (spend["p"] * x + spend["q"] - 1)
        # CLV: 36 months of expected purchases, each month discounted at 10% a year.
        month, clv, before = 365.25 / 12, 0.0, 0.0
        for i in range(1, 37):
            by_now = _direct(result.bgnbd, i * month, x, t_x, T)[0]
            clv += (by_now - before) * value / 1.10 ** (i / 12)
            before = by_now
        assert figures.clv == pytest.approx(clv, rel=1e-9)
        assert clv < _direct(result.bgnbd, 36 * month, x, t_x, T)[0] * value
        assert figures.purchases_90d == pytest.approx(_direct(result.bgnbd, 90, x, t_x, T)[0],
                                                      rel=1e-9)


def test_same_day_purchases_count_as_one(session, sales):
    account = sales.account("Twice a day")
    for day in (date(2026, 1, 5), date(2026, 1, 5), date(2026, 3, 9), date(2026, 3, 9)):
        sales.buy(account, day, 100)
    other = sales.account("Other")
    for day in (date(2026, 1, 2), date(2026, 2, 2), date(2026, 4, 30)):
        sales.buy(other, day, 50)
    sales.refresh()
    fit_potential(session, unit="days")
    figures = account_potential(session, account)
    assert figures.frequency == 1
    assert figures.recency == (date(2026, 3, 9) - date(2026, 1, 5)).days
    assert figures.mean_spend == 200  # both lines of the repeat day


def test_a_mid_month_calibration_end_counts_only_the_days_up_to_it(session, sales):
    account = sales.account("Mid month")
    for day in (date(2026, 1, 3), date(2026, 2, 3), date(2026, 3, 3), date(2026, 3, 20)):
        sales.buy(account, day, 10)
    other = sales.account("Other")
    for day in (date(2026, 1, 10), date(2026, 3, 1)):
        sales.buy(other, day, 10)
    sales.refresh()
    fit_potential(session, calibration_end=date(2026, 3, 10), unit="days")
    figures = account_potential(session, account)
    assert (figures.frequency, figures.recency, figures.age) == (2, 59, 66)


def test_only_the_latest_fit_keeps_per_account_rows(session, cdnow):
    fit_potential(session, calibration_end=CALIBRATION_END)
    second = fit_potential(session, calibration_end=CALIBRATION_END).fit_id
    fits = set(session.scalars(select(AccountPotential.fit_id).distinct()))
    assert fits == {second}
    assert session.scalar(select(func.count()).select_from(PotentialFit)) == 2


def test_probability_alive_is_read_per_account(session, cdnow):
    fit_potential(session, calibration_end=CALIBRATION_END)
    assert probability_alive(session, 3) == 1.0  # no repeat purchase: not yet seen to leave
    assert 0 < probability_alive(session, 1) < 1
    assert probability_alive(session, 10_000) is None


def test_prospects_that_look_like_key_accounts_score_higher(session, sales):
    key = [sales.account(f"Key {i}", industry="Retail", region="Moscow", employees=500)
           for i in range(3)]
    small = [sales.account(f"Small {i}", industry="HoReCa", region="Berlin", employees=5)
             for i in range(12)]
    for i, account in enumerate(key + small):
        revenue = 10_000 if account in key else 50
        for month in (1, 2, 3, 4):
            sales.buy(account, date(2026, month, 1 + i), revenue)
    sales.refresh()
    alike = sales.account("Alike", kind=AccountKind.PROSPECT, industry="Retail",
                          region="Moscow", employees=450, has_need=True, can_pay=True,
                          has_authority=True)
    unlike = sales.account("Unlike", kind=AccountKind.PROSPECT, industry="HoReCa",
                           region="Berlin", employees=4, has_need=True)
    assert fit_potential(session).prospects == 2
    a, u = account_potential(session, alike), account_potential(session, unlike)
    assert a.kind == "prospect" and a.p_alive is None
    assert a.lookalike > u.lookalike
    assert (a.qualified_ps, u.qualified_ps) == (3, 1)
    assert a.score == pytest.approx(0.5 * a.lookalike + 0.5)


def test_no_orders_gives_a_clear_message(session):
    with pytest.raises(PotentialError, match="no orders yet"):
        fit_potential(session)


def test_a_single_month_of_history_gives_a_clear_message(session, sales):
    account = sales.account("One month")
    sales.buy(account, date(2026, 5, 2), 10)
    sales.buy(account, date(2026, 5, 20), 10)
    sales.refresh()
    with pytest.raises(PotentialError, match="needs at least 60 days"):
        fit_potential(session)


def test_no_repeat_purchases_gives_a_clear_message(session, sales):
    for i in range(5):
        sales.buy(sales.account(f"Once {i}"), date(2026, 1 + i, 3), 10)
    sales.refresh()
    with pytest.raises(PotentialError, match="no customer bought on a second day"):
        fit_potential(session)


def test_an_unknown_unit_is_refused(session):
    with pytest.raises(PotentialError, match="unknown unit 'months'") as refused:
        fit_potential(session, unit="months")
    assert (refused.value.code, refused.value.params) == ("unknown_unit", {"unit": "months"})


def test_a_refusal_of_the_model_keeps_the_models_code(session, sales):
    for i in range(5):
        sales.buy(sales.account(f"Once {i}"), date(2026, 1 + i, 3), 10)
    sales.refresh()
    with pytest.raises(PotentialError) as refused:
        fit_potential(session)
    assert refused.value.as_data() == {"error_code": "no_repeat", "error_params": {}}


def test_horizon_of_twelve_months_in_weeks(session, cdnow):
    result = fit_potential(session, calibration_end=CALIBRATION_END, unit="weeks")
    assert math.isclose(result.horizon, 365 / 7)


def test_without_a_spend_model_value_uses_the_accounts_own_average(session, sales):
    accounts = [sales.account(f"Same spend {i}") for i in range(3)]
    for i, account in enumerate(accounts):
        for month in (1, 2, 3, 5):
            sales.buy(account, date(2026, month, 2 + i), 100)
    sales.refresh()
    result = fit_potential(session, unit="days", clv_months=12, discount_rate=0.0)
    assert "own average spend is used instead" in result.spend_error
    assert result.spend_note == {"code": "own_average_spend",
                                 "params": {"reason": {"code": "spend_too_few", "params": {}}}}
    figures = account_potential(session, accounts[0])
    assert figures.expected_spend == 100
    # Undiscounted over twelve months of 365.25/12 days: the 365-day horizon, near enough.
    assert figures.clv == pytest.approx(100 * figures.expected_purchases, rel=1e-3)


def test_a_calibration_end_before_the_first_order_gives_a_clear_message(session, cdnow):
    with pytest.raises(PotentialError, match="comes before the first order"):
        fit_potential(session, calibration_end=date(1996, 12, 31))
