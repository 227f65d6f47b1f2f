"""The segmentation and potential settings a user can change per workspace."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from abm.workspace.sections import N_, SettingsSection


class SegmentationSettings(SettingsSection):
    """How segments are found (k chosen by silhouette) and kept from one run to the next."""

    prefix: ClassVar[str] = "segmentation"

    k_min: int = Field(default=4, ge=2, le=20, description=N_(
        "Fewest segments tried when k is chosen by silhouette"))
    k_max: int = Field(default=8, ge=2, le=20, description=N_(
        "Most segments tried when k is chosen by silhouette"))
    match_distance: float = Field(default=1.0, ge=0, description=N_(
        "How far a segment's centre may move (in standard deviations) and keep its id and "
        "name"))

    @property
    def k_range(self) -> tuple[int, int]:
        """The numbers of segments tried, lowest first (the two limits in either order)."""
        return min(self.k_min, self.k_max), max(self.k_min, self.k_max)


class PotentialSettings(SettingsSection):
    """The purchase model (BG/NBD) and customer value (Gamma-Gamma) of each account."""

    prefix: ClassVar[str] = "potential"

    unit: Literal["days", "weeks"] = Field(default="weeks", description=N_(
        "Time unit of the purchase model"))
    horizon_months: int = Field(default=12, ge=1, le=60, description=N_(
        "Months of expected purchases"))
    clv_months: int = Field(default=36, ge=1, le=120, description=N_(
        "Months over which customer lifetime value is counted"))
    discount_rate: float = Field(default=0.10, ge=0, le=1, description=N_(
        "Yearly rate customer lifetime value is discounted at"))

    def fit_options(self) -> dict[str, Any]:
        """The keyword arguments of a potential fit made with these settings."""
        return {"unit": self.unit, "horizon_months": self.horizon_months,
                "clv_months": self.clv_months, "discount_rate": self.discount_rate}
