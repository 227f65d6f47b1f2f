"""Campaigns: create, list, show, edit templates, preview, approve or reject, schedule,
follow and measure.

Marketing and management run campaigns; only management approves or rejects.
Templates are rendered in the sandbox of :mod:`abm.campaigns.rendering`: one
that reaches for what it must not, or works too hard, is refused with 422 and
the reason, and is never sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import ConfigDict, Field, create_model, model_validator

import abm.campaigns.audience_fields  # noqa: F401 - registers the analytics fields of rules
from abm.accounts.models import Contact, ContactRole, Gender
from abm.api import lists
from abm.api.accounts import visible_account
from abm.api.core import ApiError, current_user, operation
from abm.api.runs import run_started
from abm.api.schemas import (
    Bounds,
    Flag,
    Id,
    Input,
    JsonNumber,
    LocalMoment,
    Output,
    PageQuery,
    Text,
)
from abm.campaigns import services
from abm.campaigns.audiences import FIELDS, LIST_OPS, MAX_TEXT, MAX_VALUES, AudienceError
from abm.campaigns.audiences import Field as AudienceField
from abm.campaigns.jobs import campaign_queue
from abm.campaigns.listing import campaign_detail, list_campaigns
from abm.campaigns.models import Campaign, CampaignKind, CampaignStatus, ScheduleMode, Trigger
from abm.campaigns.outcomes import delivery_progress
from abm.campaigns.rendering import MAX_SOURCE, RenderError
from abm.campaigns.results import campaign_results
from abm.db import get_session

CAMPAIGN_ROLES = {"manager", "marketing"}
Language = Literal["en", "ru"]
Share = Annotated[float, Field(ge=0, lt=1), JsonNumber]


# The rules' models are built from the audience fields at import: their types are data
# here, which a type checker cannot follow, so they are built through these three.
def _one_of(values: Sequence[str]) -> Any:
    """``Literal["a", "b", ...]`` of ``values``."""
    return Literal[tuple(values)]


def _list_of(item: Any) -> Any:
    return list[item]


def _any_of(types: Sequence[Any]) -> Any:
    return Union[tuple(types)]  # noqa: UP007 - a Union of a tuple built at run time


def _rule_value(field: AudienceField) -> Any:
    """The type of a rule's value as the audience validator takes it: one value, or a list
    with the operators "in" and "not_in"."""
    if field.kind == "bool":
        return Flag
    if field.kind == "float":
        low, high = field.bounds or (-1e12, 1e12)
        return Annotated[float, Field(ge=low, le=high, allow_inf_nan=False), JsonNumber]
    one = (Id if field.kind == "int" else _one_of(field.choices) if field.choices
           else Annotated[str, Text(MAX_TEXT, min_length=1)])
    if not set(field.ops) & set(LIST_OPS):
        return one
    return one | Annotated[_list_of(one), Field(min_length=1, max_length=MAX_VALUES)]


def _rule_model(field: AudienceField) -> type[Input]:
    """The rule of one field: its name, the operators it takes and the type of its value."""
    op = _one_of(field.ops)
    return create_model(
        "".join(part.title() for part in field.name.split("_")) + "Rule", __base__=Input,
        __doc__=field.description,
        field=(_one_of([field.name]), ...),
        op=(op, "eq") if "eq" in field.ops else (op, ...),
        value=(_rule_value(field), ...))


if TYPE_CHECKING:
    Rule = Input  # one of the rule models below, told apart by their "field"
else:
    Rule = Annotated[_any_of([_rule_model(FIELDS[name]) for name in sorted(FIELDS)]),
                     Field(discriminator="field")]


class Occasion(Input):
    """What a greeting greets on: a holiday campaign on these holidays of each account's
    country and these workspace dates (`/greeting-dates`); a birthday campaign in these
    countries. International Women's Day is sent only when named."""

    holidays: list[Annotated[str, Text(200, min_length=1)]] = Field(
        default_factory=lambda: ["*"], max_length=200,
        description='English names of the holidays package ("Victory Day"); "*": every '
                    "public holiday but International Women's Day; empty: none.")
    countries: list[Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]] = Field(
        default_factory=list, max_length=300, description="Empty: every country.")
    dates: list[Id] = Field(default_factory=list, max_length=1000)
    gender: Gender | None = Field(None, description="Only where the workspace keeps contacts' "
                                                    "gender.")


