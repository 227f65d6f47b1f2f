"""Workspace settings changed: validated against every domain's section, audited, stored.

This sits above the domains because it knows all their sections (listed in
:mod:`abm.settings.catalogue`); a rule that only reads its own section uses
:func:`abm.workspace.services.settings_of`, which needs no catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from abm.audit import services as audit
from abm.settings.catalogue import KEYS, SECTIONS, field_of
from abm.workspace.models import WorkspaceSetting
from abm.workspace.sections import SettingError, SettingInfo, SettingsSection
from abm.workspace.services import settings_of, stored_values

S = TypeVar("S", bound=SettingsSection)

__all__ = ["SettingError", "SettingView", "describe_settings", "reset_settings", "set_settings",
           "update_settings", "validate_setting"]


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


@dataclass(frozen=True)
class SettingView(SettingInfo):
    """One setting as the settings page shows it: its declaration, value and group."""

    group: str  # the section's prefix: the page shows one table per group
    value: Any
    changed: bool


def describe_settings(session: Session, prefix: str = "") -> list[SettingView]:
    """The settings whose key starts with ``prefix``, in the catalogue's order."""
    stored = stored_values(session, KEYS)
    views = []
    for section in SECTIONS:
        current = section.from_stored(stored)
        for info in section.describe_all():
            if info.key.startswith(prefix):
                value = getattr(current, info.name)
                views.append(SettingView(**vars(info), group=section.prefix, value=value,
                                         changed=value != info.default))
    return views
