"""Campaign rules: create and edit, templates, approval, scheduling, preview.

Every function takes a session and ids/values; the caller commits. Errors a
user can fix raise :class:`CampaignError` (or :class:`RenderError` for a
template, :class:`AudienceError` for an audience) with a message to show.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from rq import Queue
from sqlalchemy import select
from sqlalchemy.orm import Session

from abm import ROOT
from abm.accounts.models import Account, Contact
from abm.audit import services as audit
from abm.campaigns import scheduling
from abm.campaigns.approval import ApprovalReason
from abm.campaigns.approval import approval_reasons as _approval_reasons
from abm.campaigns.audiences import check_audience, contact_condition, preview_audience
from abm.campaigns.context import account_contexts, contact_context, message_context
from abm.campaigns.models import (
    Campaign,
    CampaignApproval,
    CampaignKind,
    CampaignStatus,
    CampaignTemplate,
    Decision,
    ScheduleMode,
    Trigger,
)
from abm.campaigns.offers import OfferError, offer_context, offer_dict, parse_offer, store_offer
from abm.campaigns.rendering import (
    CompiledTemplate,
    RenderError,
    check_subject,
    compile_template,
)
from abm.campaigns.send_window import SendWindow, WindowError
from abm.campaigns.settings import CampaignSettings
from abm.campaigns.stake import stake_summary
from abm.db import utcnow
from abm.notifications.models import NotificationKind
from abm.notifications.services import approver_ids, notify, resolve
from abm.users.models import Role, User
from abm.workspace.refusals import N_, Refusal
from abm.workspace.services import settings_of, workspace_zone

LANGUAGES = ("en", "ru")
TEMPLATE_DIR = ROOT / "templates" / "campaigns"
APPROVER_ROLES = (Role.MANAGER, Role.ADMIN)
EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.REJECTED, CampaignStatus.APPROVED,
            CampaignStatus.PENDING_APPROVAL)


class CampaignError(Refusal):
    """A campaign operation that the rules refuse; the message says why (in English).

    A refusal a person meets on the pages or the commands also carries its ``template``
    and ``params`` (see :class:`~abm.workspace.refusals.Refusal`), a ``status`` shown by
    its display name.
    """


class ScheduleError(CampaignError):
    """A schedule that cannot be: no time, a time in the past, an unknown trigger."""


@cache
def default_template(kind: str, language: str) -> dict[str, str]:
    """The shipped template of a kind in a language: {"subject", "html", "text"}."""
    kind = CampaignKind(kind).value
    if language not in LANGUAGES:
        raise CampaignError(f"no default templates in {language!r}; languages: {LANGUAGES}")
    def read(ext: str) -> str:
        return (TEMPLATE_DIR / f"{kind}.{language}.{ext}").read_text(encoding="utf-8")

    return {"subject": read("subject").strip(), "html": read("html"), "text": read("txt")}


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError.worded(N_("no campaign %(id)s"), id=campaign_id)
    return campaign


def create_campaign(session: Session, *, name: str, kind: str, audience: dict | None = None,
                    offer: dict | None = None, language: str = "en",
                    templates: dict[str, dict] | None = None, holdout_share: float | None = None,
                    send_window: dict | None = None, user_id: int | None = None) -> Campaign:
    """A draft campaign with copies of the default templates (or the given ones).

    Args:
        templates: {language: {"subject", "html", "text"}}; languages not given
            get the shipped defaults of the kind.
        holdout_share: share of target accounts held out; None: the workspace default.
        send_window: working hours and days in each recipient's country (see
            :class:`~abm.campaigns.send_window.SendWindow`); None: any time.

    Raises:
        CampaignError, AudienceError, RenderError: invalid kind, audience, offer or template.
    """
    try:
        kind = CampaignKind(kind)
    except ValueError:
        raise CampaignError.worded(N_("unknown kind '%(kind)s'; kinds: %(kinds)s"), kind=kind,
                                   kinds=", ".join(k.value for k in CampaignKind)) from None
    terms, shown = _check_offer({} if offer is None else offer)
    audience = check_audience(session, audience or {})
    if holdout_share is None:
        holdout_share = settings_of(session, CampaignSettings).holdout_share
    if not 0 <= holdout_share < 1:
        raise CampaignError.worded(N_("the holdout share must be at least 0 and below 1"))
    campaign = Campaign(name=name.strip() or kind.value, kind=kind, audience=audience,
                        default_language=language, holdout_share=holdout_share,
                        send_window=checked_window(send_window), created_by_id=user_id)
    store_offer(campaign, terms, shown)
    session.add(campaign)
    session.flush()
    for lang in LANGUAGES:
        parts = (templates or {}).get(lang) or default_template(kind.value, lang)
        save_template(session, campaign.id, lang, **parts)
    for lang, parts in (templates or {}).items():
        if lang not in LANGUAGES:
            save_template(session, campaign.id, lang, **parts)
    return campaign


def _check_offer(offer: Any):
    try:
        return parse_offer(offer)
    except OfferError as exc:
        raise CampaignError.of(exc) from None


def checked_window(data: dict | None) -> dict | None:
    """A send window in its stored form (times as HH:MM, days sorted), or None for none.

    Raises:
        ScheduleError: a time that is not one, an end not after the start, no days.
    """
    try:
        window = SendWindow.from_json(data)
    except WindowError as exc:
        raise ScheduleError.of(exc) from None
    return window.to_json() if window is not None else None


def update_campaign(session: Session, campaign_id: int, *, user_id: int | None = None,
                    **changes: Any) -> Campaign:
    """Change name, audience, offer, default_language, holdout_share or send_window of an
    unscheduled campaign.

    A change to the offer or audience after an approval (or a request for one)
    withdraws it: what was approved is not what would be sent. The withdrawal is
    audit-logged as ``user_id``'s.
    """
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in EDITABLE:
        raise CampaignError.worded(N_("a %(status)s campaign cannot be edited"),
                                   status=campaign.status)
    allowed = {"name", "audience", "offer", "default_language", "holdout_share", "send_window"}
    unknown = set(changes) - allowed
    if unknown:
        raise CampaignError(f"cannot change {', '.join(sorted(unknown))}")
    changed = []
    if "offer" in changes:
        terms, shown = _check_offer(changes.pop("offer"))
        before = offer_dict(campaign)
        store_offer(campaign, terms, shown)
        if offer_dict(campaign) != before:
            changed.append("offer")
    if "audience" in changes:
        changes["audience"] = check_audience(session, changes["audience"])
        if changes["audience"] != campaign.audience:
            changed.append("audience")
    if "send_window" in changes:
        changes["send_window"] = checked_window(changes["send_window"])
    for key, value in changes.items():
        setattr(campaign, key, value)
    if changed and campaign.status != CampaignStatus.DRAFT:
        _withdraw(session, campaign, user_id, " and ".join(changed))
    return campaign


def _withdraw(session: Session, campaign: Campaign, user_id: int | None, why: str) -> None:
    """Back to draft after a change; an approval or a pending request it ends is audit-logged."""
    if campaign.status in (CampaignStatus.APPROVED, CampaignStatus.PENDING_APPROVAL):
        audit.record(session, user_id, audit.APPROVAL, f"campaign:{campaign.id}",
                     {"event": "withdrawn", "was": campaign.status.value, "changed": why})
    if campaign.status == CampaignStatus.PENDING_APPROVAL:
        _settle_request(session, campaign, "withdrawn", user_id)
    campaign.status = CampaignStatus.DRAFT


def save_template(session: Session, campaign_id: int, language: str, subject: str, html: str,
                  text: str, *, user_id: int | None = None) -> CampaignTemplate:
    """Store the edited template of one language after checking that it compiles and renders.

    A change to a stored template is written to the audit log as ``user_id``'s, and
    withdraws an approval or a pending request: what was approved is not what would be sent.

    Raises:
        CampaignError: the campaign is scheduled, sending or over.
        RenderError: it does not compile, or does not render for a sample context.
        SubjectTooLong: its subject renders longer than the limit (a RenderError).
    """
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in EDITABLE:
        raise CampaignError.worded(N_("the templates of a %(status)s campaign cannot change"),
                                   status=campaign.status)
    check = compile_template(subject, html, text, language)
    check_subject(check.render(sample_context(session, campaign_id)))
    row = session.scalar(select(CampaignTemplate).where(
        CampaignTemplate.campaign_id == campaign_id, CampaignTemplate.language == language))
    if row is None:
        row = CampaignTemplate(campaign_id=campaign_id, language=language)
        session.add(row)
    elif (row.subject, row.html, row.text) != (subject, html, text):
        audit.record(session, user_id, audit.TEMPLATE_EDITED, f"campaign:{campaign_id}",
                     {"language": language})
        if campaign.status != CampaignStatus.DRAFT:
            _withdraw(session, campaign, user_id, "template")
    row.subject, row.html, row.text = subject, html, text
    session.flush()
    return row


def sample_context(session: Session, campaign_id: int) -> dict:
    """A context with every key a real one has, for checking templates without an account."""
    campaign = get_campaign(session, campaign_id)
    product = {"id": 0, "sku": "SKU-1", "name": "Sample product", "price": 10.0, "revenue": 100.0}
    return message_context(
        {"account": {"id": 0, "name": "Sample Ltd", "kind": "customer", "country": "", "region": "",
                     "city": "", "industry": "", "loyalty_member": False, "loyalty_tier": "",
                     "categories": []},
         "kam": {"name": "Key Account Manager", "email": "kam@example.com", "signature": ""},
         "figures": {"revenue_12m": 1000.0, "revenue_prev_12m": 900.0, "growth_percent": 11.1,
                     "share_percent": 1.0, "months_active_12m": 12, "last_order_month": "2026-01"},
         "top_products": [product], "recommended_products": [product]},
        {"id": 0, "name": "Sample Person", "first_name": "Sample", "email": "person@example.com",
         "role": "owner", "position": "", "language": "en"},
        offer_context(campaign, settings_of(session, CampaignSettings)),
    )


def compiled_templates(campaign: Campaign) -> dict[str, CompiledTemplate]:
    """The campaign's templates compiled once, by language."""
    return {t.language: compile_template(t.subject, t.html, t.text, t.language)
            for t in campaign.templates}


