"""The campaign and delivery settings a user can change per workspace."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from abm.workspace.services import get_settings, register_setting

APPROVAL_THRESHOLD = "campaigns.discount_approval_threshold"

register_setting(APPROVAL_THRESHOLD, float, 0.0, "Discount (percent) above which an offer "
                 "needs management approval; 0 means every discount", minimum=0, maximum=100)
register_setting("campaigns.holdout_share", float, 0.10, "Share of target accounts held out of "
                 "a campaign as the control group", minimum=0, maximum=0.9)
register_setting("campaigns.cap_contact_max", int, 3, "Most campaign messages a contact "
                 "receives per cap window, across all campaigns", minimum=1, maximum=1000)
register_setting("campaigns.cap_account_max", int, 10, "Most campaign messages an account's "
                 "contacts receive together per cap window, across all campaigns", minimum=1,
                 maximum=100000)
register_setting("campaigns.cap_window_days", int, 7, "Days of the frequency-cap window",
                 minimum=1, maximum=365)
register_setting("campaigns.attribution_days", int, 30, "Days after a send in which an order "
                 "counts for the campaign", minimum=1, maximum=365)
register_setting("campaigns.winback_window_days", int, 90, "An account enters a win-back "
                 "campaign at most once per this many days", minimum=1, maximum=3650)
register_setting("campaigns.winback_p_alive", float, 0.3, "Probability of being active under "
                 "which a customer enters win-back", minimum=0, maximum=1)
register_setting("campaigns.sender_name", str, "", "Name that signs campaign messages to "
                 "accounts without an owner (KAM)")
register_setting("campaigns.signature", str, "", "Line under that name: company, telephone, "
                 "address")
register_setting("campaigns.website_url", str, "", "Website the default templates link to (a "
                 "tracked link) when the offer has no link of its own")
# Temporary SMTP failures: 2, 4, 8, 16 s inside the send job (which waits up to
# 30 s for a retry), then ever longer waits in later jobs, up to the longest delay.
register_setting("campaigns.retry_max", int, 15, "Attempts before a temporary SMTP failure is "
                 "given up", minimum=1, maximum=50)
register_setting("campaigns.retry_base_seconds", float, 2.0, "First retry delay after a "
                 "temporary SMTP failure; doubles each attempt", minimum=0.01, maximum=86400)
register_setting("campaigns.retry_max_delay_seconds", float, 3600.0, "Longest delay between two "
                 "attempts of a temporary SMTP failure", minimum=0.01, maximum=7 * 86400)


def campaign_settings(session: Session) -> dict[str, Any]:
    """The campaign settings of this workspace: defaults overlaid with the users' values."""
    return {k: v for k, v in get_settings(session).items() if k.startswith("campaigns.")}
