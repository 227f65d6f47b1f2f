"""A personal visit a month to each key account, and the competitors' key clients we court."""

from datetime import date

import pytest

from abm.accounts.models import AccountKind, InteractionKind
from abm.analytics.alerts import list_alerts, refresh_alerts
from abm.settings.services import set_settings
from abm.workspace.sections import SettingError
from tests.analytics.shop import PERIOD, TODAY


@pytest.fixture
def key(shop):
    """A key account shipping every month, its terms reviewed."""
    account = shop.account("Key")
    shop.monthly(account, dict.fromkeys(PERIOD, 100))
    shop.refresh()
    return account


def _kinds(session, status=("open", "acknowledged")):
    return sorted(a.kind for a in list_alerts(session, status=status))


def test_a_call_resets_silence_but_not_the_missing_visit(session, shop, key):
    shop.interaction(key, date(2026, 11, 10), InteractionKind.CALL)
    refresh_alerts(session, today=TODAY)
    assert _kinds(session) == ["no_visit"]
    [alert] = list_alerts(session)
    assert alert.cause == "never"
    assert alert.message == "No personal visit to this key account on record"


def test_a_visit_older_than_the_set_days_raises_the_visit_alert(session, shop, key):
    shop.interaction(key, date(2026, 10, 1), InteractionKind.MEETING)
    shop.interaction(key, date(2026, 11, 14), InteractionKind.EMAIL)
    refresh_alerts(session, today=TODAY)
    [alert] = list_alerts(session)
    assert (alert.kind, alert.cause) == ("no_visit", "since:2026-10-01")
    assert alert.details["days"] == 45
    assert alert.message == "No personal visit for 45 days (last on Oct 1, 2026)"


def test_a_meeting_within_the_set_days_counts_as_a_visit(session, shop, key):
    shop.interaction(key, date(2026, 10, 20), InteractionKind.MEETING)
    assert refresh_alerts(session, today=TODAY).raised == 0


def test_the_visit_period_is_a_workspace_setting(session, shop, key):
    shop.interaction(key, date(2026, 10, 20), InteractionKind.VISIT)
    set_settings(session, {"analytics.visit_days": 14})
    refresh_alerts(session, today=TODAY)
    assert _kinds(session) == ["no_visit"]


def test_a_visit_clears_the_visit_alert_at_the_next_refresh(session, shop, key):
    shop.interaction(key, date(2026, 11, 10), InteractionKind.NOTE)
    refresh_alerts(session, today=TODAY)
    shop.interaction(key, date(2026, 11, 14), InteractionKind.VISIT)
    assert refresh_alerts(session, today=TODAY).resolved == 1
    [alert] = list_alerts(session, status="resolved")
    assert alert.kind == "no_visit"
    assert [e.action for e in alert.history] == ["raised", "cleared"]


def _prospect(shop, **kw):
    return shop.account("Prospect", kind=AccountKind.PROSPECT, current_supplier="Rival Ltd",
                        **kw)


def test_a_silent_prospect_that_is_a_competitors_key_client_raises_an_alert(session, shop, key):
    shop.interaction(key, date(2026, 11, 10))
    prospect = _prospect(shop, competitor_key_client=True, win_plan="Samples, then a trial")
    shop.interaction(prospect, date(2026, 8, 1), InteractionKind.CALL)
    refresh_alerts(session, today=TODAY)
    [alert] = list_alerts(session)
    assert (alert.account_id, alert.kind) == (prospect, "competitor_silence")
    assert alert.details["competitor"] == "Rival Ltd"
    assert alert.details["monitored_because"] == ["competitor_key_client"]
    assert alert.message == ("No interaction for 106 days with this prospect, a key client of "
                             "Rival Ltd (last on Aug 1, 2026)")


def test_a_prospect_not_marked_as_a_competitors_key_client_is_not_watched(session, shop, key):
    shop.interaction(key, date(2026, 11, 10))
    _prospect(shop)
    assert refresh_alerts(session, today=TODAY).raised == 0


def test_contact_within_the_set_days_clears_the_competitor_alert(session, shop, key):
    shop.interaction(key, date(2026, 11, 10))
    prospect = _prospect(shop, competitor_key_client=True)
    refresh_alerts(session, today=TODAY)
    assert _kinds(session) == ["competitor_silence"]
    shop.interaction(prospect, date(2026, 11, 12), InteractionKind.EMAIL)
    assert refresh_alerts(session, today=TODAY).resolved == 1
    assert _kinds(session) == []


def test_the_competitor_silence_period_is_a_workspace_setting(session, shop, key):
    shop.interaction(key, date(2026, 11, 10))
    prospect = _prospect(shop, competitor_key_client=True)
    shop.interaction(prospect, date(2026, 10, 1), InteractionKind.CALL)
    assert refresh_alerts(session, today=TODAY).raised == 0  # 45 days, 60 allowed
    set_settings(session, {"analytics.competitor_silence_days": 30})
    assert refresh_alerts(session, today=TODAY).raised == 1


def test_loss_reasons_must_name_at_least_one(session):
    with pytest.raises(SettingError):
        set_settings(session, {"analytics.loss_reasons": " , "})
