"""The managers' approvals inbox: campaigns that need a decision before they may be scheduled.

Volume bonuses, individual terms and large discounts go out only after
management approval (DOMAIN.md); the decision, who made it and why are kept.
Each campaign shows what is at stake (see :mod:`abm.campaigns.stake`): who gets
the offer, what they buy, what it costs at their usual volume, what earlier
campaigns of its kind brought, and how much of the revenue its largest account is.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user

from abm.campaigns import approval
from abm.db import get_session
from abm.web.auth import role_required
from abm.web.composed import words
from abm.web.labels import label

bp = Blueprint("approvals", __name__, url_prefix="/approvals")


@bp.route("/")
@role_required("manager")
def index():
    # Imported here: the campaigns domain is optional to the rest of the web UI.
    from abm.campaigns.listing import campaign_detail, list_campaigns

    session = get_session()
    pending = [{**campaign_detail(session, c.id), **_stake(session, c.id)}
               for c in list_campaigns(session, status="pending_approval")]
    return render_template("approvals/index.html", pending=pending)


def _stake(session, campaign_id: int) -> dict:
    """{"stake": what the campaign puts at stake} or {"stake_error": why it cannot be told}."""
    from abm.campaigns.audiences import AudienceError, check_audience
    from abm.campaigns.services import get_campaign
    from abm.campaigns.stake import approval_stake
    from abm.web.audience_text import error_text

    campaign = get_campaign(session, campaign_id)
    try:
        check_audience(session, campaign.audience)  # one that no longer holds is said so
        return {"stake": approval_stake(session, campaign)}
    except AudienceError as exc:
        return {"stake": None, "stake_error": error_text(exc)}


@bp.route("/<int:campaign_id>", methods=["POST"])
@role_required("manager")
def decide(campaign_id: int):
    from abm.campaigns.services import CampaignError
    from abm.campaigns.services import decide as record_decision
    from abm.web.audience_text import error_text

    session = get_session()
    approve = request.form.get("decision") == "approve"
    try:
        record_decision(session, campaign_id, current_user.id, approve=approve,
                        reason=request.form.get("reason", "")[:1000])
    except CampaignError as exc:
        session.rollback()
        flash(_("Not recorded: %(why)s", why=error_text(exc)), "error")
    else:
        session.commit()
        flash(_("Approved.") if approve else _("Rejected."), "info")
    return redirect(url_for(".index"))


@bp.app_template_filter("points")
def points(value: float | None) -> str:
    """A percentage given in points (12.5) in the user's locale: "12.5%", "12,5 %"."""
    return "—" if value is None else format_percent(value / 100, "#,##0.##%")


@bp.app_template_global("approval_reason")
def approval_reason(reason: dict) -> str:
    """Why a campaign needs approval, in the user's language, from the rule's code and figures
    (see :mod:`abm.campaigns.approval`)."""
    return approval.worded(reason, words(), kind_name=lambda kind: label("campaign_kind", kind))
