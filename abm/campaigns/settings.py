"""The campaign and delivery settings a user can change per workspace."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from abm.workspace.sections import N_, SettingsSection


class CampaignSettings(SettingsSection):
    """Approval, control groups, frequency caps, attribution, win-back, the sender's
    signature and the retries of temporary SMTP failures."""

    prefix: ClassVar[str] = "campaigns"

    discount_approval_threshold: float = Field(default=0.0, ge=0, le=100, description=N_(
        "Discount (percent) above which an offer needs management approval; 0 means every "
        "discount"))
    holdout_share: float = Field(default=0.10, ge=0, le=0.9, description=N_(
        "Share of target accounts held out of a campaign as the control group"))
    cap_contact_max: int = Field(default=3, ge=1, le=1000, description=N_(
        "Most campaign messages a contact receives per cap window, across all campaigns"))
    cap_account_max: int = Field(default=10, ge=1, le=100000, description=N_(
        "Most campaign messages an account's contacts receive together per cap window, "
        "across all campaigns"))
    cap_window_days: int = Field(default=7, ge=1, le=365, description=N_(
        "Days of the frequency-cap window"))
    attribution_days: int = Field(default=30, ge=1, le=365, description=N_(
        "Days after a send in which an order counts for the campaign"))
    winback_window_days: int = Field(default=90, ge=1, le=3650, description=N_(
        "An account enters a win-back campaign at most once per this many days"))
    winback_p_alive: float = Field(default=0.3, ge=0, le=1, description=N_(
        "Probability of being active under which a customer enters win-back"))
    sender_name: str = Field(default="", description=N_(
        "Name that signs campaign messages to accounts without an owner (KAM)"))
    signature: str = Field(default="", description=N_(
        "Line under that name: company, telephone, address"))
    website_url: str = Field(default="", description=N_(
        "Website the default templates link to (a tracked link) when the offer has no link "
        "of its own"))
    # Temporary SMTP failures: 2, 4, 8, 16 s inside the send job (which waits up to
    # 30 s for a retry), then ever longer waits in later jobs, up to the longest delay.
    retry_max: int = Field(default=15, ge=1, le=50, description=N_(
        "Attempts before a temporary SMTP failure is given up"))
    retry_base_seconds: float = Field(default=2.0, ge=0.01, le=86400, description=N_(
        "First retry delay after a temporary SMTP failure; doubles each attempt"))
    retry_max_delay_seconds: float = Field(default=3600.0, ge=0.01, le=7 * 86400, description=N_(
        "Longest delay between two attempts of a temporary SMTP failure"))
