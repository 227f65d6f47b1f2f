import pytest

from abm.workspace.models import WorkspaceSetting
from abm.workspace.services import (
    SETTINGS,
    SettingError,
    describe_settings,
    get_settings,
    register_setting,
    reset_settings,
    set_settings,
)


def test_every_setting_has_its_default_when_nothing_is_stored(session):
    settings = get_settings(session)
    assert settings["analytics.key_share"] == 0.10
    assert settings["analytics.top_n"] == 20
    assert settings["analytics.measure"] == "revenue"
    assert set(settings) == set(SETTINGS)


def test_a_stored_value_overrides_the_default(session):
    set_settings(session, {"analytics.top_n": 30})
    assert get_settings(session)["analytics.top_n"] == 30


def test_an_unknown_key_is_refused(session):
    with pytest.raises(SettingError, match="unknown setting"):
        set_settings(session, {"analytics.nope": 1})


def test_a_boolean_is_not_a_number(session):
    with pytest.raises(SettingError, match="expected a number"):
        set_settings(session, {"analytics.key_share": True})


def test_a_string_is_not_a_number(session):
    with pytest.raises(SettingError, match="expected a number"):
        set_settings(session, {"analytics.key_share": "0.2"})


def test_a_whole_number_setting_refuses_fractions(session):
    with pytest.raises(SettingError, match="whole number"):
        set_settings(session, {"analytics.top_n": 2.5})


def test_a_whole_number_is_accepted_for_a_fraction_setting(session):
    assert set_settings(session, {"analytics.churn_at_risk_factor": 3})[
        "analytics.churn_at_risk_factor"] == 3.0


def test_values_out_of_limits_are_refused(session):
    with pytest.raises(SettingError, match="above the maximum"):
        set_settings(session, {"analytics.key_share": 1.5})


def test_a_choice_outside_the_list_is_refused(session):
    with pytest.raises(SettingError, match="not one of"):
        set_settings(session, {"analytics.measure": "profit"})


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
    session.add(WorkspaceSetting(key="retired.key", value=1))
    session.flush()
    settings = get_settings(session)
    assert settings["analytics.top_n"] == 20
    assert "retired.key" not in settings


def test_reset_returns_settings_to_their_defaults(session):
    set_settings(session, {"analytics.top_n": 30, "analytics.xyz_x": 0.2})
    reset_settings(session, ["analytics.top_n"])
    settings = get_settings(session)
    assert settings["analytics.top_n"] == 20
    assert settings["analytics.xyz_x"] == 0.2


def test_the_settings_page_sees_which_values_changed(session):
    set_settings(session, {"analytics.top_n": 30}, user_id=None)
    rows = {r["key"]: r for r in describe_settings(session, "analytics.")}
    assert rows["analytics.top_n"]["changed"] is True
    assert rows["analytics.top_n"]["default"] == 20
    assert rows["analytics.key_share"]["changed"] is False
    assert all(key.startswith("analytics.") for key in rows)


def test_the_campaign_approval_threshold_has_a_default(session):
    assert get_settings(session)["campaigns.discount_approval_threshold"] == 0.0


def test_a_setting_cannot_be_declared_twice():
    with pytest.raises(SettingError, match="declared twice"):
        register_setting("analytics.top_n", int, 20, "again")


def test_the_workspace_currency_is_euro_until_changed(session):
    assert get_settings(session)["workspace.currency"] == "EUR"


@pytest.mark.parametrize(("value", "stored"), [("RUB", "RUB"), ("usd", "USD"), (" kzt ", "KZT")])
def test_the_workspace_currency_is_any_iso_4217_code(session, value, stored):
    assert set_settings(session, {"workspace.currency": value})["workspace.currency"] == stored


@pytest.mark.parametrize("value", ["XYZ", "EURO", "", "₽", 978])
def test_the_workspace_currency_refuses_what_babel_does_not_know(session, value):
    with pytest.raises(SettingError):
        set_settings(session, {"workspace.currency": value})
    assert get_settings(session)["workspace.currency"] == "EUR"


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
    assert get_settings(session)["analytics.top_n"] == 20  # nothing stored
    set_settings(session, {"workspace.currency": "eur", "analytics.top_n": 10})  # unchanged
    assert get_settings(session)["analytics.top_n"] == 10


def _audited(session):
    from abm.audit.models import AuditEvent

    return [(e.actor_id, e.target, e.details) for e in session.query(AuditEvent)
            .filter_by(action="setting_changed").order_by(AuditEvent.id)]


def test_a_change_of_the_approval_threshold_is_audited_with_before_and_after(session):
    from abm.users.services import create_user

    admin = create_user(session, email="boss@t.io", name="Boss", role="admin", password="pw")
    set_settings(session, {"campaigns.discount_approval_threshold": 15}, user_id=admin.id)
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