class Audience(Input):
    """Which accounts, and which of their contacts, a campaign reaches."""

    match: Literal["all", "any"] = "all"
    rules: list[Rule] = Field(default_factory=list, max_length=50)
    account_ids: list[Id] = Field(default_factory=list, max_length=10_000)
    contact_roles: list[ContactRole] = Field(default_factory=list, max_length=len(ContactRole))
    reachable_only: Flag = True
    occasion: Occasion | None = Field(None, description="A greeting's occasion.")


Percent = Annotated[float, Field(ge=0, le=100), JsonNumber]


class Offer(Input):
    """What the campaign offers. A volume bonus, payment terms, written-out terms or a
    discount above the workspace threshold need a manager's approval, whatever the kind."""

    title: Annotated[str, Text(300)] | None = None
    details: Annotated[str, Text(5000)] | None = None
    terms: Annotated[str, Text(5000)] | None = Field(
        None, description="Any other terms, in free text.")
    occasion: Annotated[str, Text(300)] | None = None
    tier: Annotated[str, Text(100)] | None = None
    event_name: Annotated[str, Text(300)] | None = None
    event_place: Annotated[str, Text(300)] | None = None
    event_date: Annotated[str, Text(100)] | None = None
    valid_from: Annotated[str, Text(100)] | None = None
    valid_until: Annotated[str, Text(100)] | None = None
    link: Annotated[str, Field(max_length=2000, pattern=r"^https?://\S+$")] | None = Field(
        None, description="The offer's web page; the default templates link to it, tracked "
                          "(else to the workspace's website).")
    discount_percent: Percent | None = None
    bonus_percent: Percent | None = Field(None, description="Volume bonus: this share of an "
                                                            "account's purchases above the "
                                                            "threshold.")
    bonus_threshold: Annotated[float, Field(ge=0, le=1e12), JsonNumber] | None = Field(
        None, description="Purchases per 12 months above which the bonus is paid.")
    payment_days: Annotated[int, Bounds(0, 3650)] | None = Field(
        None, description="Individual payment terms, in days.")
    price_list: Annotated[str, Text(200)] | None = Field(
        None, description="The price list the offer is made from.")


class SendWindowIn(Input):
    """Working hours and days in each recipient's country (its capital's time zone)."""

    start: Annotated[str, Text(5, min_length=4)] = Field(
        "09:00", pattern=r"^[0-2]?[0-9]:[0-5][0-9]$", description="Local time, HH:MM.")
    end: Annotated[str, Text(5, min_length=4)] = Field(
        "18:00", pattern=r"^[0-2]?[0-9]:[0-5][0-9]$",
        description="Local time, HH:MM; after the start.")
    days: list[Annotated[int, Field(ge=1, le=7), JsonNumber]] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5], min_length=1, max_length=7,
        description="ISO weekdays: 1 is Monday, 7 is Sunday.")
    holidays: Flag = Field(True, description="Skip the public holidays of the country.")


class TemplateIn(Input):
    subject: Annotated[str, Text(2000, min_length=1)]
    html: Annotated[str, Text(MAX_SOURCE)]
    text: Annotated[str, Text(MAX_SOURCE)]


class CampaignCreate(Input):
    name: Annotated[str, Text(200, min_length=1)]
    kind: CampaignKind
    audience: Audience = Field(default_factory=Audience)
    offer: Offer = Field(default_factory=Offer)
    language: Language = "en"
    templates: dict[Language, TemplateIn] = Field(
        default_factory=dict, description="Languages not given get the shipped templates.")
    holdout_share: Share | None = Field(
        None, description="Share of the target accounts held out; null: the setting.")
    send_window: SendWindowIn | None = Field(None, description="Null: send at any time.")


