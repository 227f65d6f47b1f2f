from datetime import date

import pytest

from abm.analytics.concentration import Period, concentration
from abm.settings.services import set_settings
from tests.analytics.shop import PERIOD, TODAY


def _by_name(result):
    return {a.external_id: a for a in result.accounts}


@pytest.fixture
def four(shop):
    """Revenue over the period: A 50, B 25, C 15, D 10 (total 100)."""
    for name, revenue in (("A", 50), ("B", 25), ("C", 15), ("D", 10)):
        shop.line(shop.account(name), date(2026, 3, 5), revenue, margin=revenue / 5)
    shop.refresh()


def test_shares_are_of_the_period_total(session, four):
    result = concentration(session, today=TODAY)
    assert result.total == 100
    assert [a.share for a in result.accounts] == [0.5, 0.25, 0.15, 0.1]
    assert result.period == Period(start="2025-11", end="2026-10", months=12)


def test_a_share_of_exactly_ten_percent_is_key(session, four):
    assert _by_name(concentration(session, today=TODAY))["D"].key is True


def test_a_share_of_exactly_fifty_percent_is_a_mono_client(session, four):
    result = concentration(session, today=TODAY)
    assert result.flags["mono_client"] == [_by_name(result)["A"].account_id]


def test_dependency_needs_more_than_twenty_percent(session, shop):
    for name, revenue in (("A", 20), ("B", 21), ("C", 59)):
        shop.line(shop.account(name), date(2026, 3, 5), revenue)
    shop.refresh()
    accounts = _by_name(concentration(session, today=TODAY))
    assert accounts["A"].dependency is False
    assert accounts["B"].dependency is True


def test_the_hhi_sums_the_squared_percentage_shares(session, four):
    assert concentration(session, today=TODAY).hhi == 2500 + 625 + 225 + 100


def test_a_single_account_is_fully_concentrated(session, shop):
    shop.line(shop.account("Only"), date(2026, 1, 5), 10)
    shop.refresh()
    result = concentration(session, today=TODAY)
    assert result.hhi == 10_000
    assert result.hhi_level == "highly concentrated"


def test_the_pareto_core_is_the_smallest_set_reaching_eighty_percent(session, four):
    result = concentration(session, today=TODAY)
    assert [a.pareto_core for a in result.accounts] == [True, True, True, False]
    assert result.pareto.core_accounts == 3
    assert result.pareto.core_account_share == 0.75
    assert result.pareto.core_value_share == 0.9


def test_the_pareto_core_stops_at_eighty_percent_even_among_ties(session, shop):
    for name, revenue in (("A", 40), ("B", 30), ("C", 10), ("D", 10), ("E", 10)):
        shop.line(shop.account(name), date(2026, 3, 5), revenue)
    shop.refresh()
    result = concentration(session, today=TODAY)
    assert result.pareto.core_accounts == 3
    assert [a.external_id for a in result.accounts] == ["A", "B", "C", "D", "E"]


def test_equal_revenue_is_ranked_by_account_id(session, shop):
    first, second = shop.account("First"), shop.account("Second")
    shop.line(second, date(2026, 3, 5), 10)
    shop.line(first, date(2026, 4, 5), 10)
    shop.refresh()
    assert [a.account_id for a in concentration(session, today=TODAY).accounts] == [
        first, second]


def test_months_outside_the_period_are_ignored(session, shop):
    a = shop.account("A")
    shop.line(a, date(2025, 10, 31), 1000)  # 13 months back
    shop.line(a, date(2026, 11, 2), 1000)  # the current, unfinished month
    shop.line(a, PERIOD[0], 10)
    shop.refresh()
    assert concentration(session, today=TODAY).total == 10


def test_returns_reduce_an_accounts_revenue(session, shop):
    a, b = shop.account("A"), shop.account("B")
    shop.line(a, date(2026, 2, 1), 100)
    shop.line(a, date(2026, 2, 9), -40)
    shop.line(b, date(2026, 2, 1), 60)
    shop.refresh()
    accounts = _by_name(concentration(session, today=TODAY))
    assert accounts["A"].value == 60
    assert accounts["A"].share == 0.5


