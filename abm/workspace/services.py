"""Workspace settings: each domain's typed section, read with the users' overrides, and changed.

Every threshold of DOMAIN.md is a setting a user can change. Each domain
declares its own in a typed section (``abm/<domain>/settings.py``, listed in
:mod:`abm.settings.catalogue`), and a rule reads the values by attribute::

    s = settings_of(session, AnalyticsSettings)
    s.key_share

:func:`settings_of` returns the defaults overlaid with the stored values, so
a rule never needs to know whether a value was changed. Each stored value is
one row of ``workspace_settings`` keyed as ``<prefix>.<field>``. Writes go
through :mod:`abm.settings.services`, which knows every domain's section.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.workspace.models import WorkspaceSetting
from abm.workspace.sections import SettingError, SettingsSection
from abm.workspace.settings import WorkspaceSettings

S = TypeVar("S", bound=SettingsSection)

__all__ = ["SettingError", "settings_of", "workspace_zone"]


def stored_values(session: Session, keys: Iterable[str]) -> dict[str, Any]:
    rows = session.execute(select(WorkspaceSetting.key, WorkspaceSetting.value)
                           .where(WorkspaceSetting.key.in_(list(keys))))
    return {key: value for key, value in rows}


def settings_of(session: Session, section: type[S]) -> S:
    """This workspace's values of one section: the defaults overlaid with the stored values.

    A stored value that no longer passes validation (a limit changed) is
    ignored, so that a rule always gets a usable value.
    """
    return section.from_stored(stored_values(session, section.stored_keys()))


def workspace_zone(session: Session) -> ZoneInfo:
    """The workspace time zone, read alone: pages ask for it on every load."""
    return ZoneInfo(settings_of(session, WorkspaceSettings).time_zone)