class CampaignUpdate(Input):
    name: Annotated[str, Text(200, min_length=1)] = None  # type: ignore[assignment]
    audience: Audience = None  # type: ignore[assignment]
    offer: Offer = None  # type: ignore[assignment]
    default_language: Language = None  # type: ignore[assignment]
    holdout_share: Share = None  # type: ignore[assignment]
    send_window: SendWindowIn | None = Field(None, description="Null: send at any time.")


class CampaignQuery(PageQuery):
    """Newest first."""

    status: CampaignStatus | None = None
    kind: CampaignKind | None = None


class CampaignSummary(Output):
    id: int
    name: str
    kind: CampaignKind
    status: CampaignStatus
    schedule_mode: ScheduleMode | None
    scheduled_at: str | None
    trigger: Trigger | None
    created_at: str | None
    sent: int = 0


class TemplateOut(Output):
    subject: str
    html: str
    text: str


class ApprovalOut(Output):
    decision: Literal["approved", "rejected"]
    user: str | None
    user_id: int | None
    reason: str
    decided_at: str


class ApprovalReasonOut(Output):
    code: Literal["kind", "volume_bonus", "payment_terms", "free_terms", "discount"]
    params: dict = Field(description="The figures of the reason (percent, threshold, days...).")
    text: str


class CampaignOut(CampaignSummary):
    audience: dict
    offer: dict
    default_language: str
    holdout_share: float
    send_window: dict | None = Field(description="Working hours and days; null: any time.")
    started_at: str | None
    finished_at: str | None
    approval_reasons: list[ApprovalReasonOut] = Field(
        description="Why a manager must approve it first.")
    approvals: list[ApprovalOut]
    templates: dict[str, TemplateOut]
    outbox: dict[str, int] = Field(description="Messages per delivery state.")


class CampaignPage(Output):
    items: list[CampaignSummary]
    next_cursor: str | None


class AudienceSample(Output):
    id: int
    name: str
    contacts: int


class Unreachable(Output):
    """Contacts of the target accounts (of the chosen roles) marketing mail cannot reach,
    and why; a contact may have several reasons."""

    total: int
    no_consent: int
    unsubscribed: int
    bounced: int
    invalid_address: int = Field(description="No address, or none that mail can be sent to.")


class AudiencePreview(Output):
    accounts: int
    accounts_with_recipients: int
    contacts: int
    by_role: dict[str, int]
    sample: list[AudienceSample]
    unreachable: Unreachable
    holdout_accounts: int
    approval_reasons: list[ApprovalReasonOut]


class PreviewQuery(Input):
    account_id: Id
    contact_id: Id | None = Field(None, description="Default: the first contact reached.")
    language: Language | None = None


class DraftPreview(PreviewQuery):
    template: TemplateIn = Field(description="An unsaved template, rendered in place of the "
                                             "stored one of `language`.")


class MessagePreview(Output):
    subject: str
    html: str
    text: str
    language: str
    contact_id: int | None


class Decision(Input):
    reason: Annotated[str, Text(1000)] = ""


class Rejection(Input):
    reason: Annotated[str, Text(1000, min_length=1)]


def _needs(mode: ScheduleMode, name: str) -> dict:
    """JSON schema: with this mode, the field is required and not null."""
    return {"if": {"properties": {"mode": {"const": mode.value}}, "required": ["mode"]},
            "then": {"required": [name], "properties": {name: {"not": {"type": "null"}}}}}


class ScheduleRequest(Input):
    """Mode "at" needs `at`; mode "trigger" needs `trigger`."""

    model_config = ConfigDict(json_schema_extra={"allOf": [
        _needs(ScheduleMode.AT, "at"), _needs(ScheduleMode.TRIGGER, "trigger")]})

    mode: ScheduleMode = ScheduleMode.NOW
    at: LocalMoment | None = Field(None, description="Required with mode 'at': ISO 8601 with "
                                   "its offset; without one, in the workspace time zone.")
    trigger: Trigger | None = Field(None, description="Required with mode 'trigger'.")
    parallel: Annotated[int, Bounds(1, 16)] = Field(1, description="Send jobs sharing the work.")

    @model_validator(mode="after")
    def _mode_needs_its_field(self):
        if self.mode == ScheduleMode.AT and self.at is None:
            raise ValueError("mode 'at' needs the time in 'at'")
        if self.mode == ScheduleMode.TRIGGER and self.trigger is None:
            raise ValueError("mode 'trigger' needs the trigger in 'trigger'")
        return self


