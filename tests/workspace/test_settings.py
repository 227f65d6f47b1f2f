"""Workspace settings: typed sections read by attribute, validated writes, audited changes."""

import pytest
from pydantic import ValidationError

from abm.analytics.settings import AnalyticsSettings
from abm.campaigns.settings import CampaignSettings
from abm.currencies.settings import CurrencySettings
from abm.segments.settings import PotentialSettings, SegmentationSettings
from abm.settings.services import describe_settings, reset_settings, set_settings, update_settings
from abm.workspace.models import WorkspaceSetting
from abm.workspace.services import SettingError, settings_of
from abm.workspace.settings import WorkspaceSettings


def test_every_setting_has_its_default_when_nothing_is_stored(session):
    analytics = settings_of(session, AnalyticsSettings)
    assert (analytics.key_share, analytics.top_n, analytics.measure) == (0.10, 20, "revenue")
    assert settings_of(session, CampaignSettings).discount_approval_threshold == 0.0
    assert settings_of(session, CurrencySettings).currency == "EUR"
    assert settings_of(session, WorkspaceSettings).time_zone == "UTC"
    assert settings_of(session, PotentialSettings).unit == "weeks"
    assert settings_of(session, SegmentationSettings).k_range == (4, 8)


def test_a_stored_value_overrides_the_default(session):
    set_settings(session, {"analytics.top_n": 30})
    assert settings_of(session, AnalyticsSettings).top_n == 30


def test_a_section_is_written_by_field_name_and_returned(session):
    changed = update_settings(session, AnalyticsSettings, top_n=30, measure="margin")
    assert (changed.top_n, changed.measure) == (30, "margin")
    assert session.get(WorkspaceSetting, "analytics.top_n").value == 30


def test_a_section_read_from_the_workspace_cannot_be_changed_in_place(session):
    analytics = settings_of(session, AnalyticsSettings)
    with pytest.raises(ValidationError, match="frozen"):
        analytics.top_n = 5


def test_the_segment_counts_tried_are_a_range_whichever_limit_is_higher(session):
    update_settings(session, SegmentationSettings, k_min=9, k_max=5)
    assert settings_of(session, SegmentationSettings).k_range == (5, 9)


def test_an_unknown_key_is_refused_by_its_name(session):
    with pytest.raises(SettingError, match="there is no setting analytics.nope"):
        set_settings(session, {"analytics.nope": 1})
    with pytest.raises(SettingError, match="there is no setting analytics.nope"):
        update_settings(session, AnalyticsSettings, nope=1)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("analytics.key_share", True, "analytics.key_share: expected a number, got True"),
    ("analytics.key_share", "0.2", "analytics.key_share: expected a number, got '0.2'"),
    ("analytics.top_n", 2.5, "analytics.top_n: expected a whole number, got 2.5"),
    ("analytics.top_n", True, "analytics.top_n: expected a whole number, got True"),
    ("analytics.key_share", 1.5, "analytics.key_share: 1.5 is above the maximum 1"),
    ("analytics.top_n", 0, "analytics.top_n: 0 is below the minimum 1"),
    ("analytics.measure", "profit", "analytics.measure: 'profit' is not one of revenue, margin"),
    ("potential.unit", "months", "potential.unit: 'months' is not one of days, weeks"),
    ("campaigns.sender_name", 7, "campaigns.sender_name: expected a text, got 7"),
    ("workspace.time_zone", "Mars/Olympus",
     "workspace.time_zone: 'Mars/Olympus' is not a time zone name such as Europe/Moscow or UTC"),
])
def test_a_refused_value_is_named_with_its_setting_and_why(session, key, value, message):
    with pytest.raises(SettingError) as refused:
        set_settings(session, {key: value})
    assert str(refused.value) == message
    assert refused.value.key == key
    assert session.get(WorkspaceSetting, key) is None


def test_a_whole_number_is_accepted_for_a_fraction_setting(session):
    update_settings(session, AnalyticsSettings, churn_at_risk_factor=3)
    factor = settings_of(session, AnalyticsSettings).churn_at_risk_factor
    assert factor == 3.0 and isinstance(factor, float)


def test_a_whole_float_is_accepted_for_a_whole_number_setting(session):
    assert update_settings(session, AnalyticsSettings, top_n=30.0).top_n == 30
    assert session.get(WorkspaceSetting, "analytics.top_n").value == 30


def test_one_invalid_value_stores_none_of_the_batch(session):
    with pytest.raises(SettingError):
        set_settings(session, {"analytics.top_n": 30, "analytics.key_share": -1})
    assert session.get(WorkspaceSetting, "analytics.top_n") is None


def test_setting_the_default_value_removes_the_override(session):
    set_settings(session, {"analytics.top_n": 30})
    set_settings(session, {"analytics.top_n": 20})
    assert session.get(WorkspaceSetting, "analytics.top_n") is None


def test_a_stored_value_that_no_longer_validates_is_ignored(session):
    session.add(WorkspaceSetting(key="analytics.top_n", value="many"))
    session.add(WorkspaceSetting(key="analytics.key_share", value=0.3))
    session.add(WorkspaceSetting(key="retired.key", value=1))
    session.flush()
    analytics = settings_of(session, AnalyticsSettings)
    assert analytics.top_n == 20  # the default, in place of the stored "many"
    assert analytics.key_share == 0.3  # the other stored values still count
    assert {v.key for v in describe_settings(session)} >= {"analytics.top_n"}
    assert "retired.key" not in {v.key for v in describe_settings(session)}


