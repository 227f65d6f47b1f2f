"""Editing an account's dossier, categories, three-P qualification, owner and tenders."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from abm.accounts import work
from abm.accounts.services import (
    ACCOUNT_FIELDS,
    NotAllowed,
    UnknownOwner,
    can_reassign_account,
    update_account,
)
from abm.analytics.jobs import start_refresh
from abm.db import get_session
from abm.users.services import list_users
from abm.web import labels
from abm.web.accounts import load_editable_account
from abm.web.auth import current_viewer, role_required
from abm.web.forms import DossierForm, TenderForm, options

bp = Blueprint("dossier", __name__, url_prefix="/accounts")


@bp.route("/<int:account_id>/edit", methods=["GET", "POST"])
@role_required("manager", "sales")
def edit(account_id: int):
    session = get_session()
    viewer = current_viewer()
    account = load_editable_account(account_id)
    form = DossierForm(obj=account)
    form.categories.choices = options(labels.choices("category"))
    reassign = can_reassign_account(viewer)
    if reassign:
        form.owner_id.choices = options([("", _("Nobody"))] + [
            (str(u.id), u.name) for u in list_users(session, active_only=True)
        ])
    else:
        del form.owner_id
    if not form.is_submitted():
        form.categories.data = account.category_names
    if form.validate_on_submit():
        values = {field.name: field.data for field in form
                  if field.name in ACCOUNT_FIELDS or field.name in ("categories", "owner_id")}
        try:
            saved = update_account(session, viewer, account, values)
        except (NotAllowed, UnknownOwner):
            abort(403)  # the form offers neither: someone forged it
        session.commit()
        if saved.figures_stale:
            start_refresh(user_id=viewer.user_id)
        flash(_("Saved."), "info")
        return redirect(url_for("accounts.show", account_id=account.id))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/edit.html", account=account, form=form), status


@bp.route("/<int:account_id>/tenders/new", methods=["GET", "POST"], defaults={"tender_id": None})
@bp.route("/<int:account_id>/tenders/<int:tender_id>", methods=["GET", "POST"])
@role_required("manager", "sales")
def tender(account_id: int, tender_id: int | None):
    """Record a tender of the account (won, lost and why), or edit one."""
    session = get_session()
    account = load_editable_account(account_id)
    found = None
    if tender_id is not None:
        found = work.get_tender(session, account.id, tender_id)
        if found is None:
            abort(404)
    form = TenderForm(obj=found)
    form.outcome.choices = options(labels.choices("tender_outcome"))
    if form.validate_on_submit():
        values = {name: form[name].data for name in work.TENDER_FIELDS}
        values["amount"] = None if values["amount"] is None else float(values["amount"])
        if request.form.get("action") == "delete" and found is not None:
            work.delete_tender(session, found)
            flash(_("Tender deleted."), "info")
        else:
            work.save_tender(session, account, values, found)
            flash(_("Saved."), "info")
        session.commit()
        return redirect(url_for("accounts.show", account_id=account.id) + "#dossier")
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/tender.html", account=account, form=form,
                           tender=found), status
