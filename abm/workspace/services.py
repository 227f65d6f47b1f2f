"""Workspace settings: each domain's typed section, read with the users' overrides, and changed.

Every threshold of DOMAIN.md is a setting a user can change. Each domain
declares its own in a typed section (``abm/<domain>/settings.py``, listed in
:mod:`abm.workspace.catalogue`), and a rule reads the values by attribute::

    s = settings_of(session, AnalyticsSettings)
    s.key_share

:func:`settings_of` returns the defaults overlaid with the stored values, so
a rule never needs to know whether a value was changed. Each stored value is
one row of ``workspace_settings`` keyed as ``<prefix>.<field>``; writes go
through :func:`set_settings` (keyed so, as the settings page posts them) or
:func:`update_settings` (by field), which validate, run the sections' own
rules and write an audit entry per changed value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from abm.audit import services as audit
from abm.workspace.catalogue import KEYS, SECTIONS, field_of
from abm.workspace.models import WorkspaceSetting
from abm.workspace.sections import SettingError, SettingInfo, SettingsSection
from abm.workspace.settings import WorkspaceSettings

S = TypeVar("S", bound=SettingsSection)

__all__ = ["SettingError", "SettingView", "describe_settings", "reset_settings", "set_settings",
           "settings_of", "update_settings", "validate_setting", "workspace_zone"]


def _stored(session: Session, keys: Iterable[str]) -> dict[str, Any]:
    rows = session.execute(select(WorkspaceSetting.key, WorkspaceSetting.value)
                           .where(WorkspaceSetting.key.in_(list(keys))))
    return {key: value for key, value in rows}


def settings_of(session: Session, section: type[S]) -> S:
    """This workspace's values of one section: the defaults overlaid with the stored values.

    A stored value that no longer passes validation (a limit changed) is
    ignored, so that a rule always gets a usable value.
    """
    return section.from_stored(_stored(session, section.stored_keys()))


def validate_setting(key: str, value: Any) -> Any:
    """``value`` as the setting stored under ``key`` takes it (converted where it says so).

    Raises:
        SettingError: no such setting, or a value of the wrong type or out of its limits.
    """
    section, name = field_of(key)
    return section.check(name, value)


def set_settings(
    session: Session, values: Mapping[str, Any], *, user_id: int | None = None
) -> None:
    """Validate and store several values at once, keyed as stored; a value equal to the
    default is cleared. The caller commits.

    Every value that changes is written to the audit log as ``user_id``'s, with
    the value before and after (thresholds decide what needs approval, what is key...).

    Raises:
        SettingError: an unknown key, an invalid value or a change a section's own
            rule refuses (see :meth:`SettingsSection.check_change`); nothing is stored then.
    """
    checked = {key: validate_setting(key, value) for key, value in values.items()}
    by_section: dict[type[SettingsSection], dict[str, Any]] = {}
    for key, value in checked.items():
        by_section.setdefault(KEYS[key][0], {})[key] = value
    before: dict[str, Any] = {}
    for section, changes in by_section.items():
        current = settings_of(session, section)
        section.check_change(session, current, current.overridden(changes))
        before.update(current.stored())
    for key, value in checked.items():
        section, name = KEYS[key]
        if value != before[key]:
            audit.record(session, user_id, audit.SETTING_CHANGED, f"setting:{key}",
                         {"key": key, "old": before[key], "new": value})
        row = session.get(WorkspaceSetting, key)
        if value == section.model_fields[name].default:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            session.add(WorkspaceSetting(key=key, value=value, updated_by_id=user_id))
        else:
            row.value = value
            row.updated_by_id = user_id
    session.flush()


def update_settings(session: Session, section: type[S], *, user_id: int | None = None,
                    **values: Any) -> S:
    """Store values of one section by field name, as :func:`set_settings` does.

    Returns:
        The section after the change.
    """
    set_settings(session, {section.key(name): value for name, value in values.items()},
                 user_id=user_id)
    return settings_of(session, section)


def reset_settings(session: Session, keys: list[str] | None = None, *,
                   user_id: int | None = None) -> None:
    """Return these settings (all when None) to their defaults, audit-logged like a change."""
    stmt = select(WorkspaceSetting.key)
    if keys is not None:
        stmt = stmt.where(WorkspaceSetting.key.in_(keys))
    known = {key: KEYS[key] for key in session.scalars(stmt) if key in KEYS}
    set_settings(session, {key: section.model_fields[name].default
                           for key, (section, name) in known.items()}, user_id=user_id)
    stmt_delete = delete(WorkspaceSetting)
    if keys is not None:
        stmt_delete = stmt_delete.where(WorkspaceSetting.key.in_(keys))
    session.execute(stmt_delete)


def workspace_zone(session: Session) -> ZoneInfo:
    """The workspace time zone, read alone: pages ask for it on every load."""
    return ZoneInfo(settings_of(session, WorkspaceSettings).time_zone)


@dataclass(frozen=True)
class SettingView(SettingInfo):
    """One setting as the settings page shows it: its declaration, value and group."""

    group: str  # the section's prefix: the page shows one table per group
    value: Any
    changed: bool


def describe_settings(session: Session, prefix: str = "") -> list[SettingView]:
    """The settings whose key starts with ``prefix``, in the catalogue's order."""
    stored = _stored(session, KEYS)
    views = []
    for section in SECTIONS:
        current = section.from_stored(stored)
        for info in section.describe_all():
            if info.key.startswith(prefix):
                value = getattr(current, info.name)
                views.append(SettingView(**vars(info), group=section.prefix, value=value,
                                         changed=value != info.default))
    return views
