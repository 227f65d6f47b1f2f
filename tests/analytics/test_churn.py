from datetime import date, timedelta

import pytest

from abm.analytics.churn import churn_signals, refresh_churn_states, win_back_list
from abm.analytics.models import ChurnState
from abm.analytics.wording import churn_reason_text
from tests.analytics.shop import TODAY

HORIZON = date(2026, 11, 14)  # the latest purchase in the data (the "clock" account)


@pytest.fixture
def clock(shop):
    """An account that bought on the last day the data covers."""
    account = shop.account("Clock")
    shop.line(account, HORIZON, 10)
    return account


def _every(shop, account, last: date, gap: int, count: int, revenue: float = 100) -> None:
    for k in range(count):
        shop.line(account, last - timedelta(days=gap * k), revenue)


def _said(reasons) -> list[str]:
    return [churn_reason_text(r) for r in reasons]


def _signal(session, account_id, today=TODAY):
    return next(s for s in churn_signals(session, today=today) if s.account_id == account_id)


def test_the_rhythm_is_the_usual_gap_between_purchase_days(session, shop, clock):
    account = shop.account("A")
    _every(shop, account, date(2026, 9, 9), 20, 6)
    shop.refresh()
    signal = _signal(session, account)
    assert signal.rhythm_days == 20
    assert signal.purchase_days == 6
    assert signal.silence_days == 66


def test_silence_of_exactly_twice_the_rhythm_is_still_active(session, shop, clock):
    account = shop.account("A")
    _every(shop, account, HORIZON - timedelta(days=40), 20, 5)
    shop.refresh()
    assert _signal(session, account).state == "active"


def test_silence_beyond_twice_the_rhythm_is_at_risk(session, shop, clock):
    account = shop.account("A")
    _every(shop, account, HORIZON - timedelta(days=41), 20, 5)
    shop.refresh()
    signal = _signal(session, account)
    assert signal.state == "at_risk"
    assert signal.reasons[0]["code"] == "silence_at_risk"
    assert _said(signal.reasons)[0].startswith("silent 41 days since Oct 4, 2026: 2.05 × its "
                                               "rhythm")


def test_silence_beyond_four_times_the_rhythm_is_lost(session, shop, clock):
    account = shop.account("A")
    _every(shop, account, HORIZON - timedelta(days=81), 20, 5)
    shop.refresh()
    assert _signal(session, account).state == "lost"


def test_a_single_purchase_assumes_the_configured_rhythm(session, shop, clock):
    account = shop.account("Once")
    shop.line(account, date(2026, 5, 1), 300)
    shop.refresh()
    signal = _signal(session, account)
    assert signal.rhythm_days == 90
    assert signal.state == "at_risk"  # 197 days of silence: 2.19 x 90
    assert "a single purchase day, rhythm taken as 90 days" in _said(signal.reasons)[0]


def test_a_daily_buyer_is_judged_by_the_shortest_rhythm(session, shop, clock):
    account = shop.account("Daily")
    _every(shop, account, HORIZON - timedelta(days=20), 1, 30)
    shop.refresh()
    signal = _signal(session, account)
    assert signal.rhythm_days == 14
    assert signal.state == "active"


def test_a_revenue_drop_of_more_than_half_puts_an_account_at_risk(session, shop, clock):
    account = shop.account("A")
    for month in (5, 6, 7):
        shop.line(account, date(2026, month, 10), 100)
    for month in (8, 9, 10, 11):
        shop.line(account, date(2026, month, 10), 40)
    shop.refresh()
    signal = _signal(session, account)
    assert signal.revenue_drop == 0.6
    assert signal.state == "at_risk"
    assert _said(signal.reasons)[0].startswith(
        "revenue of the last 3 months 120.00 is 60% below the 3 months before (300.00)")


def test_a_month_with_only_returns_is_not_a_purchase(session, shop, clock):
    account = shop.account("A")
    shop.line(account, date(2026, 6, 10), 100)
    shop.line(account, date(2026, 7, 10), 100)
    shop.line(account, date(2026, 10, 10), -50)
    shop.refresh()
    signal = _signal(session, account)
    assert signal.last_purchase_on == date(2026, 7, 10)
    assert signal.rhythm_days == 30


def test_silence_counts_up_to_the_last_day_the_data_covers(session, shop):
    a, b = shop.account("A"), shop.account("B")
    _every(shop, a, date(2026, 9, 9), 20, 6)
    shop.line(b, date(2026, 9, 29), 10)
    shop.refresh()
    signal = _signal(session, a)
    assert signal.silence_days == 20
    assert signal.state == "active"


def test_the_revenue_at_stake_is_a_year_of_the_accounts_average_month(session, shop, clock):
    account = shop.account("A")
    for month in range(1, 7):
        shop.line(account, date(2026, month, 10), 100)
    shop.line(account, date(2026, 3, 20), -60)
    shop.refresh()
    signal = _signal(session, account)
    assert signal.state == "lost"
    assert signal.revenue_at_stake == 1080  # 540 over 6 months, times 12


def test_stored_states_keep_since_while_the_state_holds(session, shop, clock):
    account = shop.account("A")
    _every(shop, account, HORIZON - timedelta(days=41), 20, 5)
    shop.refresh()
    refresh_churn_states(session, today=TODAY)
    refresh_churn_states(session, today=TODAY + timedelta(days=1))
    assert session.get(ChurnState, account).since == TODAY


def test_a_change_of_state_moves_since(session, shop, clock):
    account = shop.account("A")
    _every(shop, account, HORIZON - timedelta(days=41), 20, 5)
    shop.refresh()
    refresh_churn_states(session, today=TODAY)
    shop.line(account, HORIZON, 100)
    shop.refresh()
    later = TODAY + timedelta(days=1)
    result = refresh_churn_states(session, today=later)
    row = session.get(ChurnState, account)
    assert (row.state, row.since) == ("active", later)
    assert result.changed == 1


def test_the_win_back_list_puts_the_most_revenue_at_stake_first(session, shop, clock):
    small, big = shop.account("Small"), shop.account("Big")
    _every(shop, small, HORIZON - timedelta(days=90), 20, 5, revenue=10)
    _every(shop, big, HORIZON - timedelta(days=90), 20, 5, revenue=1000)
    shop.refresh()
    refresh_churn_states(session, today=TODAY)
    rows = win_back_list(session, today=TODAY)
    assert [r.external_id for r in rows] == ["Big", "Small"]
    assert rows[0].state == "lost"
    assert rows[0].since == TODAY
    assert _said(rows[0].reasons)[-1].startswith("at stake about")