class Scheduled(Output):
    campaign: CampaignSummary
    run_id: str | None = Field(description="The start job; null for a trigger campaign.")
    status_url: str | None


class CampaignStatusOut(Output):
    id: int
    status: CampaignStatus
    started_at: str | None
    finished_at: str | None
    outbox: dict[str, int]
    total: int = Field(description="Messages in the outbox.")
    done: int = Field(description="Messages in a final state (sent or not).")
    percent: int | None


class ResultsQuery(Input):
    window_days: Annotated[int, Bounds(1, 365)] | None = Field(
        None, description="Attribution window; default: the setting.")


class Uplift(Output):
    treated_accounts: int
    held_out_accounts: int
    treated_mean: float | None
    held_out_mean: float | None
    uplift: float | None
    uplift_percent: float | None
    ci_low: float | None
    ci_high: float | None


class ResultRow(Output):
    account_id: int
    name: str
    group: Literal["treated", "held_out"]
    revenue: float
    orders: int = 0
    sent: int
    opened: int
    clicked: int


class Window(Output):
    start: str
    end: str


class Results(Output):
    campaign_id: int
    states: dict[str, int]
    events: dict[str, int]
    window: Window | None
    orders: dict[str, int] = Field(default_factory=dict,
                                   description="Orders shipped in the window, per group.")
    uplift: Uplift
    accounts: list[ResultRow]


def _campaign(campaign_id: int) -> Campaign:
    campaign = get_session().get(Campaign, campaign_id)
    if campaign is None:
        raise ApiError(404, "no such campaign")
    return campaign


def _refused(call, *args, status: int = 409, **kwargs):
    """Call a campaign service; a rule it refuses becomes ``status`` with its message, and
    an audience that does not hold (see :func:`abm.campaigns.audiences.check_audience`) 422."""
    try:
        return call(*args, **kwargs)
    except RenderError as exc:
        raise ApiError(422, f"the template cannot be used: {exc}") from None
    except services.ScheduleError as exc:
        raise ApiError(422, str(exc)) from None
    except AudienceError as exc:
        raise ApiError(422, f"the audience is not valid: {exc}") from None
    except services.CampaignError as exc:
        raise ApiError(status, str(exc)) from None


def _detail(campaign_id: int) -> CampaignOut:
    return CampaignOut.model_validate(campaign_detail(get_session(), campaign_id))


def _summary(campaign_id: int) -> CampaignSummary:
    return CampaignSummary.model_validate(campaign_detail(get_session(), campaign_id))


@operation("GET", "/campaigns", summary="List campaigns", tag="campaigns", roles=CAMPAIGN_ROLES,
           query=CampaignQuery, response=CampaignPage)
def list_(query: CampaignQuery) -> CampaignPage:
    rows = list_campaigns(get_session(), status=query.status, kind=query.kind)
    page, cursor = lists.offset_page(rows, query.after, query.limit)
    return CampaignPage(items=[CampaignSummary.model_validate(r) for r in page],
                        next_cursor=cursor)


@operation("POST", "/campaigns", summary="Create a draft campaign", tag="campaigns",
           roles=CAMPAIGN_ROLES, body=CampaignCreate, response=CampaignOut, status=201)
def create(body: CampaignCreate) -> CampaignOut:
    """Templates are checked before anything is stored: see the module's notes."""
    audience = body.audience.model_dump(mode="json", exclude_unset=True)
    campaign = _refused(
        services.create_campaign, get_session(), name=body.name, kind=body.kind.value,
        audience=audience, offer=body.offer.model_dump(mode="json", exclude_none=True),
        language=body.language, templates={k: v.model_dump() for k, v in body.templates.items()},
        holdout_share=body.holdout_share, user_id=current_user().id, status=422,
        send_window=body.send_window.model_dump() if body.send_window else None)
    return _detail(campaign.id)


