"""The managers' approvals inbox: campaigns that need a decision before they may be scheduled.

Volume bonuses, individual terms and large discounts go out only after
management approval (DOMAIN.md); the decision, who made it and why are kept.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from abm.db import get_session
from abm.web.auth import role_required

bp = Blueprint("approvals", __name__, url_prefix="/approvals")


@bp.route("/")
@role_required("manager")
def index():
    # Imported here: the campaigns domain is optional to the rest of the web UI.
    from abm.campaigns.listing import campaign_detail, list_campaigns

    session = get_session()
    pending = [campaign_detail(session, c["id"])
               for c in list_campaigns(session, status="pending_approval")]
    return render_template("approvals/index.html", pending=pending)


@bp.route("/<int:campaign_id>", methods=["POST"])
@role_required("manager")
def decide(campaign_id: int):
    from abm.campaigns.services import CampaignError
    from abm.campaigns.services import decide as record_decision

    session = get_session()
    approve = request.form.get("decision") == "approve"
    try:
        record_decision(session, campaign_id, current_user.id, approve=approve,
                        reason=request.form.get("reason", "")[:1000])
    except CampaignError as exc:
        session.rollback()
        flash(_("Not recorded: %(why)s", why=str(exc)), "error")
    else:
        session.commit()
        flash(_("Approved.") if approve else _("Rejected."), "info")
    return redirect(url_for(".index"))