def test_an_account_with_more_returns_than_sales_has_no_share(session, shop):
    a, b = shop.account("A"), shop.account("B")
    shop.line(a, date(2026, 2, 1), 10)
    shop.line(a, date(2026, 2, 9), -30)
    shop.line(b, date(2026, 2, 1), 80)
    shop.refresh()
    result = concentration(session, today=TODAY)
    assert result.total == 80
    assert [x.external_id for x in result.accounts] == ["B"]


def test_shares_can_be_taken_by_margin(session, shop):
    a, b = shop.account("A"), shop.account("B")
    shop.line(a, date(2026, 2, 1), 100, margin=10)
    shop.line(b, date(2026, 2, 1), 50, margin=30)
    shop.refresh()
    result = concentration(session, today=TODAY, by="margin")
    assert result.measure == "margin"
    assert [x.external_id for x in result.accounts] == ["B", "A"]
    assert result.total == 40


def test_the_period_can_end_earlier_and_be_shorter(session, shop):
    a = shop.account("A")
    shop.monthly(a, {date(2026, 1, 1): 10, date(2026, 2, 1): 20, date(2026, 3, 1): 40})
    shop.refresh()
    result = concentration(session, today=TODAY, end=date(2026, 2, 1), months=2)
    assert result.total == 30
    assert result.period == Period(start="2026-01", end="2026-02", months=2)


def test_thresholds_come_from_the_workspace_settings(session, four):
    set_settings(session, {"analytics.key_share": 0.2})
    assert concentration(session, today=TODAY).flags["key"] == [
        a.account_id for a in concentration(session, today=TODAY).accounts[:2]]


def test_an_account_close_below_the_key_threshold_is_near_key(session, shop):
    for name, revenue in (("Big", 800), ("Near", 75), ("Far", 69), ("Rest", 56)):
        shop.line(shop.account(name), date(2026, 3, 5), revenue)
    shop.refresh()
    accounts = _by_name(concentration(session, today=TODAY))
    assert accounts["Near"].near_key is True  # 7.5% is within 3 points of 10%
    assert accounts["Far"].near_key is False  # 6.9% is not
    assert accounts["Big"].near_key is False  # key already


def test_a_fast_growing_account_is_near_key(session, shop):
    big, grower, flat = shop.account("Big"), shop.account("Grower"), shop.account("Flat")
    shop.monthly(big, dict.fromkeys(PERIOD, 100))
    shop.monthly(grower, {m: (2 if i < 6 else 6) for i, m in enumerate(PERIOD)})
    shop.monthly(flat, dict.fromkeys(PERIOD, 4))
    shop.refresh()
    accounts = _by_name(concentration(session, today=TODAY))
    assert accounts["Grower"].growth == 2.0
    assert accounts["Grower"].near_key is True
    assert accounts["Flat"].near_key is False
    assert any("fastest growing" in r for r in accounts["Grower"].reasons)


def test_every_flag_comes_with_the_numbers_behind_it(session, four):
    reasons = _by_name(concentration(session, today=TODAY))["A"].reasons
    assert "mono-client risk: share 50.0% (50.00 of 100.00 revenue) >= 50.0%" in reasons
    assert "key by share: 50.0% (50.00 of 100.00 revenue) >= 10.0%" in reasons


def test_no_sales_give_an_empty_result(session):
    result = concentration(session, today=TODAY)
    assert result.total == 0
    assert result.accounts == []
    assert result.pareto.curve == []


def test_the_refresh_stores_each_accounts_revenue_also_when_shares_are_by_margin(session, shop):
    from abm.analytics.labels import compute_labels, store_labels
    from abm.analytics.models import AccountAnalytics
    from abm.settings.services import set_settings

    a, b = shop.account("A"), shop.account("B")
    shop.line(a, date(2026, 2, 1), 100, margin=10)
    shop.line(b, date(2026, 2, 1), 50, margin=30)
    shop.refresh()
    set_settings(session, {"analytics.measure": "margin"})
    store_labels(session, compute_labels(session, today=TODAY))
    stored = {r.account_id: (r.value, r.revenue) for r in session.query(AccountAnalytics)}
    assert stored == {a: (10, 100), b: (30, 50)}
