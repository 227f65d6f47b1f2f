"""The campaigns area: the list, a new campaign, its page (offer, approval, schedule, progress)
and its results. The audience and template editors live in :mod:`abm.web.campaign_editor`.

Marketing creates and edits campaigns; managers approve them (in the approvals
inbox) and may schedule them; both read them. Sending runs in a worker: the
campaign page shows the outbox filling up and refreshes itself while it sends.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from babel.dates import get_day_names
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from abm.campaigns import services
from abm.campaigns.audience_form import resolve_accounts
from abm.campaigns.audiences import AudienceError
from abm.campaigns.calendar import campaign_calendar, parse_month
from abm.campaigns.jobs import campaign_queue
from abm.campaigns.listing import campaign_detail, list_campaigns
from abm.campaigns.models import CampaignKind, CampaignStatus
from abm.campaigns.offers import offer_dict
from abm.campaigns.outcomes import delivery_progress
from abm.campaigns.rendering import RenderError
from abm.campaigns.results import campaign_results
from abm.campaigns.services import (
    EDITABLE,
    CampaignError,
    cancel_campaign,
    create_campaign,
    get_campaign,
    preview_campaign,
    preview_message,
    request_approval,
    update_campaign,
)
from abm.campaigns.unsent import unsent_rows, unsent_summary
from abm.db import get_session, utcnow
from abm.delivery.models import OutboxState
from abm.loyalty.services import programmes
from abm.web import labels
from abm.web.audience_text import error_text
from abm.web.auth import role_required
from abm.web.campaign_forms import (
    NewCampaignForm,
    OfferForm,
    ScheduleForm,
    SendWindowForm,
    iso_date,
)
from abm.web.csv_export import csv_response
from abm.web.forms import options
from abm.web.i18n import moment
from abm.web.previews import keep_preview

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")

READERS = ("manager", "marketing")  # admins always pass role_required
EDITORS = ("marketing",)
SCHEDULERS = ("manager", "marketing")
USER_ERRORS = (CampaignError, AudienceError, RenderError)
LIVE = ("scheduled", "sending")


def load_campaign(campaign_id: int):
    try:
        return get_campaign(get_session(), campaign_id)
    except CampaignError:
        abort(404)


def refused(exc: Exception) -> None:
    """Undo what the failed service call did and tell the user why."""
    get_session().rollback()
    flash(_("Not done: %(why)s", why=error_text(exc)), "error")


def carried_out(campaign_id: int, action, done: str, **kwargs) -> bool:
    """Call ``action(session, campaign_id, **kwargs)`` and commit, or say why it was refused."""
    session = get_session()
    try:
        action(session, campaign_id, **kwargs)
    except USER_ERRORS as exc:
        refused(exc)
        return False
    session.commit()
    flash(done, "info")
    return True


@bp.route("/")
@role_required(*READERS)
def index():
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    rows = list_campaigns(get_session(), status=status if status in
                          labels.LABELS["campaign_status"] else None,
                          kind=kind if kind in labels.LABELS["campaign_kind"] else None)
    return render_template("campaigns/pages/list.html", campaigns=rows, status=status, kind=kind)


@bp.route("/calendar")
@role_required(*READERS)
def calendar():
    """A month of scheduled and sent campaigns, by day of the workspace time zone."""
    zone = get_timezone()
    today = utcnow().astimezone(zone).date()
    error, status = None, 200
    try:
        month = parse_month(request.args.get("month"), today)
    except ValueError as exc:
        error, status, month = error_text(exc), 400, today.replace(day=1)
    locale = get_locale()
    shown = campaign_calendar(get_session(), month, zone, locale.first_week_day)
    names = get_day_names("abbreviated", locale=locale)
    return render_template("campaigns/pages/calendar.html", cal=shown, today=today, error=error,
                           weekdays=[names[(locale.first_week_day + i) % 7] for i in range(7)]
                           ), status


@bp.route("/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new():
    form = NewCampaignForm(kind=request.args.get("kind"))
    form.kind.choices = options(labels.choices("campaign_kind"))
    if form.validate_on_submit():
        session = get_session()
        try:
            campaign = create_campaign(session, name=form.name.data, kind=form.kind.data,
                                       language=form.language.data, user_id=current_user.id)
        except USER_ERRORS as exc:
            refused(exc)
        else:
            session.commit()
            flash(_("Campaign created. Now choose its audience."), "info")
            return redirect(url_for("campaign_editor.audience", campaign_id=campaign.id))
    status = 422 if form.is_submitted() else 200
    return render_template("campaigns/pages/new.html", form=form,
                           kinds=[k.value for k in CampaignKind]), status


def offer_form(campaign) -> OfferForm:
    offer = offer_dict(campaign)
    values = {name: offer.get(name) for name in OfferForm.OFFER_FIELDS}
    return OfferForm(name=campaign.name, default_language=campaign.default_language,
                     holdout_percent=round(campaign.holdout_share * 100, 2),
                     **{**values, "valid_until": iso_date(offer.get("valid_until"))})


def window_form(campaign, form: SendWindowForm | None = None) -> SendWindowForm:
    """The send-window form, filled from the campaign, its days named in the user's language."""
    if form is None:
        stored = campaign.send_window or {}
        form = SendWindowForm(
            limited=bool(stored), start=_clock(stored.get("start"), time(9)),
            end=_clock(stored.get("end"), time(18)), days=stored.get("days", [1, 2, 3, 4, 5]),
            holidays=stored.get("holidays", True))
    names = get_day_names("abbreviated", locale=get_locale())
    form.days.choices = [(day, names[day - 1]) for day in range(1, 8)]
    return form


