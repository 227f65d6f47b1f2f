"""Every settings section of the workspace, listed once, in the order the settings page shows.

Adding a section means adding it here: nothing is registered as a side effect
of importing a module, so what exists does not depend on what was imported.
A test checks that every section's keys are distinct and that every section
a reader uses is listed.
"""

from __future__ import annotations

from abm.accounts.settings import ContactSettings
from abm.analytics.settings import AnalyticsSettings
from abm.campaigns.settings import CampaignSettings
from abm.currencies.settings import CurrencySettings
from abm.segments.settings import PotentialSettings, SegmentationSettings
from abm.workspace.sections import SettingsSection, unknown_setting
from abm.workspace.settings import WorkspaceSettings

SECTIONS: tuple[type[SettingsSection], ...] = (
    WorkspaceSettings,
    CurrencySettings,
    AnalyticsSettings,
    SegmentationSettings,
    PotentialSettings,
    CampaignSettings,
    ContactSettings,
)

# Stored key -> (section, field name), for the page and the storage layer.
KEYS: dict[str, tuple[type[SettingsSection], str]] = {
    key: (section, name)
    for section in SECTIONS
    for key, name in section.stored_keys().items()
}


def field_of(key: str) -> tuple[type[SettingsSection], str]:
    """The section and field name that ``key`` is stored under.

    Raises:
        SettingError: no section declares ``key``.
    """
    try:
        return KEYS[key]
    except KeyError:
        raise unknown_setting(key) from None
