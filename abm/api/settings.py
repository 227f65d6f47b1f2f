"""Workspace settings: read and changed by admins, through the one validated, audited path."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from abm.api.core import ApiError, current_user, operation
from abm.api.schemas import ErrorDetail, Input, Output
from abm.db import get_session
from abm.settings.services import describe_settings, set_settings
from abm.workspace.sections import SettingError


class SettingOut(Output):
    key: str
    group: str
    type: str
    value: Any
    default: Any
    changed: bool
    description: str
    minimum: float | None
    maximum: float | None
    choices: list[str] | None


class Settings(Output):
    items: list[SettingOut]


class SettingsChange(Input):
    values: dict[str, Any] = Field(max_length=200, description=(
        "New values keyed as stored (``analytics.key_share``); a value equal to the default "
        "returns the setting to it. All are checked before any is stored."))


def _all() -> Settings:
    return Settings(items=[SettingOut.model_validate(s) for s in describe_settings(get_session())])


@operation("GET", "/settings", summary="Workspace settings", tag="settings", roles={"admin"},
           response=Settings)
def settings() -> Settings:
    return _all()


@operation("PATCH", "/settings", summary="Change workspace settings", tag="settings",
           roles={"admin"}, body=SettingsChange, response=Settings, errors=(422,))
def change_settings(body: SettingsChange) -> Settings:
    try:
        set_settings(get_session(), body.values, user_id=current_user().id)
    except SettingError as exc:
        raise ApiError(422, "a setting was refused; nothing was changed",
                       [ErrorDetail(field=exc.key, message=str(exc))]) from None
    return _all()