def pick_language(templates: dict, contact_language: str | None, default: str) -> str:
    if contact_language is not None and contact_language in templates:
        return contact_language
    return default if default in templates else next(iter(templates))


def approval_reasons(session: Session, campaign: Campaign) -> list[ApprovalReason]:
    """Why the campaign needs a manager's approval before scheduling (empty: it does not);
    the rule is :func:`abm.campaigns.approval.reasons_for`."""
    return _approval_reasons(session, campaign)


def request_approval(session: Session, campaign_id: int, *,
                     user_id: int | None = None) -> Campaign:
    """Send a campaign to the managers' inbox (audit-logged as ``user_id``'s)."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.REJECTED):
        raise CampaignError.worded(N_("a %(status)s campaign cannot be sent for approval"),
                                   status=campaign.status)
    campaign.status = CampaignStatus.PENDING_APPROVAL
    audit.record(session, user_id, audit.APPROVAL, f"campaign:{campaign.id}",
                 {"event": "requested", **_approval_subject(session, campaign)})
    notify(session, [u for u in approver_ids(session) if u != user_id],
           NotificationKind.APPROVAL_WAITING, {"campaign_id": campaign.id, "name": campaign.name},
           subject=f"campaign:{campaign.id}")
    return campaign


def _settle_request(session: Session, campaign: Campaign, code: str,
                    user_id: int | None) -> None:
    """The approvers' "waiting" notifications of the campaign say how its request ended
    (``code``: approved, rejected, withdrawn or cancelled) and by whom; none stays unread."""
    by = session.get(User, user_id) if user_id is not None else None
    resolve(session, f"campaign:{campaign.id}", NotificationKind.APPROVAL_WAITING,
            {"code": code, "by": by.name if by is not None else None, "by_id": user_id})


def _approval_subject(session: Session, campaign: Campaign) -> dict:
    """What an approval is about, as the audit log keeps it: the offer and the reasons."""
    return {"kind": campaign.kind.value, "offer": offer_dict(campaign),
            "reasons": [{"code": r.code, "params": r.params}
                        for r in approval_reasons(session, campaign)]}


def decide(session: Session, campaign_id: int, user_id: int, *, approve: bool,
           reason: str = "") -> CampaignApproval:
    """Record a manager's approval or rejection, with who, when and why.

    The audit log keeps the decision with what was decided on: the offer, the
    reasons it needed approval and what was at stake (see :mod:`abm.campaigns.stake`).

    Raises:
        CampaignError: the user is not a manager or admin, the campaign is not
            awaiting a decision, or a rejection has no reason.
    """
    campaign = get_campaign(session, campaign_id)
    user = session.get(User, user_id)
    if user is None or user.role not in APPROVER_ROLES:
        raise CampaignError.worded(
            N_("only a manager or an admin can approve or reject a campaign"))
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.PENDING_APPROVAL,
                               CampaignStatus.REJECTED):
        raise CampaignError.worded(N_("a %(status)s campaign is not awaiting approval"),
                                   status=campaign.status)
    if not approve and not reason.strip():
        raise CampaignError.worded(N_("a rejection needs a reason"))
    decision = CampaignApproval(campaign_id=campaign.id, user_id=user.id, reason=reason.strip(),
                                decision=Decision.APPROVED if approve else Decision.REJECTED)
    session.add(decision)
    campaign.status = CampaignStatus.APPROVED if approve else CampaignStatus.REJECTED
    audit.record(session, user.id, audit.APPROVAL, f"campaign:{campaign.id}",
                 {"event": decision.decision.value, "decision": decision.decision.value,
                  "reason": decision.reason, **_approval_subject(session, campaign),
                  "stake": stake_summary(session, campaign)})
    _settle_request(session, campaign, decision.decision.value, user.id)
    _tell_requester(session, campaign, decision)
    session.flush()
    return decision


def _tell_requester(session: Session, campaign: Campaign, decision: CampaignApproval) -> None:
    """Who sent the campaign for approval (else its author) learns the decision."""
    requester = (audit.last_actor(session, audit.APPROVAL, f"campaign:{campaign.id}", "requested")
                 or campaign.created_by_id)
    if requester is not None and requester != decision.user_id:
        notify(session, requester, NotificationKind.APPROVAL_DECIDED,
               {"campaign_id": campaign.id, "name": campaign.name,
                "approved": decision.decision == Decision.APPROVED, "reason": decision.reason})


def schedule_campaign(session: Session, campaign_id: int, *, mode: str = "now",
                      at: datetime | None = None, trigger: str | None = None,
                      user_id: int | None = None) -> Campaign:
    """Mark a campaign scheduled, or change the time of one that has not started (audit-logged
    as ``user_id``'s). :func:`schedule` also commits and queues its start: call that one.

    Args:
        at: with mode "at"; a time without an offset is in the workspace time zone.

    Raises:
        CampaignError: it needs an approval it does not have, it is past scheduling, or the
            schedule is invalid (no time, a time in the past, an unknown trigger).
        AudienceError: its audience no longer holds (a segment has gone, say).
    """
    campaign = get_campaign(session, campaign_id)
    rescheduling = campaign.status == CampaignStatus.SCHEDULED
    if rescheduling and campaign.schedule_mode == ScheduleMode.TRIGGER:
        raise CampaignError.worded(N_("a trigger campaign runs until it is cancelled; it "
                                      "cannot be rescheduled"))
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.APPROVED) and not rescheduling:
        raise CampaignError.worded(N_("a %(status)s campaign cannot be scheduled"),
                                   status=campaign.status)
    check_audience(session, campaign.audience)
    reasons = approval_reasons(session, campaign)
    if reasons and campaign.status == CampaignStatus.DRAFT:
        raise CampaignError("needs a manager's approval first: "
                            + "; ".join(r.text() for r in reasons),
                            template=N_("needs a manager's approval first: %(reasons)s"),
                            params={"reasons": [r.as_dict() for r in reasons]})
    mode = ScheduleMode(mode)
    now = utcnow()
    if mode == ScheduleMode.AT:
        if at is None:
            raise ScheduleError.worded(N_("a scheduled time is required"))
        zone = workspace_zone(session)
        at = scheduling.to_utc(at, zone)
        if at < now - scheduling.PAST_TOLERANCE:
            raise ScheduleError.worded(N_("%(when)s (%(zone)s) is in the past; choose a later "
                                          "time"), when=f"{at.astimezone(zone):%Y-%m-%d %H:%M}",
                                       zone=zone.key)
    if mode == ScheduleMode.TRIGGER:
        if trigger not in {t.value for t in Trigger}:
            raise ScheduleError.worded(N_("unknown trigger '%(trigger)s'; triggers: "
                                          "%(triggers)s"), trigger=trigger,
                                       triggers=", ".join(t.value for t in Trigger))
        campaign.trigger = Trigger(trigger)
    compiled_templates(campaign)  # refuse to schedule what cannot render
    campaign.schedule_mode = mode
    scheduled_at = max(at, now) if mode == ScheduleMode.AT and at is not None else now
    campaign.scheduled_at = scheduled_at
    campaign.status = CampaignStatus.SCHEDULED
    audit.record(session, user_id, audit.SEND, f"campaign:{campaign.id}",
                 {"event": "rescheduled" if rescheduling else "scheduled", "mode": mode.value,
                  "at": scheduled_at.isoformat(),
                  "trigger": campaign.trigger.value if campaign.trigger else None})
    return campaign


def schedule(session: Session, campaign_id: int, *, queue: Queue, mode: str = "now",
             at: datetime | None = None, trigger: str | None = None,
             user_id: int | None = None, parallel: int = 1) -> str | None:
    """Schedule or reschedule a campaign, commit, and queue the job that starts it then.

    The one way the web, the API and the CLI schedule. Unlike other services
    it commits: its start job must find the campaign scheduled. A start job
    of an earlier schedule is withdrawn; if it runs anyway it does nothing.

    Args:
        queue: the campaigns queue the start job goes to.
        at: with mode "at"; a time without an offset is in the workspace time zone.
        parallel: send jobs sharing the work once it starts.

    Returns:
        The start job's id (its run row's id), or None for a trigger campaign.

    Raises:
        CampaignError: as :func:`schedule_campaign`; nothing is stored then.
    """
    campaign = schedule_campaign(session, campaign_id, mode=mode, at=at, trigger=trigger,
                                 user_id=user_id)
    old_job = campaign.start_job_id
    scheduling.supersede_run(session, old_job)
    job_id = scheduling.enqueue_start(session, queue, campaign, user_id=user_id,
                                      parallel=parallel)
    scheduling.drop_start_job(queue, old_job)
    return job_id


def cancel_campaign(session: Session, campaign_id: int, *, user_id: int | None = None,
                    queue: Queue | None = None) -> Campaign:
    """Stop a campaign: pending messages are not sent (the send loop checks the status).

    With ``queue``, a start job still waiting is withdrawn as well (one that
    runs anyway finds the campaign cancelled and does nothing).
    """
    campaign = get_campaign(session, campaign_id)
    if campaign.status in (CampaignStatus.DONE, CampaignStatus.CANCELLED):
        raise CampaignError.worded(N_("a %(status)s campaign cannot be cancelled"),
                                   status=campaign.status)
    if campaign.status == CampaignStatus.PENDING_APPROVAL:
        _settle_request(session, campaign, "cancelled", user_id)
    campaign.status = CampaignStatus.CANCELLED
    campaign.finished_at = utcnow()
    audit.record(session, user_id, audit.SEND, f"campaign:{campaign.id}", {"event": "cancelled"})
    if queue is not None and campaign.start_job_id:
        scheduling.supersede_run(session, campaign.start_job_id)
        scheduling.drop_start_job(queue, campaign.start_job_id)
    return campaign


def preview_message(session: Session, campaign_id: int, account_id: int,
                    contact_id: int | None = None, language: str | None = None,
                    draft: dict[str, str] | None = None) -> dict:
    """The message one contact of an account would get: {"subject", "html", "text", "language"}.

    Without a contact, the first contact the audience would reach (or a sample one).
    With a ``draft`` ({"subject", "html", "text"}), that unsaved template is rendered
    in place of the stored one of ``language`` (what the template editor previews).

    Raises:
        RenderError: the template does not render for this account.
    """
    campaign = get_campaign(session, campaign_id)
    account = session.get(Account, account_id)
    if account is None:
        raise CampaignError.worded(N_("no account %(id)s"), id=account_id)
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
    else:
        contact = session.scalar(select(Contact).where(
            Contact.account_id == account_id, contact_condition(campaign.audience))
            .order_by(Contact.id).limit(1)) or session.scalar(
            select(Contact).where(Contact.account_id == account_id).order_by(Contact.id).limit(1))
    contact_ctx = contact_context(contact) if contact is not None else \
        sample_context(session, campaign_id)["contact"]
    templates = compiled_templates(campaign)
    if draft is not None:
        language = language or campaign.default_language
        templates[language] = compile_template(draft["subject"], draft["html"], draft["text"],
                                               language)
    lang = language or pick_language(templates, contact_ctx["language"], campaign.default_language)
    if lang not in templates:
        raise CampaignError.worded(N_("the campaign has no template in '%(language)s'"),
                                   language=lang)
    ctx = message_context(account_contexts(session, [account_id])[account_id], contact_ctx,
                          offer_context(campaign, settings_of(session, CampaignSettings)))
    rendered = templates[lang].render(ctx)
    return {"subject": rendered.subject, "html": rendered.html, "text": rendered.text,
            "language": lang, "contact_id": contact.id if contact is not None else None}


def preview_campaign(session: Session, campaign_id: int, sample: int = 20) -> dict:
    """Audience counts and the approval needs of a campaign, before scheduling."""
    campaign = get_campaign(session, campaign_id)
    counts = preview_audience(session, campaign.audience, sample=sample)
    held = round(counts["accounts_with_recipients"] * campaign.holdout_share)
    return {**counts, "holdout_accounts": held, "approval_reasons":
            [r.as_dict() for r in approval_reasons(session, campaign)]}


__all__ = ["CampaignError", "RenderError", "ScheduleError"]
