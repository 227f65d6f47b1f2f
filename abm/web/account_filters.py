"""Filters and panels that come from other domains (analytics, segmentation).

Each is looked up guardedly: when the domain is not installed yet, or has no
data, the accounts pages work without it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy import Select
from sqlalchemy.orm import Session

from abm.accounts import insights
from abm.web.labels import label

log = logging.getLogger(__name__)


def ids_for(session: Session, args: Mapping[str, str]) -> Select | None:
    """A SELECT of the account ids that the domain filters in ``args`` allow (None: no filter).

    Several filters intersect.
    """
    selects = []
    if args.get("cell"):
        selects.append(insights.account_ids_in_cell(args["cell"].upper()))
    if args.get("flag"):
        selects.append(insights.account_ids_with_flag(args["flag"]))
    if args.get("churn"):
        selects.append(insights.account_ids_in_churn_state(args["churn"]))
    if args.get("segment", "").isdigit():
        selects.append(insights.account_ids_in_segment(int(args["segment"])))
    selects = [s for s in selects if s is not None]
    if not selects:
        return None
    combined = selects[0]
    for other in selects[1:]:
        combined = combined.where(combined.selected_columns[0].in_(other))
    return combined


def choices(session: Session, args: Mapping[str, str]) -> list[dict]:
    """The extra filter fields to offer: ``{"name", "label", "options": [(value, label)]}``."""
    from flask_babel import gettext as _

    fields = []
    segments = insights.latest_segment_choices(session)
    if segments:
        fields.append({"name": "segment", "label": _("Segment"),
                       "options": [(str(i), name) for i, name in segments]})
    if not insights.available():
        return fields
    return fields + [
        {"name": "cell", "label": _("ABC-XYZ cell"),
         "options": [(c, c) for c in insights.CELLS]},
        {"name": "flag", "label": _("Flag"),
         "options": [(f, label("flag", f)) for f in insights.FLAGS]},
        {"name": "churn", "label": _("Churn"),
         "options": [(s, label("churn", s)) for s in insights.CHURN_STATES]},
    ]


def account_panels(session: Session, account_id: int) -> dict:
    """What other domains know about one account, by panel name (empty when nothing)."""
    panels = {}
    if insights.available():
        try:
            from abm.analytics.account_analytics import account_analytics

            panels["analytics"] = account_analytics(session, account_id)
        except Exception:  # noqa: BLE001 - one failing domain must not hide the account
            log.exception("analytics panel of account %s failed", account_id)
    if insights.segments_available():
        try:
            from abm.segments.reads import account_potential, account_segment

            panels["segment"] = account_segment(session, account_id)
            panels["potential"] = account_potential(session, account_id)
        except Exception:  # noqa: BLE001 - one failing domain must not hide the account
            log.exception("segment panel of account %s failed", account_id)
    return panels
