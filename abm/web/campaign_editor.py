"""The campaign editors: the audience picker with live counts and the template editor with a
live preview for any account.

Both pages work without a script (their buttons post the whole form); a small
local script (static/campaigns.js) asks the JSON endpoints for counts and
previews while the user types. Errors of a rule or of a template are answered
as messages, never as a server error.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from abm.accounts.models import ContactRole
from abm.accounts.settings import ContactSettings
from abm.campaigns.audience_form import (
    audience_from_form,
    audience_to_form,
    countries_in_data,
    editor_fields,
    resolve_accounts,
    value_kind,
)
from abm.campaigns.audiences import FIELDS, describe_fields, preview_audience
from abm.campaigns.greeting_dates import list_dates
from abm.campaigns.models import CampaignKind
from abm.campaigns.occasions import holiday_choices
from abm.campaigns.rendering import MAX_SUBJECT, SubjectTooLong
from abm.campaigns.services import (
    EDITABLE,
    LANGUAGES,
    default_template,
    preview_message,
    save_template,
    update_campaign,
)
from abm.db import get_session
from abm.web import labels
from abm.web.audience_text import editor_options, error_text
from abm.web.auth import role_required
from abm.web.campaign_forms import TemplateForm
from abm.web.campaigns import EDITORS, USER_ERRORS, carried_out, load_campaign
from abm.web.previews import keep_preview
from abm.workspace.services import settings_of

bp = Blueprint("campaign_editor", __name__, url_prefix="/campaigns")


def subject_too_long(exc: SubjectTooLong) -> str:
    return _("The subject is %(n)s characters long with the sample data; at most %(max)s are "
             "allowed, as mail programs and servers cut longer ones.", n=exc.length,
             max=MAX_SUBJECT)


def audience_input() -> dict:
    """The audience editor's fields from the posted form, as ``audience_from_form`` takes them:
    text for open fields, the options picked for fields with a closed set."""
    form = request.form

    def value(name: str):
        if value_kind(FIELDS[name]) == "choice":
            return form.getlist(f"value-{name}")
        return form.get(f"value-{name}", "")

    rules = {f["name"]: (form.get(f"op-{f['name']}", ""), value(f["name"]))
             for f in describe_fields()}
    occasion = None
    if form.get("occasion-shown"):  # a greeting: its holidays, countries, dates, gender
        occasion = {"holidays": (["*"] if form.get("occasion-every") else [])
                    + form.getlist("occasion-holidays"),
                    "countries": form.getlist("occasion-countries"),
                    "dates": [int(d) for d in form.getlist("occasion-dates") if d.isdigit()],
                    "gender": form.get("occasion-gender") or None}
    return {"match": form.get("match", "all"), "rules": rules, "picked": form.get("picked", ""),
            "roles": form.getlist("roles"), "reachable_only": form.get("reachable_only") == "on",
            "occasion": occasion}


@bp.route("/<int:campaign_id>/audience", methods=["GET", "POST"])
@role_required(*EDITORS)
def audience(campaign_id: int):
    """The audience editor. A stored audience that no longer holds (its segment has gone,
    say) is shown with what is wrong, for the user to mend."""
    session = get_session()
    campaign = load_campaign(campaign_id)
    error, status, counts = None, 200, None
    if request.method == "POST":
        values = audience_input()
        try:
            chosen = audience_from_form(session, **values)
            update_campaign(session, campaign_id, audience=chosen, user_id=current_user.id)
        except USER_ERRORS as exc:
            session.rollback()
            error, status = error_text(exc), 422
        else:
            session.commit()
            flash(_("Audience saved."), "info")
            return redirect(url_for("campaigns.show", campaign_id=campaign_id))
    else:
        values = audience_to_form(session, campaign.audience)
        try:
            counts = preview_audience(session, campaign.audience or {}, sample=10)
        except USER_ERRORS as exc:
            error = error_text(exc)
    fields = editor_fields(session)
    in_data = countries_in_data(session)
    options = {f["name"]: editor_options(f, in_data) for f in fields if f["options"] is not None}
    return render_template("campaigns/pages/audience.html", c=campaign, values=values,
                           fields=fields, options=options, roles=[r.value for r in ContactRole],
                           counts=counts, error=error, occasions=occasion_choices(campaign,
                                                                                  in_data),
                           editable=campaign.status in EDITABLE), status


def occasion_choices(campaign, countries: list[str]) -> dict | None:
    """What a greeting's audience chooses its occasion from; None for other kinds."""
    if campaign.kind != CampaignKind.GREETING:
        return None
    session = get_session()
    return {"holidays": holiday_choices(countries, date.today().year), "countries": countries,
            "dates": list_dates(session),
            "by_gender": settings_of(session, ContactSettings).greetings_by_gender}


