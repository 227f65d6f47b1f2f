"""The analytics thresholds a user can change per workspace (DOMAIN.md, key accounts)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator

from abm.workspace.sections import N_, SettingsSection, refusal

# Codes of the usual causes of loss (DOMAIN.md), which pages name in the reader's language;
# a workspace may add its own reasons, shown as written.
DEFAULT_LOSS_REASONS = ("service_level, quality, deadlines, promises, opinion_ignored, price, "
                        "competitor, other")


class AnalyticsSettings(SettingsSection):
    """Identifying, monitoring, losing and winning back key accounts.

    Each refresh stores the values it used with its snapshot (keyed as stored,
    see :meth:`stored`), so that a snapshot explains itself after a change.
    """

    prefix: ClassVar[str] = "analytics"

    # -- identifying key accounts (DOMAIN.md, "Identifying key accounts")
    period_months: int = Field(default=12, ge=1, le=60, description=N_(
        "Months in the analysis period (full months)"))
    measure: Literal["revenue", "margin"] = Field(default="revenue", description=N_(
        "Rank accounts by revenue or by margin"))
    key_share: float = Field(default=0.10, ge=0, le=1, description=N_(
        "Share of total at which an account is key"))
    dependency_share: float = Field(default=0.20, ge=0, le=1, description=N_(
        "Share above which the company depends on one account"))
    mono_client_share: float = Field(default=0.50, ge=0, le=1, description=N_(
        "Share at which one account is a mono-client risk"))
    pareto_share: float = Field(default=0.80, ge=0, le=1, description=N_(
        "Cumulative share that defines the Pareto core"))
    top_n: int = Field(default=20, ge=1, le=1000, description=N_(
        "Accounts in the monthly key-account report"))
    top_n_months: int = Field(default=3, ge=1, le=24, description=N_(
        "Full months averaged by the key-account report"))
    abc_a: float = Field(default=0.80, ge=0, le=1, description=N_("Cumulative share of class A"))
    abc_b: float = Field(default=0.95, ge=0, le=1, description=N_(
        "Cumulative share of classes A and B"))
    xyz_x: float = Field(default=0.10, ge=0, description=N_(
        "Highest coefficient of variation of class X"))
    xyz_y: float = Field(default=0.25, ge=0, description=N_(
        "Highest coefficient of variation of class Y"))
    xyz_months: int = Field(default=12, ge=2, le=60, description=N_(
        "Months over which purchase regularity is measured"))
    near_key_margin: float = Field(default=0.03, ge=0, le=1, description=N_(
        "Share below the key threshold that counts as near-key"))
    near_key_growth: float = Field(default=0.25, ge=0, description=N_(
        "Growth (last half of the period against the first) that makes an account near-key"))
    near_key_min_share: float = Field(default=0.01, ge=0, le=1, description=N_(
        "Smallest share of a fast-growing near-key account"))
    near_key_fastest: int = Field(default=5, ge=0, le=1000, description=N_(
        "Fastest-growing accounts listed as near-key"))
    # -- monitoring key accounts
    decline_threshold: float = Field(default=0.10, ge=0, le=1, description=N_(
        "Revenue fall (last 3 months) that raises an alert"))
    terms_review_months: int = Field(default=3, ge=1, le=36, description=N_(
        "Months after which trade terms are due for review"))
    silence_days: int = Field(default=30, ge=1, le=365, description=N_(
        "Days without an interaction that raise an alert"))
    visit_days: int = Field(default=31, ge=1, le=365, description=N_(
        "Days without a personal visit (a visit or a meeting) that raise an alert on a key "
        "account"))
    competitor_silence_days: int = Field(default=60, ge=1, le=730, description=N_(
        "Days without an interaction that raise an alert on a prospect that is a "
        "competitor's key client"))
    receivable_grace_days: int = Field(default=0, ge=0, le=365, description=N_(
        "Days past due before a receivable is overdue"))
    # -- losing and winning back accounts
    churn_at_risk_factor: float = Field(default=2.0, ge=1, description=N_(
        "Silence, in multiples of the account's rhythm, that puts it at risk"))
    churn_lost_factor: float = Field(default=4.0, ge=1, description=N_(
        "Silence, in multiples of the rhythm, after which the account is lost"))
    churn_revenue_drop: float = Field(default=0.50, ge=0, le=1, description=N_(
        "Revenue fall (last 3 months against the 3 before) that puts an account at risk"))
    churn_min_rhythm_days: int = Field(default=14, ge=1, le=365, description=N_(
        "Shortest rhythm assumed, so that daily buyers are not at risk after a weekend"))
    churn_single_purchase_days: int = Field(default=90, ge=1, le=3650, description=N_(
        "Rhythm assumed for an account with one purchase day"))
    churn_lookback_months: int = Field(default=36, ge=3, le=120, description=N_(
        "Months of history that define the rhythm"))
    churn_signal_days: int = Field(default=90, ge=7, le=730, description=N_(
        "Days over which complaints, refusals and lost tenders count as churn signals"))
    churn_signal_count: int = Field(default=2, ge=1, le=100, description=N_(
        "Complaints, refusals and lost tenders in those days that put an account at risk"))
    loss_reasons: str = Field(default=DEFAULT_LOSS_REASONS, description=N_(
        "Reasons to choose from when an account is marked lost or won back, separated by "
        "commas"))

    @field_validator("loss_reasons")
    @classmethod
    def _some_reasons(cls, value: str) -> str:
        reasons = split_reasons(value)
        if not reasons:
            raise refusal("no_reasons", N_("name at least one reason"))
        if any(len(r) > 100 for r in reasons):
            raise refusal("reason_too_long", N_("a reason is longer than 100 characters"))
        return ", ".join(reasons)

    @property
    def loss_reason_list(self) -> list[str]:
        """The reasons, in the order the workspace gave them."""
        return split_reasons(self.loss_reasons)


def split_reasons(value: str) -> list[str]:
    """The distinct non-empty reasons of a comma-separated list, in order."""
    return list(dict.fromkeys(r.strip() for r in value.split(",") if r.strip()))
