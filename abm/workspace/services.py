"""Workspace settings: the typed defaults of every domain, merged with the users' overrides.

Every threshold of DOMAIN.md is a setting a user can change. Each one is
declared once in :data:`SETTINGS` with its type, default, limits and a one-line
description (what the settings page shows). :func:`get_settings` returns the
defaults overlaid with the stored values, so a rule never needs to know
whether a value was changed.

Other domains declare their keys in :data:`SETTINGS` under their own prefix
(``campaigns.``, ``segmentation.`` ...), or at import time with
:func:`register_setting`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from abm.audit import services as audit
from abm.workspace.models import WorkspaceSetting


class SettingError(ValueError):
    """An unknown setting, or a value of the wrong type or out of its limits."""


@dataclass(frozen=True)
class Setting:
    """One setting: its key, type, default and the limits a value must respect."""

    key: str
    type: type
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    # Converts a value of the right type or refuses it (raising SettingError).
    check: Callable[[Any], Any] | None = None
    # Called as guard(session, current, new) before a change is stored; may refuse it.
    guard: Callable[[Session, Any, Any], None] | None = None

    def validate(self, value: Any) -> Any:
        """Return ``value`` converted to the setting's type.

        Raises:
            SettingError: the value has the wrong type or is out of limits.
        """
        # bool is a subclass of int: refuse it for numbers, and numbers for bools.
        if self.type is bool:
            if not isinstance(value, bool):
                raise SettingError(f"{self.key}: expected true or false, got {value!r}")
            return value
        if self.type in (int, float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise SettingError(f"{self.key}: expected a number, got {value!r}")
            if self.type is int and value != int(value):
                raise SettingError(f"{self.key}: expected a whole number, got {value!r}")
            value = self.type(value)
            if self.minimum is not None and value < self.minimum:
                raise SettingError(f"{self.key}: {value} is below the minimum {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise SettingError(f"{self.key}: {value} is above the maximum {self.maximum}")
            return value
        if not isinstance(value, self.type):
            raise SettingError(f"{self.key}: expected {self.type.__name__}, got {value!r}")
        if self.choices is not None and value not in self.choices:
            raise SettingError(f"{self.key}: {value!r} is not one of {', '.join(self.choices)}")
        return self.check(value) if self.check is not None else value


SETTINGS: dict[str, Setting] = {}


def register_setting(
    key: str,
    type_: type,
    default: Any,
    description: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: tuple[str, ...] | None = None,
    check: Callable[[Any], Any] | None = None,
    guard: Callable[[Session, Any, Any], None] | None = None,
) -> Setting:
    """Declare a setting. Declaring the same key twice is a programming error.

    Args:
        check: a further test of a value of the right type; raises SettingError.
    """
    if key in SETTINGS:
        raise SettingError(f"setting {key} is declared twice")
    setting = Setting(key, type_, default, description, minimum, maximum, choices, check, guard)
    setting.validate(default)
    SETTINGS[key] = setting
    return setting


def check_time_zone(value: str) -> str:
    """Refuse a value that is not an IANA time zone name (``Europe/Moscow``, ``UTC``)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SettingError(f"{TIME_ZONE}: {value!r} is not a time zone name such as "
                           "Europe/Moscow or UTC") from None
    return value


TIME_ZONE = "workspace.time_zone"
_R = register_setting
# -- the workspace: UTC by default, so that a time nobody chose is never shifted
# silently; every form that takes a time names the zone.
_R(TIME_ZONE, str, "UTC", "Time zone in which times are entered and shown (an IANA name "
   "such as Europe/Moscow); stored in UTC", check=check_time_zone)
# -- analytics: identifying key accounts (DOMAIN.md, "Identifying key accounts")
_R("analytics.period_months", int, 12, "Months in the analysis period (full months)",
   minimum=1, maximum=60)
_R("analytics.measure", str, "revenue", "Rank accounts by revenue or by margin",
   choices=("revenue", "margin"))