@operation("GET", "/campaigns/<int:campaign_id>", summary="Read a campaign", tag="campaigns",
           roles=CAMPAIGN_ROLES, response=CampaignOut)
def get(campaign_id: int) -> CampaignOut:
    """Settings, templates, approvals (who, when, why) and messages per delivery state."""
    return _detail(_campaign(campaign_id).id)


@operation("PATCH", "/campaigns/<int:campaign_id>", summary="Change a campaign",
           tag="campaigns", roles=CAMPAIGN_ROLES, body=CampaignUpdate, response=CampaignOut,
           errors=(409,))
def update(campaign_id: int, body: CampaignUpdate) -> CampaignOut:
    """Only before it is scheduled. A new offer or audience withdraws an approval."""
    campaign = _campaign(campaign_id)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    if "audience" in changes:
        changes["audience"] = body.audience.model_dump(mode="json", exclude_unset=True)
    if "offer" in changes:
        changes["offer"] = body.offer.model_dump(mode="json", exclude_none=True)
    if "send_window" in changes and body.send_window is not None:
        changes["send_window"] = body.send_window.model_dump()
    _refused(services.update_campaign, get_session(), campaign.id, user_id=current_user().id,
             **changes)
    return _detail(campaign.id)


@operation("PUT", "/campaigns/<int:campaign_id>/templates/<language>",
           summary="Replace the template of one language", tag="campaigns",
           roles=CAMPAIGN_ROLES, body=TemplateIn, response=CampaignOut, errors=(409,))
def put_template(campaign_id: int, language: str, body: TemplateIn) -> CampaignOut:
    """``language`` is en or ru. 422 when the template does not compile or render."""
    campaign = _campaign(campaign_id)
    if language not in services.LANGUAGES:
        raise ApiError(404, f"no such language; the languages are "
                            f"{', '.join(services.LANGUAGES)}")
    _refused(services.save_template, get_session(), campaign.id, language, body.subject,
             body.html, body.text, user_id=current_user().id)
    return _detail(campaign.id)


@operation("GET", "/campaigns/<int:campaign_id>/audience", summary="Who the campaign reaches",
           tag="campaigns", roles=CAMPAIGN_ROLES, response=AudiencePreview, errors=(422,))
def audience(campaign_id: int) -> AudiencePreview:
    """Counts, a sample of the accounts, the held-out share and the approval needs; 422 when
    the stored audience no longer holds (a segment has gone, say), with why."""
    found = _refused(services.preview_campaign, get_session(), _campaign(campaign_id).id,
                     status=422)
    return AudiencePreview.model_validate(found)


@operation("GET", "/campaigns/<int:campaign_id>/preview",
           summary="The message one account would get", tag="campaigns", roles=CAMPAIGN_ROLES,
           query=PreviewQuery, response=MessagePreview)
def preview(campaign_id: int, query: PreviewQuery) -> MessagePreview:
    """Rendered for real; a template that fails for this account answers 422 with why."""
    return _preview(campaign_id, query)


def _preview(campaign_id: int, query: PreviewQuery, draft: dict | None = None) -> MessagePreview:
    campaign = _campaign(campaign_id)
    account = visible_account(query.account_id)
    if query.contact_id is not None:
        contact = get_session().get(Contact, query.contact_id)
        if contact is None or contact.account_id != account.id:
            raise ApiError(404, "no such contact at this account")
    found = _refused(services.preview_message, get_session(), campaign.id, account.id,
                     query.contact_id, query.language, draft=draft, status=422)
    return MessagePreview.model_validate(found)


@operation("POST", "/campaigns/<int:campaign_id>/preview",
           summary="Preview an unsaved template for one account", tag="campaigns",
           roles=CAMPAIGN_ROLES, body=DraftPreview, response=MessagePreview)
