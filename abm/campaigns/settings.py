"""The workspace settings campaigns and delivery read, declared with their defaults."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

DEFAULTS: dict[str, tuple[type, Any, str, float | None, float | None]] = {
    # key: (type, default, description, minimum, maximum)
    "campaigns.holdout_share": (float, 0.10, "Share of target accounts held out of a campaign "
                                "as the control group", 0, 0.9),
    "campaigns.cap_contact_max": (int, 3, "Most campaign messages a contact receives per cap "
                                  "window", 1, 1000),
    "campaigns.cap_account_max": (int, 10, "Most campaign messages an account's contacts "
                                  "receive together per cap window", 1, 100000),
    "campaigns.cap_window_days": (int, 7, "Days of the frequency-cap window", 1, 365),
    "campaigns.attribution_days": (int, 30, "Days after a send in which an order counts for "
                                   "the campaign", 1, 365),
    "campaigns.winback_window_days": (int, 90, "An account enters a win-back campaign at most "
                                      "once per this many days", 1, 3650),
    "campaigns.winback_p_alive": (float, 0.3, "Probability of being active under which a "
                                  "customer enters win-back", 0, 1),
    "campaigns.retry_max": (int, 5, "Attempts before a temporary SMTP failure is given up",
                            1, 50),
    "campaigns.retry_base_seconds": (float, 60.0, "First retry delay after a temporary SMTP "
                                     "failure; doubles each attempt", 0.01, 86400),
}
APPROVAL_THRESHOLD = "campaigns.discount_approval_threshold"

_registered = False
_has_table: dict[str, bool] = {}


def _register() -> None:
    global _registered
    if _registered:
        return
    _registered = True
    try:
        from abm.workspace.services import SETTINGS, register_setting
    except ImportError:  # pragma: no cover - the workspace package ships with abm
        return
    for key, (type_, default, description, minimum, maximum) in DEFAULTS.items():
        if key not in SETTINGS:
            register_setting(key, type_, default, description, minimum=minimum, maximum=maximum)


def campaign_settings(session: Session) -> dict[str, Any]:
    """The campaign settings of this workspace: defaults overlaid with the users' values."""
    _register()
    values = {key: spec[1] for key, spec in DEFAULTS.items()}
    values[APPROVAL_THRESHOLD] = 0.0
    url = str(session.get_bind().engine.url)
    if not _has_table.get(url):  # once present, the table stays
        _has_table[url] = inspect(session.connection()).has_table("workspace_settings")
    if _has_table[url]:
        from abm.workspace.services import get_settings

        stored = get_settings(session)
        values.update({k: v for k, v in stored.items() if k in values})
    return values


_register()
