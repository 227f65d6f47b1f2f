"""The account as a market of its own: editing its plan (objectives, terms offered, notes and
the campaigns aimed at it). The plan and the campaign history show on the account page.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from abm.campaigns.listing import list_campaigns
from abm.campaigns.plans import can_edit_plan, link_campaign, read_plan, update_plan
from abm.campaigns.services import CampaignError
from abm.db import get_session
from abm.web.accounts import load_account
from abm.web.audience_text import error_text
from abm.web.auth import current_viewer, role_required
from abm.web.campaign_forms import PlanForm, iso_date

bp = Blueprint("account_work", __name__, url_prefix="/accounts")

PLAN_ROLES = ("manager", "marketing", "sales")  # sales: only the accounts they own
LINKABLE = 100  # campaigns offered to aim at an account, newest first


def editable_account(account_id: int):
    account = load_account(account_id)
    if not can_edit_plan(account, current_viewer()):
        abort(403)
    return account


@bp.route("/<int:account_id>/plan", methods=["GET", "POST"])
@role_required(*PLAN_ROLES)
def plan(account_id: int):
    session = get_session()
    account = editable_account(account_id)
    stored = read_plan(session, account.id)
    form = PlanForm(data=None if request.method == "POST" else {
        "objectives": stored["objectives"], "notes": stored["notes"],
        "terms": [{**t, "valid_until": iso_date(t.get("valid_until"))} for t in stored["terms"]]})
    if not form.is_submitted():
        form.terms.append_entry()  # a blank row for a new term
    if form.validate_on_submit():
        update_plan(session, account.id, objectives=form.objectives.data or "",
                    notes=form.notes.data or "", terms=form.terms_data(), user_id=current_user.id)
        session.commit()
        flash(_("Plan saved."), "info")
        return redirect(url_for("accounts.show", account_id=account.id) + "#plan")
    campaigns = [] if current_user.role.value == "sales" else list_campaigns(session,
                                                                             limit=LINKABLE)
    return render_template("accounts/plan.html", account=account, form=form, plan=stored,
                           campaigns=campaigns), 422 if form.is_submitted() else 200


@bp.route("/<int:account_id>/plan/campaigns", methods=["POST"])
@role_required("manager", "marketing")
def aim_campaign(account_id: int):
    session = get_session()
    account = editable_account(account_id)
    campaign_id = request.form.get("campaign_id", "")
    try:
        link_campaign(session, account.id, int(campaign_id) if campaign_id.isdigit() else 0)
    except CampaignError as exc:
        session.rollback()
        flash(_("Not done: %(why)s", why=error_text(exc)), "error")
    else:
        session.commit()
        flash(_("The campaign is aimed at this account."), "info")
    return redirect(url_for(".plan", account_id=account.id))
