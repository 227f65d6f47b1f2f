from datetime import date

import pytest
from sqlalchemy import select

from abm.accounts.models import Account
from abm.analytics.alerts import (
    AlertError,
    acknowledge_alert,
    assign_alert,
    list_alerts,
    refresh_alerts,
    reopen_alert,
    resolve_alert,
)
from abm.analytics.models import Alert
from abm.sales.models import Receivable
from abm.settings.services import set_settings
from abm.users.services import create_user
from tests.analytics.shop import PERIOD, TODAY


@pytest.fixture
def key(shop):
    """A key account shipping every month (share 100%), reviewed, visited, nothing owed."""
    account = shop.account("Key")
    shop.monthly(account, dict.fromkeys(PERIOD, 100))
    shop.interaction(account, date(2026, 11, 1))
    shop.refresh()
    return account


def _kinds(session, account_id=None):
    return sorted((a.kind, a.cause) for a in list_alerts(session, account_id=account_id))


def test_a_healthy_key_account_raises_nothing(session, key):
    assert refresh_alerts(session, today=TODAY).raised == 0


def test_a_month_without_shipments_raises_an_alert_for_that_month(session, shop):
    account = shop.account("Key")
    shop.monthly(account, {m: 100 for m in PERIOD if m != date(2026, 9, 1)})
    shop.interaction(account, date(2026, 11, 1))
    shop.refresh()
    refresh_alerts(session, today=TODAY)
    [alert] = list_alerts(session, kind="no_shipments")
    assert alert.cause == "2026-09"
    assert alert.message == "No shipments in September 2026"
    assert alert.details["month"] == "2026-09"
    assert alert.details["monitored_because"] == [
        "key by share: 100.0% (1,100.00 of 1,100.00 revenue) >= 10.0%",
        "top 20 by average monthly shipments: rank 1, 66.67 a month"]


def test_an_alert_is_not_raised_twice_for_the_same_cause(session, shop):
    account = shop.account("Key", terms_reviewed_on=None)
    shop.monthly(account, dict.fromkeys(PERIOD, 100))
    shop.refresh()
    first = refresh_alerts(session, today=TODAY)
    second = refresh_alerts(session, today=TODAY)
    assert first.raised == 3  # terms never reviewed, nobody talked to them nor visited them
    assert second.raised == 0


def test_a_resolved_alert_is_not_raised_again_for_the_same_cause(session, shop):
    account = shop.account("Key", terms_reviewed_on=None)
    shop.monthly(account, dict.fromkeys(PERIOD, 100))
    shop.interaction(account, date(2026, 11, 1))
    shop.refresh()
    refresh_alerts(session, today=TODAY)
    [alert] = list_alerts(session)
    resolve_alert(session, alert.id, note="reviewed by phone")
    assert refresh_alerts(session, today=TODAY).raised == 0
    assert list_alerts(session) == []


def test_white_space_lists_the_top_products_not_bought(session, shop):
    bought, missing = shop.product("TOP-1", top=True), shop.product("TOP-2", top=True)
    shop.product("OTHER")
    account = shop.account("Key")
    shop.interaction(account, date(2026, 11, 1))
    for month in PERIOD:
        shop.line(account, month.replace(day=3), 100, product_id=bought)
    shop.refresh()
    refresh_alerts(session, today=TODAY)
    [alert] = list_alerts(session, kind="white_space")
    assert alert.message == "Buys 1 of 2 top-assortment products; not: TOP-2"
    assert [p["product_id"] for p in alert.details["missing"]] == [missing]


def test_white_space_resolves_itself_when_the_product_is_bought(session, shop):
    top = shop.product("TOP-1", top=True)
    account = shop.account("Key")
    shop.interaction(account, date(2026, 11, 1))
    shop.monthly(account, dict.fromkeys(PERIOD, 100))
    shop.refresh()
    refresh_alerts(session, today=TODAY)
    shop.line(account, date(2026, 10, 20), 10, product_id=top)
    shop.refresh()
    assert refresh_alerts(session, today=TODAY).resolved == 1
    [alert] = list_alerts(session, status="resolved")
    assert [e.action for e in alert.history] == ["raised", "cleared"]


def test_a_decline_against_the_previous_three_months_raises_an_alert(session, shop):
    account = shop.account("Key")
    shop.interaction(account, date(2026, 11, 1))
    shop.monthly(account, {m: (100 if i < 9 else 80) for i, m in enumerate(PERIOD)})
    shop.refresh()
    refresh_alerts(session, today=TODAY)
    [alert] = list_alerts(session, kind="decline_vs_previous")
    assert alert.cause == "2026-10"
    assert alert.details["revenue"] == 240
    assert alert.details["base_revenue"] == 300
    assert alert.details["change"] == -0.2


def test_a_small_decline_stays_below_the_threshold(session, shop):
    account = shop.account("Key")
    shop.interaction(account, date(2026, 11, 1))
    shop.monthly(account, {m: (100 if i < 9 else 91) for i, m in enumerate(PERIOD)})
    shop.refresh()
    refresh_alerts(session, today=TODAY)
    assert list_alerts(session, kind="decline_vs_previous") == []


def test_a_decline_against_the_same_months_a_year_before_raises_an_alert(session, shop):
    account = shop.account("Key")
    shop.interaction(account, date(2026, 11, 1))
    shop.monthly(account, {date(2025, 8, 1): 200, date(2025, 9, 1): 200,
                           date(2025, 10, 1): 200} | dict.fromkeys(PERIOD, 100))
    shop.refresh()
    refresh_alerts(session, today=TODAY)
    [alert] = list_alerts(session, kind="decline_vs_last_year")
    assert alert.details["base_months"] == "2025-08..2025-10"
    assert alert.details["change"] == -0.5