def test_a_stored_time_zone_this_machine_does_not_know_falls_back_to_utc(session):
    from abm.workspace.services import workspace_zone

    session.add(WorkspaceSetting(key="workspace.time_zone", value="Atlantis/Poseidonia"))
    session.flush()
    assert workspace_zone(session).key == "UTC"


def test_reset_returns_settings_to_their_defaults(session):
    set_settings(session, {"analytics.top_n": 30, "analytics.xyz_x": 0.2})
    reset_settings(session, ["analytics.top_n"])
    analytics = settings_of(session, AnalyticsSettings)
    assert (analytics.top_n, analytics.xyz_x) == (20, 0.2)


def test_the_settings_page_sees_which_values_changed(session):
    set_settings(session, {"analytics.top_n": 30}, user_id=None)
    rows = {r.key: r for r in describe_settings(session, "analytics.")}
    assert rows["analytics.top_n"].changed is True
    assert (rows["analytics.top_n"].value, rows["analytics.top_n"].default) == (30, 20)
    assert rows["analytics.key_share"].changed is False
    assert all(key.startswith("analytics.") for key in rows)


@pytest.mark.parametrize(("key", "kind", "minimum", "maximum", "choices"), [
    ("analytics.top_n", "int", 1, 1000, None),
    ("analytics.key_share", "float", 0, 1, None),
    ("analytics.xyz_x", "float", 0, None, None),
    ("analytics.measure", "str", None, None, ("revenue", "margin")),
    ("campaigns.retry_base_seconds", "float", 0.01, 86400, None),
    ("workspace.currency", "str", None, None, None),
])
def test_the_page_describes_each_setting_from_its_declaration(session, key, kind, minimum,
                                                             maximum, choices):
    [row] = [r for r in describe_settings(session) if r.key == key]
    assert (row.type, row.minimum, row.maximum, row.choices) == (kind, minimum, maximum, choices)
    assert row.description


def test_the_workspace_currency_is_euro_until_changed(session):
    assert settings_of(session, CurrencySettings).currency == "EUR"


@pytest.mark.parametrize(("value", "stored"), [("RUB", "RUB"), ("usd", "USD"), (" kzt ", "KZT")])
def test_the_workspace_currency_is_any_iso_4217_code(session, value, stored):
    assert update_settings(session, CurrencySettings, currency=value).currency == stored
    assert session.get(WorkspaceSetting, "workspace.currency").value == stored


@pytest.mark.parametrize("value", ["XYZ", "EURO", "", "₽", 978])
def test_the_workspace_currency_refuses_what_babel_does_not_know(session, value):
    with pytest.raises(SettingError, match="^workspace.currency: "):
        set_settings(session, {"workspace.currency": value})
    assert settings_of(session, CurrencySettings).currency == "EUR"


def test_the_workspace_currency_cannot_change_while_order_lines_are_stored(session):
    from datetime import date

    from abm.accounts.models import Account
    from abm.currencies.settings import CurrencyInUse
    from abm.sales.models import OrderLine

    account = Account(name="Alpha")
    session.add(account)
    session.flush()
    session.add(OrderLine(account_id=account.id, document="D1", date=date(2026, 3, 1),
                          month=date(2026, 3, 1), revenue=10, currency="EUR"))
    session.flush()
    with pytest.raises(CurrencyInUse) as refused:
        set_settings(session, {"workspace.currency": "RUB", "analytics.top_n": 10})
    assert (refused.value.current, refused.value.new, refused.value.lines) == ("EUR", "RUB", 1)
    assert str(refused.value).startswith("workspace.currency: the currency cannot change from "
                                         "EUR to RUB while 1 order lines")
    assert settings_of(session, AnalyticsSettings).top_n == 20  # nothing stored
    set_settings(session, {"workspace.currency": "eur", "analytics.top_n": 10})  # unchanged
    assert settings_of(session, AnalyticsSettings).top_n == 10


def _audited(session):
    from abm.audit.models import AuditEvent

    return [(e.actor_id, e.target, e.details) for e in session.query(AuditEvent)
            .filter_by(action="setting_changed").order_by(AuditEvent.id)]


def test_a_change_of_the_approval_threshold_is_audited_with_before_and_after(session):
    from abm.users.services import create_user

    admin = create_user(session, email="boss@t.io", name="Boss", role="admin", password="pw")
    update_settings(session, CampaignSettings, discount_approval_threshold=15, user_id=admin.id)
    set_settings(session, {"campaigns.discount_approval_threshold": 15,
                           "analytics.top_n": 20}, user_id=admin.id)  # nothing changes
    reset_settings(session, ["campaigns.discount_approval_threshold"], user_id=admin.id)
    key = "campaigns.discount_approval_threshold"
    assert _audited(session) == [
        (admin.id, f"setting:{key}", {"key": key, "old": 0.0, "new": 15.0}),
        (admin.id, f"setting:{key}", {"key": key, "old": 15.0, "new": 0.0}),
    ]


def test_a_refused_change_leaves_no_audit_entry(session):
    with pytest.raises(SettingError):
        set_settings(session, {"campaigns.discount_approval_threshold": 15,
                               "analytics.top_n": 0})
    assert _audited(session) == []


def test_overrides_of_a_section_are_checked_like_stored_values(session):
    campaigns = settings_of(session, CampaignSettings)
    faster = campaigns.overridden({"campaigns.retry_base_seconds": 0.05})
    assert (faster.retry_base_seconds, campaigns.retry_base_seconds) == (0.05, 2.0)
    with pytest.raises(SettingError, match="below the minimum 0.01"):
        campaigns.overridden({"campaigns.retry_base_seconds": 0})
    with pytest.raises(SettingError, match="there is no setting analytics.top_n"):
        campaigns.overridden({"analytics.top_n": 5})