_R("analytics.key_share", float, 0.10, "Share of total at which an account is key",
   minimum=0, maximum=1)
_R("analytics.dependency_share", float, 0.20, "Share above which the company depends on one "
   "account", minimum=0, maximum=1)
_R("analytics.mono_client_share", float, 0.50, "Share at which one account is a mono-client "
   "risk", minimum=0, maximum=1)
_R("analytics.pareto_share", float, 0.80, "Cumulative share that defines the Pareto core",
   minimum=0, maximum=1)
_R("analytics.top_n", int, 20, "Accounts in the monthly key-account report", minimum=1,
   maximum=1000)
_R("analytics.top_n_months", int, 3, "Full months averaged by the key-account report",
   minimum=1, maximum=24)
_R("analytics.abc_a", float, 0.80, "Cumulative share of class A", minimum=0, maximum=1)
_R("analytics.abc_b", float, 0.95, "Cumulative share of classes A and B", minimum=0, maximum=1)
_R("analytics.xyz_x", float, 0.10, "Highest coefficient of variation of class X", minimum=0)
_R("analytics.xyz_y", float, 0.25, "Highest coefficient of variation of class Y", minimum=0)
_R("analytics.xyz_months", int, 12, "Months over which purchase regularity is measured",
   minimum=2, maximum=60)
_R("analytics.near_key_margin", float, 0.03, "Share below the key threshold that counts as "
   "near-key", minimum=0, maximum=1)
_R("analytics.near_key_growth", float, 0.25, "Growth (last half of the period against the first)"
   " that makes an account near-key", minimum=0)
_R("analytics.near_key_min_share", float, 0.01, "Smallest share of a fast-growing near-key "
   "account", minimum=0, maximum=1)
_R("analytics.near_key_fastest", int, 5, "Fastest-growing accounts listed as near-key",
   minimum=0, maximum=1000)
# -- analytics: monitoring key accounts
_R("analytics.decline_threshold", float, 0.10, "Revenue fall (last 3 months) that raises an "
   "alert", minimum=0, maximum=1)
_R("analytics.terms_review_months", int, 3, "Months after which trade terms are due for review",
   minimum=1, maximum=36)
_R("analytics.silence_days", int, 30, "Days without an interaction that raise an alert",
   minimum=1, maximum=365)
_R("analytics.receivable_grace_days", int, 0, "Days past due before a receivable is overdue",
   minimum=0, maximum=365)
# -- analytics: losing and winning back accounts
_R("analytics.churn_at_risk_factor", float, 2.0, "Silence, in multiples of the account's rhythm,"
   " that puts it at risk", minimum=1)
_R("analytics.churn_lost_factor", float, 4.0, "Silence, in multiples of the rhythm, after which "
   "the account is lost", minimum=1)
_R("analytics.churn_revenue_drop", float, 0.50, "Revenue fall (last 3 months against the 3 "
   "before) that puts an account at risk", minimum=0, maximum=1)
_R("analytics.churn_min_rhythm_days", int, 14, "Shortest rhythm assumed, so that daily buyers "
   "are not at risk after a weekend", minimum=1, maximum=365)
_R("analytics.churn_single_purchase_days", int, 90, "Rhythm assumed for an account with one "
   "purchase day", minimum=1, maximum=3650)
_R("analytics.churn_lookback_months", int, 36, "Months of history that define the rhythm",
   minimum=3, maximum=120)
del _R


# Domains that declare their own settings in a module of theirs; imported on
# first use so that every reader sees every setting, whatever was imported.
DOMAIN_SETTINGS = ("abm.segments.settings", "abm.campaigns.settings",
                   "abm.currencies.settings")


def declare_all() -> None:
    """Import the settings modules of every domain (cheap after the first call)."""
    for module in DOMAIN_SETTINGS:
        import_module(module)