def test_terms_are_due_for_review_after_more_than_a_quarter(session, shop):
    due = shop.account("Due", terms_reviewed_on=date(2026, 8, 14))
    fresh = shop.account("Fresh", terms_reviewed_on=date(2026, 8, 15))
    for account in (due, fresh):
        shop.monthly(account, dict.fromkeys(PERIOD, 100))
        shop.interaction(account, date(2026, 11, 1))
    shop.refresh()
    refresh_alerts(session, today=TODAY)
    assert _kinds(session, due) == [("terms_review_due", "2026-08-14")]
    assert _kinds(session, fresh) == []


def test_a_new_review_resolves_the_due_alert(session, shop, key):
    session.get(Account, key).terms_reviewed_on = date(2026, 1, 1)
    refresh_alerts(session, today=TODAY)
    session.get(Account, key).terms_reviewed_on = date(2026, 11, 10)
    assert refresh_alerts(session, today=TODAY).resolved == 1


def test_an_overdue_receivable_raises_an_alert_until_paid(session, shop, key):
    invoice = shop.receivable(key, "INV-1", date(2026, 11, 1), 500, paid=100)
    shop.receivable(key, "INV-2", date(2026, 11, 20), 500)  # not due yet
    refresh_alerts(session, today=TODAY)
    [alert] = list_alerts(session, kind="overdue_receivable")
    assert alert.cause == f"receivable:{invoice}"
    assert alert.details["outstanding"] == 400
    assert alert.details["days_overdue"] == 14
    session.get(Receivable, invoice).paid_amount = 500
    assert refresh_alerts(session, today=TODAY).resolved == 1


def test_silence_of_more_than_thirty_days_raises_an_alert(session, shop):
    quiet, talked = shop.account("Quiet"), shop.account("Talked")
    for account in (quiet, talked):
        shop.monthly(account, dict.fromkeys(PERIOD, 100))
    shop.interaction(quiet, date(2026, 10, 15))  # 31 days
    shop.interaction(talked, date(2026, 10, 16))  # 30 days
    shop.refresh()
    refresh_alerts(session, today=TODAY)
    assert _kinds(session, quiet) == [("no_interaction", "since:2026-10-15")]
    assert _kinds(session, talked) == []


def test_accounts_that_are_not_key_are_not_monitored(session, shop):
    set_settings(session, {"analytics.top_n": 1})
    big, small = shop.account("Big"), shop.account("Small", terms_reviewed_on=None)
    shop.monthly(big, dict.fromkeys(PERIOD, 1000))
    shop.monthly(small, dict.fromkeys(PERIOD, 10))
    shop.interaction(big, date(2026, 11, 1))
    shop.refresh()
    assert refresh_alerts(session, today=TODAY).monitored == 1
    assert _kinds(session, small) == []


def test_the_account_owner_owns_its_alerts(session, shop):
    user = create_user(session, email="kam@x.io", name="Kam", role="sales", password="pw")
    account = shop.account("Key", owner_id=user.id, terms_reviewed_on=None)
    shop.monthly(account, dict.fromkeys(PERIOD, 100))
    shop.interaction(account, date(2026, 11, 1))
    shop.refresh()
    refresh_alerts(session, today=TODAY)
    assert [a.owner_id for a in list_alerts(session)] == [user.id]


def test_an_alert_moves_from_open_to_acknowledged_to_resolved_with_history(session, shop):
    user = create_user(session, email="kam@x.io", name="Kam", role="sales", password="pw")
    account = shop.account("Key", terms_reviewed_on=None)
    shop.monthly(account, dict.fromkeys(PERIOD, 100))
    shop.interaction(account, date(2026, 11, 1))
    shop.refresh()
    refresh_alerts(session, today=TODAY)
    alert_id = list_alerts(session)[0].id
    acknowledge_alert(session, alert_id, user_id=user.id, note="calling them")
    assign_alert(session, alert_id, user.id, user_id=user.id)
    done = resolve_alert(session, alert_id, user_id=user.id, note="terms agreed")
    assert done.status == "resolved" and done.resolved_at is not None
    assert [(e.action, e.status, e.note) for e in done.history] == [
        ("raised", "open", ""),
        ("acknowledged", "acknowledged", "calling them"),
        ("assigned", "acknowledged", ""),
        ("resolved", "resolved", "terms agreed"),
    ]
    assert done.owner_id == user.id
    assert reopen_alert(session, alert_id).status == "open"


def test_only_an_open_alert_can_be_acknowledged(session, shop):
    account = shop.account("Key", terms_reviewed_on=None)
    shop.monthly(account, dict.fromkeys(PERIOD, 100))
    shop.interaction(account, date(2026, 11, 1))
    shop.refresh()
    refresh_alerts(session, today=TODAY)
    alert_id = session.scalar(select(Alert.id))
    resolve_alert(session, alert_id)
    with pytest.raises(AlertError, match="not open"):
        acknowledge_alert(session, alert_id)
    with pytest.raises(AlertError, match="no alert"):
        resolve_alert(session, alert_id + 1000)


def test_near_key_accounts_are_reported_with_the_alerts(session, shop):
    for name, revenue in (("Big", 800), ("Near", 75), ("Rest", 125)):
        account = shop.account(name)
        shop.monthly(account, {PERIOD[5]: revenue})
        shop.interaction(account, date(2026, 11, 1))
    shop.refresh()
    near = refresh_alerts(session, today=TODAY).near_key
    assert [a.external_id for a in near] == ["Near"]
