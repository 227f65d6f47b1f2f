"""Loyalty programmes: the programmes and their tiers, memberships on the account page, and the
tier changes the rule proposes, which a manager confirms."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms.validators import ValidationError

from abm.accounts.services import can_edit_account
from abm.db import get_session
from abm.loyalty.proposals import decide_proposal, pending_proposals
from abm.loyalty.services import (
    LoyaltyError,
    get_programme,
    programmes,
    save_programme,
    update_membership,
)
from abm.web.accounts import load_account
from abm.web.auth import current_actor, current_viewer, role_required
from abm.web.loyalty_forms import DecisionForm, MembershipForm, ProgrammeForm
from abm.workspace.wording import refusal_text

bp = Blueprint("loyalty", __name__, url_prefix="/loyalty")

READERS = ("manager", "marketing")
DECIDERS = ("manager",)


def _page(form: ProgrammeForm, status: int = 200, editing: int | None = None):
    session = get_session()
    return render_template("loyalty/index.html", programmes=programmes(session), form=form,
                           editing=editing, proposals=pending_proposals(session),
                           decision=DecisionForm()), status


@bp.route("/")
@role_required(*READERS)
def index():
    return _page(ProgrammeForm())


@bp.route("/programmes/<int:programme_id>")
@role_required(*DECIDERS)
def edit(programme_id: int):
    programme = get_programme(get_session(), programme_id)
    if programme is None:
        abort(404)
    tiers = "\n".join(t.name + (f": {t.min_revenue:g}" if t.min_revenue is not None else "")
                      for t in programme.tiers)
    form = ProgrammeForm(data={"name": programme.name, "description": programme.description,
                               "rule": programme.rule, "period_months": programme.period_months,
                               "tiers": tiers, "active": programme.active})
    return _page(form, editing=programme_id)


@bp.route("/programmes", methods=["POST"], defaults={"programme_id": None})
@bp.route("/programmes/<int:programme_id>", methods=["POST"])
@role_required(*DECIDERS)
def save(programme_id: int | None):
    form = ProgrammeForm()
    if not form.validate_on_submit():
        return _page(form, 422, programme_id)
    session = get_session()
    try:
        save_programme(session, current_actor(), name=form.name.data, rule=form.rule.data,
                       tiers=form.tier_inputs(), period_months=form.period_months.data,
                       description=form.description.data, active=form.active.data,
                       programme_id=programme_id)
    except (LoyaltyError, ValidationError) as exc:
        session.rollback()
        form.tiers.errors = [*form.tiers.errors, refusal_text(exc)]
        return _page(form, 422, programme_id)
    session.commit()
    flash(_("Programme saved."), "info")
    return redirect(url_for(".index"))


@bp.route("/proposals/<int:proposal_id>", methods=["POST"])
@role_required(*DECIDERS)
def decide(proposal_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    try:
        decide_proposal(session, current_actor(), proposal_id, form.decision.data == "confirm")
    except LoyaltyError as exc:
        session.rollback()
        flash(refusal_text(exc), "error")
    else:
        session.commit()
        flash(_("Tier change confirmed.") if form.decision.data == "confirm"
              else _("Tier change rejected."), "info")
    return redirect(url_for(".index") + "#proposals")


@bp.route("/accounts/<int:account_id>", methods=["POST"])
@role_required("manager", "marketing", "sales")
def membership(account_id: int):
    """Record an account's membership by hand: management, or the sales owner."""
    account = load_account(account_id)
    if not can_edit_account(account, current_viewer()):
        abort(403)
    form = MembershipForm()
    target = url_for("accounts.show", account_id=account.id) + "#loyalty"
    if not form.validate_on_submit():
        flash(_("The membership was not saved: check its fields."), "error")
        return redirect(target)
    session = get_session()
    try:
        update_membership(session, current_actor(), account.id, form.programme_id.data,
                          status=form.status.data, tier=form.tier.data or None)
    except LoyaltyError as exc:
        session.rollback()
        flash(refusal_text(exc), "error")
    else:
        session.commit()
        flash(_("Membership saved."), "info")
    return redirect(target)