def defaults() -> dict[str, Any]:
    """Every setting at its default value."""
    declare_all()
    return {key: s.default for key, s in SETTINGS.items()}


def get_settings(session: Session) -> dict[str, Any]:
    """Every setting: the defaults overlaid with this workspace's stored values.

    A stored value whose key is no longer declared, or that no longer passes
    validation (a limit changed), is ignored so that a rule always gets a
    usable value.
    """
    merged = defaults()
    for key, value in session.execute(select(WorkspaceSetting.key, WorkspaceSetting.value)):
        setting = SETTINGS.get(key)
        if setting is None:
            continue
        try:
            merged[key] = setting.validate(value)
        except SettingError:
            continue
    return merged


def set_settings(
    session: Session, values: Mapping[str, Any], *, user_id: int | None = None
) -> dict[str, Any]:
    """Validate and store several values at once; a value equal to the default is cleared.

    Every value that changes is written to the audit log as ``user_id``'s, with
    the value before and after (thresholds decide what needs approval, what is key...).

    Returns:
        The merged settings after the change.

    Raises:
        SettingError: an unknown key, an invalid value or a change a setting's guard
            refuses; nothing is stored then.
    """
    declare_all()
    checked = {}
    for key, value in values.items():
        setting = SETTINGS.get(key)
        if setting is None:
            raise SettingError(f"unknown setting {key}")
        checked[key] = setting.validate(value)
    before = get_settings(session)
    for key, value in checked.items():
        guard = SETTINGS[key].guard
        if guard is not None and value != before[key]:
            guard(session, before[key], value)
    for key, value in checked.items():
        if value != before[key]:
            audit.record(session, user_id, audit.SETTING_CHANGED, f"setting:{key}",
                         {"key": key, "old": before[key], "new": value})
        row = session.get(WorkspaceSetting, key)
        if value == SETTINGS[key].default:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            session.add(WorkspaceSetting(key=key, value=value, updated_by_id=user_id))
        else:
            row.value = value
            row.updated_by_id = user_id
    session.flush()
    return get_settings(session)


def reset_settings(session: Session, keys: list[str] | None = None, *,
                   user_id: int | None = None) -> None:
    """Return these settings (all when None) to their defaults, audit-logged like a change."""
    declare_all()
    stmt = select(WorkspaceSetting.key)
    if keys is not None:
        stmt = stmt.where(WorkspaceSetting.key.in_(keys))
    changed = [key for key in session.scalars(stmt) if key in SETTINGS]
    set_settings(session, {key: SETTINGS[key].default for key in changed}, user_id=user_id)
    stmt = delete(WorkspaceSetting)
    if keys is not None:
        stmt = stmt.where(WorkspaceSetting.key.in_(keys))
    session.execute(stmt)


def workspace_zone(session: Session) -> ZoneInfo:
    """The workspace time zone (:data:`TIME_ZONE`), read alone: pages ask for it on every load."""
    value = session.scalar(select(WorkspaceSetting.value).where(WorkspaceSetting.key == TIME_ZONE))
    try:
        return ZoneInfo(SETTINGS[TIME_ZONE].validate(value))
    except SettingError:  # unset, or a zone this machine's time zone data lacks
        return ZoneInfo(SETTINGS[TIME_ZONE].default)


def describe_settings(session: Session, prefix: str = "") -> list[dict]:
    """The settings under ``prefix`` as the settings page shows them.

    Returns:
        One dict per setting: key, type (name), value, default, description,
        minimum, maximum, choices and whether the value was changed.
    """
    current = get_settings(session)
    return [
        {"key": s.key, "type": s.type.__name__, "value": current[s.key], "default": s.default,
         "description": s.description, "minimum": s.minimum, "maximum": s.maximum,
         "choices": list(s.choices) if s.choices else None,
         "changed": current[s.key] != s.default}
        for s in SETTINGS.values()
        if s.key.startswith(prefix)
    ]
