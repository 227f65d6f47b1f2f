"""Filters and panels of the accounts pages that come from analytics and segments.

Each domain's panel is read guardedly: when it fails, or has no data yet, the
account's page shows without it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from abm.analytics import reads as analytics
from abm.analytics.account_analytics import account_analytics
from abm.analytics.losses import account_marks
from abm.loyalty import services as loyalty
from abm.loyalty.proposals import pending_proposals
from abm.sales.reads import order_rhythm
from abm.segments import reads as segments
from abm.web.labels import label
from abm.web.potential_panel import potential_figures

log = logging.getLogger(__name__)
LOYALTY_STATES = ("member", "invited", "left")


def ids_for(session: Session, args: Mapping[str, str]) -> Select | None:
    """A SELECT of the account ids that the domain filters in ``args`` allow (None: no filter).

    Several filters intersect.
    """
    asked: list[Select | None] = []
    if args.get("cell"):
        asked.append(analytics.account_ids_in_cell(args["cell"].upper()))
    if args.get("flag"):
        asked.append(analytics.account_ids_with_flag(args["flag"]))
    if args.get("churn"):
        asked.append(analytics.account_ids_in_churn_state(args["churn"]))
    if args.get("loyalty") in LOYALTY_STATES:
        asked.append(loyalty.account_ids_with_status(args["loyalty"]))
    if args.get("segment", "").isdigit():
        asked.append(segments.account_ids_in_segment(int(args["segment"])))
    selects = [s for s in asked if s is not None]
    if not selects:
        return None
    combined = selects[0]
    for other in selects[1:]:
        combined = combined.where(combined.selected_columns[0].in_(other))
    return combined


def choices(session: Session, args: Mapping[str, str]) -> list[dict]:
    """The extra filter fields to offer: ``{"name", "label", "options": [(value, label)]}``."""
    from flask_babel import gettext as _

    from abm.segments.wording import segment_name

    fields = []
    latest = segments.latest_segment_choices(session)
    if latest:
        fields.append({"name": "segment", "label": _("Segment"),
                       "options": [(str(i), segment_name(name)) for i, name in latest]})
    return fields + [
        {"name": "cell", "label": _("ABC-XYZ cell"),
         "options": [(c, c) for c in analytics.CELLS]},
        {"name": "flag", "label": _("Flag"),
         "options": [(f, label("flag", f)) for f in analytics.FLAGS]},
        {"name": "churn", "label": _("Churn"),
         "options": [(s, label("churn", s)) for s in analytics.CHURN_STATES]},
        {"name": "loyalty", "label": _("Loyalty programme"),
         "options": [(s, label("loyalty_status", s)) for s in LOYALTY_STATES]},
        {"name": "competitor", "label": _("Competitors"),
         "options": [("worked", _("Prospects worked by a competitor")),
                     ("key_client", _("Competitors' key clients"))]},
    ]


def account_panels(session: Session, account_id: int) -> dict[str, Any]:
    """What other domains know about one account, by panel name (empty when nothing)."""
    panels: dict[str, Any] = {}
    try:
        panels["analytics"] = account_analytics(session, account_id)
    except Exception:  # noqa: BLE001 - one failing domain must not hide the account
        log.exception("analytics panel of account %s failed", account_id)
    try:
        panels["loyalty"] = {"memberships": loyalty.memberships(session, account_id),
                             "programmes": loyalty.programmes(session),
                             "proposals": pending_proposals(session, account_id)}
    except Exception:  # noqa: BLE001 - one failing domain must not hide the account
        log.exception("loyalty panel of account %s failed", account_id)
    try:
        panels["losses"] = account_marks(session, account_id)
    except Exception:  # noqa: BLE001 - one failing domain must not hide the account
        log.exception("losses panel of account %s failed", account_id)
    try:
        panels["segment"] = segments.account_segment(session, account_id)
        panels["potential"] = segments.account_potential(session, account_id)
        panels["figures"] = potential_figures(panels["potential"],
                                              order_rhythm(session, account_id),
                                              panels["segment"])
    except Exception:  # noqa: BLE001 - one failing domain must not hide the account
        log.exception("segment panel of account %s failed", account_id)
    return panels
