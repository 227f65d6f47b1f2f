"""Complaints, refusals and lost tenders as churn signals: count, recency, direction."""

from datetime import date, timedelta

from abm.accounts.models import InteractionKind, Tender, TenderOutcome
from abm.analytics.churn import churn_signals
from abm.analytics.wording import churn_reason_text
from abm.settings.services import set_settings
from tests.analytics.shop import TODAY


def _steady_buyer(shop):
    """Buys every 10 days up to the day before today: active by its rhythm."""
    account = shop.account("A")
    for k in range(12):
        shop.line(account, TODAY - timedelta(days=1 + 10 * k), 100)
    return account


def _signal(session, account_id):
    return next(s for s in churn_signals(session, today=TODAY) if s.account_id == account_id)


def test_without_signals_a_steady_buyer_stays_active(session, shop):
    account = _steady_buyer(shop)
    shop.refresh()
    signal = _signal(session, account)
    assert signal.state == "active"
    assert (signal.complaints, signal.refusals, signal.lost_tenders) == (0, 0, 0)


def test_a_complaint_and_a_refusal_put_a_steady_buyer_at_risk(session, shop):
    account = _steady_buyer(shop)
    shop.interaction(account, date(2026, 11, 2), InteractionKind.COMPLAINT)
    shop.interaction(account, date(2026, 10, 20), InteractionKind.REFUSAL)
    shop.refresh()
    signal = _signal(session, account)
    assert signal.state == "at_risk"
    assert (signal.complaints, signal.refusals, signal.last_signal_on) == (
        1, 1, date(2026, 11, 2))
    [said] = [churn_reason_text(r) for r in signal.reasons if r["code"] == "signals"]
    assert said == ("1 complaint, 1 refusal in the last 90 days (the latest on Nov 2, 2026); "
                    "rising from 0 in as many days before; at risk from 2")


def test_one_complaint_is_named_but_does_not_put_an_account_at_risk(session, shop):
    account = _steady_buyer(shop)
    shop.interaction(account, date(2026, 11, 2), InteractionKind.COMPLAINT)
    shop.refresh()
    signal = _signal(session, account)
    assert signal.state == "active"
    assert [r["code"] for r in signal.reasons] == ["signals"]


def test_a_lost_tender_counts_and_signals_older_than_the_window_do_not(session, shop):
    account = _steady_buyer(shop)
    session.add(Tender(account_id=account, title="Supply 2027", held_on=date(2026, 10, 1),
                       outcome=TenderOutcome.LOST))
    session.add(Tender(account_id=account, title="Supply 2026", held_on=date(2026, 10, 5),
                       outcome=TenderOutcome.WON))
    shop.interaction(account, date(2026, 3, 1), InteractionKind.COMPLAINT)  # long ago
    shop.refresh()
    signal = _signal(session, account)
    assert (signal.lost_tenders, signal.complaints, signal.signals_before) == (1, 0, 0)
    assert signal.state == "active"


def test_fewer_signals_than_before_read_as_falling(session, shop):
    account = _steady_buyer(shop)
    for day in (date(2026, 7, 1), date(2026, 7, 5), date(2026, 7, 9)):
        shop.interaction(account, day, InteractionKind.COMPLAINT)
    shop.interaction(account, date(2026, 10, 1), InteractionKind.COMPLAINT)
    shop.refresh()
    signal = _signal(session, account)
    assert (signal.complaints, signal.signals_before) == (1, 3)
    [reason] = [r for r in signal.reasons if r["code"] == "signals"]
    assert reason["params"]["direction"] == "falling"


def test_the_signal_threshold_is_a_workspace_setting(session, shop):
    account = _steady_buyer(shop)
    shop.interaction(account, date(2026, 11, 2), InteractionKind.COMPLAINT)
    shop.refresh()
    set_settings(session, {"analytics.churn_signal_count": 1})
    assert _signal(session, account).state == "at_risk"