def preview_draft(campaign_id: int, body: DraftPreview) -> MessagePreview:
    """What the template editor shows before saving; nothing is stored."""
    return _preview(campaign_id, body, body.template.model_dump())


@operation("POST", "/campaigns/<int:campaign_id>/submit", summary="Ask management to approve",
           tag="campaigns", roles=CAMPAIGN_ROLES, response=CampaignOut, errors=(409,))
def submit(campaign_id: int) -> CampaignOut:
    _refused(services.request_approval, get_session(), _campaign(campaign_id).id,
             user_id=current_user().id)
    return _detail(campaign_id)


@operation("POST", "/campaigns/<int:campaign_id>/approve", summary="Approve a campaign",
           tag="campaigns", roles={"manager"}, body=Decision, response=CampaignOut,
           errors=(409,))
def approve(campaign_id: int, body: Decision) -> CampaignOut:
    """Management only; who, when and why are kept with the campaign and in the audit log."""
    _refused(services.decide, get_session(), _campaign(campaign_id).id, current_user().id,
             approve=True, reason=body.reason)
    return _detail(campaign_id)


@operation("POST", "/campaigns/<int:campaign_id>/reject", summary="Reject a campaign",
           tag="campaigns", roles={"manager"}, body=Rejection, response=CampaignOut,
           errors=(409,))
def reject(campaign_id: int, body: Rejection) -> CampaignOut:
    """Management only, with a reason."""
    _refused(services.decide, get_session(), _campaign(campaign_id).id, current_user().id,
             approve=False, reason=body.reason)
    return _detail(campaign_id)


@operation("POST", "/campaigns/<int:campaign_id>/schedule", summary="Schedule a campaign",
           tag="campaigns", roles=CAMPAIGN_ROLES, body=ScheduleRequest, response=Scheduled,
           errors=(409, 422))
def schedule(campaign_id: int, body: ScheduleRequest) -> Scheduled:
    """Now, at a time, or on a trigger; workers send it. A campaign scheduled but not yet
    started is rescheduled. 409 when it needs an approval or is past scheduling."""
    campaign = _campaign(campaign_id)
    run_id = _refused(services.schedule, get_session(), campaign.id, queue=campaign_queue(),
                      mode=body.mode.value, at=body.at,
                      trigger=body.trigger.value if body.trigger else None,
                      user_id=current_user().id, parallel=body.parallel)
    started = run_started(run_id) if run_id else None
    return Scheduled(campaign=_summary(campaign.id), run_id=run_id,
                     status_url=started.status_url if started else None)


@operation("POST", "/campaigns/<int:campaign_id>/cancel", summary="Cancel a campaign",
           tag="campaigns", roles=CAMPAIGN_ROLES, response=CampaignOut, errors=(409,))
def cancel(campaign_id: int) -> CampaignOut:
    """Messages not sent yet stay unsent; a start job still waiting is withdrawn."""
    _refused(services.cancel_campaign, get_session(), _campaign(campaign_id).id,
             user_id=current_user().id, queue=campaign_queue())
    return _detail(campaign_id)


@operation("GET", "/campaigns/<int:campaign_id>/status", summary="A campaign's progress",
           tag="campaigns", roles=CAMPAIGN_ROLES, response=CampaignStatusOut)
def status(campaign_id: int) -> CampaignStatusOut:
    detail = campaign_detail(get_session(), _campaign(campaign_id).id)
    progress = delivery_progress(get_session(), campaign_id)
    return CampaignStatusOut(**{**detail, "total": progress.total, "done": progress.done,
                                "percent": progress.percent if progress.total else None})


@operation("GET", "/campaigns/<int:campaign_id>/results",
           summary="Delivery, engagement and uplift against the holdout", tag="campaigns",
           roles=CAMPAIGN_ROLES, query=ResultsQuery, response=Results)
def results(campaign_id: int, query: ResultsQuery) -> Results:
    found = campaign_results(get_session(), _campaign(campaign_id).id, query.window_days)
    return Results.model_validate(found)
