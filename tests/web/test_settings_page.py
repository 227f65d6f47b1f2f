"""The workspace settings page: every declared setting, changed with validation, by admins."""

from __future__ import annotations

import pytest

from abm.analytics.settings import AnalyticsSettings
from abm.campaigns.settings import CampaignSettings
from abm.settings.catalogue import SECTIONS
from abm.workspace.models import WorkspaceSetting
from abm.workspace.services import settings_of


def _declared():
    return [info for section in SECTIONS for info in section.describe_all()]


def _form(**changes) -> dict:
    """Every setting at its default, as the page posts it, with ``changes``."""
    data = {}
    for s in _declared():
        if s.type == "bool":
            if s.default:
                data[s.key] = "on"
        else:
            data[s.key] = str(s.default)
    data.update(changes)
    return data


def test_the_page_lists_every_setting_with_its_description(client, login):
    login("admin")
    page = client.get("/admin/settings/").get_data(as_text=True).replace("&#39;", "'")
    for s in _declared():
        assert f'id="{s.key}"' in page
        assert s.description in page


def test_the_descriptions_and_refusals_are_in_russian(client, login):
    login("admin")
    client.post("/language", data={"lang": "ru"})
    page = client.get("/admin/settings/").get_data(as_text=True)
    assert "Доля от итога, при которой клиент становится ключевым" in page
    refused = client.post("/admin/settings/", data=_form(**{"analytics.key_share": "1,5"}))
    assert "1.5 больше максимума 1" in refused.get_data(as_text=True)


def test_a_valid_change_is_stored_and_shown(client, login, session):
    login("admin")
    response = client.post("/admin/settings/", data=_form(**{
        "analytics.key_share": "0,15", "campaigns.holdout_share": "0.2",
        "analytics.measure": "margin"}))
    assert response.status_code == 302
    session.expire_all()
    analytics = settings_of(session, AnalyticsSettings)
    assert (analytics.key_share, analytics.measure) == (0.15, "margin")
    assert settings_of(session, CampaignSettings).holdout_share == 0.2
    page = client.get("/admin/settings/").get_data(as_text=True)
    assert 'value="0.15"' in page


@pytest.mark.parametrize(("key", "value", "message", "typed"), [
    ("analytics.top_n", "2.5", "expected a whole number", 'value="2.5"'),
    ("analytics.top_n", "many", "is not a whole number", 'value="many"'),
    ("analytics.key_share", "1.5", "is above the maximum", 'value="1.5"'),
    ("analytics.measure", "volume", "is not one of revenue, margin", "<select"),
])
def test_an_invalid_value_stores_nothing_and_says_why(client, login, session, key, value,
                                                      message, typed):
    login("admin")
    response = client.post("/admin/settings/", data=_form(**{
        key: value, "campaigns.holdout_share": "0.3"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert message in page and "Nothing was saved" in page
    assert typed in page  # what the user typed stays in its field
    assert session.query(WorkspaceSetting).count() == 0


@pytest.mark.parametrize("role", ["manager", "marketing", "sales"])
def test_only_admins_open_or_change_the_settings(client, login, role):
    login(role)
    assert client.get("/admin/settings/").status_code == 403
    assert client.post("/admin/settings/", data=_form()).status_code == 403


def test_raising_the_approval_threshold_leaves_an_audit_entry(client, login, session):
    from abm.audit.models import AuditEvent

    admin = login("admin")
    key = "campaigns.discount_approval_threshold"
    assert client.post("/admin/settings/", data=_form(**{key: "12.5"})).status_code == 302
    [event] = session.query(AuditEvent).filter_by(action="setting_changed").all()
    assert (event.actor_id, event.target) == (admin.id, f"setting:{key}")
    assert event.details == {"key": key, "old": 0.0, "new": 12.5}
    log = client.get("/admin/audit?action=setting_changed").get_data(as_text=True)
    assert f"setting:{key}" in log
