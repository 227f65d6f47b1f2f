"""The segmentation and potential settings a user can change per workspace."""

from __future__ import annotations

from sqlalchemy.orm import Session

from abm.workspace.services import get_settings, register_setting

register_setting("segmentation.k_min", int, 4, "Fewest segments tried when k is chosen by "
                 "silhouette", minimum=2, maximum=20)
register_setting("segmentation.k_max", int, 8, "Most segments tried when k is chosen by "
                 "silhouette", minimum=2, maximum=20)
register_setting("segmentation.match_distance", float, 1.0, "How far a segment's centre may "
                 "move (in standard deviations) and keep its id and name", minimum=0)
register_setting("potential.unit", str, "weeks", "Time unit of the purchase model",
                 choices=("days", "weeks"))
register_setting("potential.horizon_months", int, 12, "Months of expected purchases and "
                 "customer value", minimum=1, maximum=60)


def segmentation_settings(session: Session) -> dict:
    """The workspace's segmentation and potential settings, keyed without their prefix."""
    values = get_settings(session)
    low, high = values["segmentation.k_min"], values["segmentation.k_max"]
    return {
        "k_range": (min(low, high), max(low, high)),
        "max_distance": values["segmentation.match_distance"],
        "unit": values["potential.unit"],
        "horizon_months": values["potential.horizon_months"],
    }