def _clock(text: str | None, default: time) -> time:
    return time.fromisoformat(text) if text else default


def render_campaign(campaign_id: int, form: OfferForm | None = None,
                    schedule: ScheduleForm | None = None, window: SendWindowForm | None = None,
                    status: int = 200):
    session = get_session()
    campaign = load_campaign(campaign_id)
    detail = campaign_detail(session, campaign_id)
    try:
        audience = preview_campaign(session, campaign_id, sample=10)
    except USER_ERRORS as exc:
        audience = {"error": error_text(exc)}
    preview = account_preview(campaign_id, audience)
    live = detail["status"] in LIVE and (campaign.scheduled_at is None or campaign.scheduled_at
                                         <= utcnow() + timedelta(minutes=1))
    progress = delivery_progress(session, campaign_id)
    return render_template(
        "campaigns/pages/show.html", c=detail, audience=audience, preview=preview,
        progress=progress, live=live,
        unsent=unsent_summary(session, campaign_id) if progress.total else [],
        editable=campaign.status in EDITABLE, offer_form=_with_programmes(form or offer_form(
            campaign)),
        schedule_form=schedule or schedule_form(campaign),
        window_form=window_form(campaign, window),
        account_ref=request.args.get("account", ""),
    ), status


def _with_programmes(form: OfferForm) -> OfferForm:
    """The offer form with the loyalty programmes a loyalty invitation may invite to."""
    form.programme_id.choices = options(
        [("", _("The only active programme"))]
        + [(str(p.id), p.name) for p in programmes(get_session(), active_only=True)])
    return form


def schedule_form(campaign) -> ScheduleForm:
    """The schedule form, showing a campaign's time (to change it) in the workspace time zone."""
    if campaign.status == CampaignStatus.SCHEDULED and campaign.scheduled_at is not None:
        local = campaign.scheduled_at.astimezone(get_timezone()).replace(tzinfo=None)
        return ScheduleForm(mode="at", at=local.replace(second=0, microsecond=0))
    return ScheduleForm()


def account_preview(campaign_id: int, audience: dict) -> dict | None:
    """The message of the account asked for (or the first of the audience), or its error."""
    session = get_session()
    ref = request.args.get("account", "").strip()
    try:
        if ref:
            account_id = resolve_accounts(session, ref)[0]
        elif audience.get("sample"):
            account_id = audience["sample"][0]["id"]
        else:
            return None
        message = preview_message(session, campaign_id, account_id)
        return {**message, "account_id": account_id, "frame_url": keep_preview(message["html"])}
    except USER_ERRORS as exc:
        return {"error": error_text(exc)}


@bp.route("/<int:campaign_id>")
@role_required(*READERS)
def show(campaign_id: int):
    return render_campaign(campaign_id)


@bp.route("/<int:campaign_id>/offer", methods=["POST"])
@role_required(*EDITORS)
def save_offer(campaign_id: int):
    campaign = load_campaign(campaign_id)
    form = OfferForm()
    if not form.validate_on_submit():
        return render_campaign(campaign_id, form=form, status=422)
    kept = {k: v for k, v in offer_dict(campaign).items() if k not in OfferForm.OFFER_FIELDS}
    carried_out(campaign_id, update_campaign, _("Saved."), name=form.name.data.strip(),
                default_language=form.default_language.data,
                offer={**kept, **form.offer_data()},
                holdout_share=float(form.holdout_percent.data) / 100, user_id=current_user.id)
    return redirect(url_for(".show", campaign_id=campaign_id))


