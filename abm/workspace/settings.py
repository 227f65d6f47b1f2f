"""The workspace's own settings: the time zone in which people enter and read times."""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from abm.workspace.sections import N_, SettingsSection, refusal


class WorkspaceSettings(SettingsSection):
    """The workspace time zone: UTC by default, so that a time nobody chose is never
    shifted silently; every form that takes a time names the zone."""

    prefix: ClassVar[str] = "workspace"

    time_zone: str = Field(default="UTC", description=N_(
        "Time zone in which times are entered and shown (an IANA name such as "
        "Europe/Moscow); stored in UTC"))

    @field_validator("time_zone")
    @classmethod
    def _a_time_zone_name(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise refusal("not_time_zone", N_(
                "%(value)s is not a time zone name such as Europe/Moscow or UTC"),
                value=repr(value)) from None
        return value