@bp.route("/<int:campaign_id>/audience/count", methods=["POST"])
@role_required(*EDITORS)
def audience_count(campaign_id: int):
    """Live counts of the audience being edited (nothing is saved)."""
    session = get_session()
    load_campaign(campaign_id)
    try:
        counts = preview_audience(session, audience_from_form(session, **audience_input()),
                                  sample=10)
    except USER_ERRORS as exc:
        session.rollback()
        return jsonify(error=error_text(exc))
    return jsonify(counts)


def preview_target(campaign) -> tuple[int | None, list[dict]]:
    """The account to preview (asked for, or the first of the audience) and the choices."""
    session = get_session()
    sample = preview_audience(session, campaign.audience or {}, sample=10)["sample"]
    ref = request.values.get("account", "").strip()
    if ref:
        return resolve_accounts(session, ref)[0], sample
    return (sample[0]["id"] if sample else None), sample


@bp.route("/<int:campaign_id>/template", methods=["GET", "POST"])
@role_required(*EDITORS)
def template(campaign_id: int):
    session = get_session()
    campaign = load_campaign(campaign_id)
    lang = request.values.get("lang", campaign.default_language)
    if lang not in LANGUAGES:
        lang = LANGUAGES[0]
    stored = next((t for t in campaign.templates if t.language == lang), None)
    form = TemplateForm(obj=stored)
    sample: list[dict] = []
    preview, status = None, 200
    try:
        account_id, sample = preview_target(campaign)
    except USER_ERRORS as exc:
        account_id, preview = None, {"error": error_text(exc)}
    saving = request.form.get("action") == "save"
    if saving and frozen(campaign):
        return redirect(url_for("campaigns.show", campaign_id=campaign_id))
    if saving and form.validate_on_submit():
        try:
            save_template(session, campaign_id, lang, form.subject.data, form.html.data,
                          form.text.data, user_id=current_user.id)
        except SubjectTooLong as exc:
            session.rollback()
            form.subject.errors = [subject_too_long(exc)]
            status = 422
        except USER_ERRORS as exc:
            session.rollback()
            form.html.errors = [error_text(exc)]
            status = 422
        else:
            session.commit()
            flash(_("Template saved."), "info")
            return redirect(url_for(".template", campaign_id=campaign_id, lang=lang))
    elif form.is_submitted() and form.errors:
        status = 422
    if account_id is not None and preview is None:
        preview = draft_preview(campaign_id, account_id, lang, form)
    return render_template("campaigns/pages/template.html", c=campaign, form=form, lang=lang,
                           languages=LANGUAGES, preview=preview, sample=sample,
                           account_ref=request.values.get("account", ""),
                           editable=campaign.status in EDITABLE), status


def frozen(campaign) -> bool:
    """Whether the campaign is past editing (then the user is told so)."""
    if campaign.status in EDITABLE:
        return False
    flash(_("A %(status)s campaign cannot be edited.", status=campaign.status.value), "error")
    return True


def draft_preview(campaign_id: int, account_id: int, lang: str, form: TemplateForm) -> dict:
    """The message of the template as edited (saved or not) for one account, or its error."""
    draft = {"subject": form.subject.data or "", "html": form.html.data or "",
             "text": form.text.data or ""}
    try:
        message = preview_message(get_session(), campaign_id, account_id, language=lang,
                                  draft=draft)
    except USER_ERRORS as exc:
        return {"error": error_text(exc)}
    return {**message, "frame_url": keep_preview(message["html"])}


@bp.route("/<int:campaign_id>/template/preview", methods=["POST"])
@role_required(*EDITORS)
def template_preview(campaign_id: int):
    """Live preview of the template being edited, as JSON: subject, html, text or error."""
    campaign = load_campaign(campaign_id)
    lang = request.form.get("lang", campaign.default_language)
    if lang not in LANGUAGES:
        return jsonify(error=_("Unknown language."))
    try:
        account_id, _sample = preview_target(campaign)
    except USER_ERRORS as exc:
        return jsonify(error=error_text(exc))
    if account_id is None:
        return jsonify(error=_("The audience has no account to preview yet: name one."))
    return jsonify(draft_preview(campaign_id, account_id, lang, TemplateForm()))


@bp.route("/<int:campaign_id>/template/reset", methods=["POST"])
@role_required(*EDITORS)
def reset_template(campaign_id: int):
    """Replace the edited copy of one language with the shipped default of the kind."""
    campaign = load_campaign(campaign_id)
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES or frozen(campaign):
        return redirect(url_for(".template", campaign_id=campaign_id))
    carried_out(campaign_id, save_template, _("The default template is back."), language=lang,
                **default_template(campaign.kind.value, lang), user_id=current_user.id)
    return redirect(url_for(".template", campaign_id=campaign_id, lang=lang))


@bp.app_template_global("audience_field_label")
def audience_field_label(field: dict) -> str:
    """The translated name of a rule field (a field added later shows its own description)."""
    return str(labels.LABELS["audience_field"].get(field["name"], field["description"]))