@bp.route("/<int:campaign_id>/window", methods=["POST"])
@role_required(*EDITORS)
def save_window(campaign_id: int):
    campaign = load_campaign(campaign_id)
    form = window_form(campaign, SendWindowForm())
    if not form.validate_on_submit():
        return render_campaign(campaign_id, window=form, status=422)
    carried_out(campaign_id, update_campaign, _("Saved."), send_window=form.window())
    return redirect(url_for(".show", campaign_id=campaign_id) + "#window")


@bp.route("/<int:campaign_id>/submit", methods=["POST"])
@role_required(*EDITORS)
def submit(campaign_id: int):
    load_campaign(campaign_id)
    carried_out(campaign_id, request_approval,
                _("Sent for approval: it waits in the managers' approvals inbox."),
                user_id=current_user.id)
    return redirect(url_for(".show", campaign_id=campaign_id))


@bp.route("/<int:campaign_id>/schedule", methods=["POST"])
@role_required(*SCHEDULERS)
def schedule(campaign_id: int):
    load_campaign(campaign_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        return render_campaign(campaign_id, schedule=form, status=422)
    if form.mode.data == "at" and form.at.data is None:
        form.at.errors = [_("Choose the time to send at.")]
        return render_campaign(campaign_id, schedule=form, status=422)
    session = get_session()
    at = form.at.data if form.mode.data == "at" else None  # local: the workspace time zone
    try:
        services.schedule(session, campaign_id, queue=campaign_queue(), mode=form.mode.data,
                          at=at, user_id=current_user.id,
                          trigger=form.trigger.data if form.mode.data == "trigger" else None)
    except USER_ERRORS as exc:
        refused(exc)
        return redirect(url_for(".show", campaign_id=campaign_id) + "#schedule")
    campaign = get_campaign(session, campaign_id)
    flash(_("Scheduled for %(when)s: a worker sends it then.", when=moment(campaign.scheduled_at))
          if form.mode.data == "at" else
          _("Scheduled: each occasion is greeted as it comes, today's at once.")
          if form.mode.data == "trigger" else _("Scheduled: a worker sends it."), "info")
    return redirect(url_for(".show", campaign_id=campaign_id) + "#progress")


@bp.route("/<int:campaign_id>/cancel", methods=["POST"])
@role_required(*SCHEDULERS)
def cancel(campaign_id: int):
    load_campaign(campaign_id)
    carried_out(campaign_id, cancel_campaign,
                _("Cancelled: messages not sent yet will not be sent."),
                user_id=current_user.id, queue=campaign_queue())
    return redirect(url_for(".show", campaign_id=campaign_id))


@bp.route("/<int:campaign_id>/results")
@role_required(*READERS)
def results(campaign_id: int):
    campaign = load_campaign(campaign_id)
    return render_template("campaigns/pages/results.html", c=campaign,
                           r=campaign_results(get_session(), campaign_id))


@bp.route("/<int:campaign_id>/unsent.csv")
@role_required(*READERS)
def unsent_csv(campaign_id: int):
    """The messages not sent (of one category with ``?category=``), with recipients and why."""
    load_campaign(campaign_id)
    try:
        category = OutboxState(request.args["category"]) if request.args.get("category") else None
    except ValueError:
        abort(404)
    header = ["category", "category_text", "reason", "reason_text", "detail", "contact_id",
              "contact", "email", "account_id", "account", "at"]

    def rows():
        for u in unsent_rows(get_session(), campaign_id, category):
            detail = f"#{u.instead_id}" if u.instead_id is not None else u.detail
            yield [u.category, labels.label("outbox_state", u.category), u.reason or "",
                   labels.label("outbox_reason", u.reason) if u.reason else "", detail,
                   u.contact_id, u.contact_name, u.email, u.account_id, u.account_name,
                   u.at.isoformat() if u.at else ""]

    suffix = f"-{category.value}" if category else ""
    return csv_response(f"campaign-{campaign_id}-unsent{suffix}.csv", header, rows())


@bp.app_template_global("label_choices")
def label_choices(group: str) -> list[tuple[str, str]]:
    return labels.choices(group)


@bp.app_template_filter("iso_moment")
def iso_moment(value: str | None, form: str = "short") -> str:
    """A stored ISO time (as the campaign services return them) in the user's locale."""
    return moment(datetime.fromisoformat(value) if value else None, form)
