"""``abm campaign ...``: create, inspect, approve, schedule, send and measure campaigns.

The text output speaks the command's language (see ``abm.config.command_language``);
kinds, statuses and triggers stay codes, as the options take them. The JSON output
keeps its stable keys.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from abm.workspace.refusals import N_
from abm.workspace.wording import number, percent, refusal_text

# What a send did and where the messages stand, by the keys of the send result and the
# outbox states; what contacts did, by event.
SEND_COUNTS = {"sent": N_("sent"), "bounced": N_("bounced"), "refused": N_("refused"),
               "undeliverable": N_("undeliverable"), "deferred": N_("deferred"),
               "failed": N_("failed"), "suppressed": N_("suppressed"),
               "capped": N_("over a frequency cap"), "invalid": N_("not rendered"),
               "waiting": N_("waiting"), "pending": N_("waiting"), "claimed": N_("being sent"),
               "duplicate": N_("address shared"), "unreachable": N_("unreachable")}
EVENTS = {"open": N_("opens"), "click": N_("clicks"), "unsubscribe": N_("unsubscribes"),
          "bounce": N_("bounces")}
# Why a contact of the audience cannot be mailed.
UNREACHABLE = {"no_consent": N_("no consent"), "unsubscribed": N_("opted out"),
               "bounced": N_("bounced before"), "invalid_address": N_("invalid address")}


class CampaignCLIError(click.ClickException):
    """A refusal: its message, said in the command's language (as ``abm`` says every error,
    its "Error:" too), and exit code 2."""

    exit_code = 2


def _session():
    from abm.db import get_session

    return get_session()


def _json_option(value: str | None, what: str):
    """JSON given inline or as @path."""
    if value is None:
        return None
    try:
        text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise CampaignCLIError(_("%(option)s: not valid JSON (%(error)s)", option=what,
                                 error=exc)) from None


def _user_id(session, email: str | None) -> int | None:
    if not email:
        return None
    from sqlalchemy import func, select

    from abm.users.models import User

    user_id = session.scalar(select(User.id).where(func.lower(User.email) == email.lower()))
    if user_id is None:
        raise CampaignCLIError(_("no user with the email %(email)s", email=email))
    return user_id


def _run(func, *args, **kwargs):
    """Call a service; user errors become a message and exit code 2, and nothing is kept."""
    from abm.campaigns.audiences import AudienceError
    from abm.campaigns.rendering import RenderError
    from abm.campaigns.services import CampaignError

    try:
        return func(*args, **kwargs)
    except AudienceError as exc:
        _session().rollback()
        raise CampaignCLIError(exc.message(translate=_)) from None
    except (CampaignError, RenderError) as exc:
        _session().rollback()
        raise CampaignCLIError(_refusal(exc)) from None


def _refusal(exc: Exception) -> str:
    """A refusal in the command's language where the service gave its catalogue message
    (statuses stay codes here: they are what the options of the commands take)."""
    reasons = getattr(exc, "params", {}).get("reasons")
    if reasons is None:
        return refusal_text(exc)
    return refusal_text(exc, reasons="; ".join(_approval_reason(r) for r in reasons))


def _approval_reason(reason: dict) -> str:
    """Why a campaign needs approval, as the approvals page says it (the kind by its code)."""
    from flask_babel import get_locale, get_translations

    from abm.analytics.wording import Words
    from abm.campaigns.approval import worded

    return worded(reason, Words(get_translations(), str(get_locale() or "en")))


def _needs_approval(reasons: list[dict]) -> list[str]:
    """One line per reason the campaign waits for a manager."""
    return [_("needs approval: %(reason)s", reason=_approval_reason(r)) for r in reasons]


def _counts(names: dict[str, str], counts: dict) -> str:
    """``sent: 3, bounced: 1``: the counts that are not zero, each by its name."""
    return ", ".join(f"{_(names[k])}: {number(n)}" for k, n in counts.items()
                     if k in names and n)


def _emit(data, fmt: str, text: str | None = None) -> None:
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text if text is not None else json.dumps(data, ensure_ascii=False, indent=2,
                                                              default=str))


FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                      show_default=True)


@click.group("campaign")
def campaign() -> None:
    """Per-account campaigns."""


@campaign.command("create")
@click.option("--file", "file_", type=click.Path(exists=True, dir_okay=False),
              help="One JSON file with name, kind, audience, offer, templates, language.")
@click.option("--name")
@click.option("--kind")
@click.option("--audience", help="Audience rules as JSON, or @file.json.")
@click.option("--offer", help="The offer as JSON, or @file.json.")
@click.option("--title", help="The offer's title (added to --offer).")
@click.option("--discount", type=click.FloatRange(0, 100), help="Discount, percent.")
@click.option("--bonus", type=click.FloatRange(0, 100),
              help="Volume bonus, percent of purchases above --bonus-threshold.")
@click.option("--bonus-threshold", type=click.FloatRange(0), help="Purchases per 12 months above "
              "which the bonus is paid.")
@click.option("--payment-days", type=click.IntRange(0, 3650), help="Individual payment terms, "
              "in days.")
@click.option("--price-list", help="The price list the offer is made from.")
@click.option("--terms", help="Other terms, in free text.")
@click.option("--link", help="The offer's web page (a tracked link in the default templates).")
@click.option("--templates", help='{"en": {"subject", "html", "text"}} as JSON, or @file.json.')
@click.option("--language", default=None, help="Default language (en, ru).")
@click.option("--holdout", type=float, default=None, help="Share of accounts held out.")
@click.option("--user", "user_email", help="Email of the user creating it.")
@FORMAT
@with_appcontext
def create_cmd(file_, name, kind, audience, offer, title, discount, bonus, bonus_threshold,
               payment_days, price_list, terms, link, templates, language, holdout, user_email,
               fmt):
    """Create a draft campaign.

    A volume bonus, payment terms, written-out terms or a discount above the
    workspace threshold make it wait for a manager's approval, whatever its kind.
    """
    from abm.campaigns.services import approval_reasons, create_campaign

    spec = _json_option(f"@{file_}", "--file") if file_ else {}
    if not isinstance(spec, dict):
        raise CampaignCLIError(_("%(option)s: expected a JSON object", option="--file"))
    options = {"name": name, "kind": kind, "audience": _json_option(audience, "--audience"),
               "offer": _json_option(offer, "--offer"),
               "templates": _json_option(templates, "--templates"),
               "language": language, "holdout_share": holdout}
    spec.update({k: v for k, v in options.items() if v is not None})
    elements = {"title": title, "discount_percent": discount, "bonus_percent": bonus,
                "bonus_threshold": bonus_threshold, "payment_days": payment_days,
                "price_list": price_list, "terms": terms, "link": link}
    if any(v is not None for v in elements.values()):
        if not isinstance(spec.get("offer", {}), dict):
            raise CampaignCLIError(_("%(option)s: expected a JSON object", option="--offer"))
        spec["offer"] = {**spec.get("offer", {}),
                         **{k: v for k, v in elements.items() if v is not None}}
    if not spec.get("kind"):
        raise CampaignCLIError(_("a kind is required (--kind or in --file)"))
    session = _session()
    spec.setdefault("name", spec["kind"])
    created = _run(create_campaign, session, user_id=_user_id(session, user_email), **spec)
    session.commit()
    reasons = approval_reasons(session, created)
    _emit({"id": created.id, "status": created.status.value,
           "approval_reasons": [r.text() for r in reasons]}, fmt,
          "\n".join([_("created campaign %(id)s (%(kind)s, draft)", id=created.id,
                       kind=created.kind.value),
                     *_needs_approval([r.as_dict() for r in reasons])]))


@campaign.command("list")
@click.option("--status")
@click.option("--kind")
@FORMAT
@with_appcontext
def list_cmd(status, kind, fmt):
    """List campaigns, newest first."""
    from abm.campaigns.listing import list_campaigns

    rows = list_campaigns(_session(), status=status, kind=kind)
    if not rows:
        _emit([], fmt, _("no campaigns"))
        return
    columns = _("status"), _("kind"), _("sent"), _("name")
    head = "{:>5}  {:<16} {:<18} {:>7}  {}".format("#", *columns)
    text = "\n".join([head, *(f"{r.id:>5}  {r.status:<16} {r.kind:<18} {number(r.sent):>7}  "
                              f"{r.name}" for r in rows)])
    _emit([asdict(r) for r in rows], fmt, text)


@campaign.command("show")
@click.argument("campaign_id", type=int)
@FORMAT
@with_appcontext
def show_cmd(campaign_id, fmt):
    """Show a campaign: settings, approvals, outbox counts."""
    from abm.campaigns.listing import campaign_detail

    _emit(_run(campaign_detail, _session(), campaign_id), fmt)


@campaign.command("preview")
@click.argument("campaign_id", type=int)
@click.option("--account", "account_id", type=int, help="Render the message for this account.")
@click.option("--contact", "contact_id", type=int)
@click.option("--language")
@FORMAT
@with_appcontext
def preview_cmd(campaign_id, account_id, contact_id, language, fmt):
    """Audience counts, or the message one account would get."""
    from abm.campaigns.services import preview_campaign, preview_message

    session = _session()
    if account_id is None:
        data = _run(preview_campaign, session, campaign_id)
        counts = _("%(accounts)s, %(reached)s with recipients, %(contacts)s, %(held_out)s held "
                   "out", accounts=_accounts(data["accounts"]),
                   reached=number(data["accounts_with_recipients"]),
                   contacts=ngettext("%(count)s contact", "%(count)s contacts", data["contacts"],
                                     count=number(data["contacts"])),
                   held_out=number(data["holdout_accounts"]))
        _emit(data, fmt, "\n".join([counts, *_unreachable_lines(data["unreachable"]),
                                    *_needs_approval(data["approval_reasons"])]))
        return
    data = _run(preview_message, session, campaign_id, account_id, contact_id, language)
    _emit(data, fmt, _("Subject: %(subject)s", subject=data["subject"]) + f"\n\n{data['text']}")


def _accounts(count: int) -> str:
    return ngettext("%(count)s account", "%(count)s accounts", count, count=number(count))


def _unreachable_lines(counts: dict) -> list[str]:
    """Why contacts of the audience cannot be mailed, as one line (none if all can be)."""
    if not counts["total"]:
        return []
    return [ngettext("%(count)s contact unreachable (%(reasons)s)",
                     "%(count)s contacts unreachable (%(reasons)s)", counts["total"],
                     count=number(counts["total"]), reasons=_counts(UNREACHABLE, counts))]


@campaign.command("stake")
@click.argument("campaign_id", type=int)
@FORMAT
@with_appcontext
def stake_cmd(campaign_id, fmt):
    """What approving it puts at stake: recipients, revenue, cost, expected extra revenue."""
    from dataclasses import asdict

    from abm.campaigns.services import approval_reasons, get_campaign
    from abm.campaigns.stake import approval_stake

    session = _session()
    campaign = _run(get_campaign, session, campaign_id)
    stake = approval_stake(session, campaign)
    data = {**asdict(stake), "approval_reasons": [r.as_dict()
                                                  for r in approval_reasons(session, campaign)]}
    expected = _("unknown (no earlier campaign of this kind to learn from)") \
        if stake.expected_extra_revenue is None else number(stake.expected_extra_revenue, 2)
    largest = (_("%(name)s, %(share)s of revenue", name=stake.largest.name,
                 share=percent(stake.largest.share))
               if stake.largest else _("none"))
    _emit(data, fmt, "\n".join([
        *_needs_approval(data["approval_reasons"]),
        _("recipients: %(recipients)s, accounts: %(accounts)s",
          recipients=number(stake.recipients), accounts=number(stake.accounts)),
        _("their revenue %(start)s to %(end)s: %(revenue)s", start=f"{stake.period_start:%Y-%m}",
          end=f"{stake.period_end:%Y-%m}", revenue=number(stake.revenue_12m, 2)),
        _("cost at their usual volume: %(cost)s (discount %(discount)s, bonus %(bonus)s)",
          cost=number(stake.cost, 2), discount=number(stake.discount_cost, 2),
          bonus=number(stake.bonus_cost, 2)),
        _("expected extra revenue: %(value)s", value=expected),
        _("largest account: %(account)s", account=largest)]))


@campaign.command("approve")
@click.argument("campaign_id", type=int)
@click.option("--user", "user_email", required=True, help="Email of the approving manager.")
@click.option("--reject", is_flag=True, help="Reject instead of approving.")
@click.option("--reason", default="")
@with_appcontext
def approve_cmd(campaign_id, user_email, reject, reason):
    """Record a manager's approval (or rejection, with --reject and a --reason)."""
    from abm.campaigns.services import decide

    session = _session()
    decision = _run(decide, session, campaign_id, _user_id(session, user_email),
                    approve=not reject, reason=reason)
    session.commit()
    click.echo(_("campaign %(id)s approved", id=campaign_id) if decision.decision == "approved"
               else _("campaign %(id)s rejected", id=campaign_id))


@campaign.command("schedule")
@click.argument("campaign_id", type=int)
@click.option("--at", "at", help="ISO 8601 time, e.g. 2026-12-01T09:00+03:00; without an "
              "offset, in the workspace time zone. Again on a scheduled campaign: reschedules.")
@click.option("--trigger", type=click.Choice(["win_back", "birthday", "holiday"]))
@click.option("--parallel", default=1, show_default=True, help="Send jobs sharing the work.")
@click.option("--user", "user_email", help="Email of the user scheduling (for the audit log).")
@with_appcontext
def schedule_cmd(campaign_id, at, trigger, parallel, user_email):
    """Schedule now (default), at a time, or on a trigger; workers send it."""
    from abm.campaigns.jobs import campaign_queue
    from abm.campaigns.models import Campaign
    from abm.campaigns.services import schedule
    from abm.workspace.services import workspace_zone

    when = None
    if at:
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            raise CampaignCLIError(_("--at: not an ISO 8601 time: %(value)s", value=at)) \
                from None
    mode = "trigger" if trigger else "at" if at else "now"
    session = _session()
    job = _run(schedule, session, campaign_id, queue=campaign_queue(), mode=mode, at=when,
               trigger=trigger, user_id=_user_id(session, user_email), parallel=parallel)
    campaign = session.get(Campaign, campaign_id)
    zone = workspace_zone(session)
    if mode == "at":
        done = _("campaign %(id)s scheduled at %(when)s (%(zone)s)", id=campaign_id,
                 when=campaign.scheduled_at.astimezone(zone).isoformat(), zone=zone.key)
    elif mode == "trigger":
        done = _("campaign %(id)s scheduled on its trigger (%(trigger)s)", id=campaign_id,
                 trigger=trigger)
    else:
        done = _("campaign %(id)s scheduled to start now", id=campaign_id)
    click.echo(done + (", " + _("job %(job)s", job=job) if job else ""))


@campaign.command("cancel")
@click.argument("campaign_id", type=int)
@click.option("--user", "user_email", help="Email of the user cancelling (for the audit log).")
@with_appcontext
def cancel_cmd(campaign_id, user_email):
    """Cancel a campaign: messages not sent yet are not sent."""
    from abm.campaigns.jobs import campaign_queue
    from abm.campaigns.services import cancel_campaign

    session = _session()
    _run(cancel_campaign, session, campaign_id, user_id=_user_id(session, user_email),
         queue=campaign_queue())
    session.commit()
    click.echo(_("campaign %(id)s cancelled", id=campaign_id))


@campaign.command("send")
@click.argument("campaign_id", type=int)
@click.option("--batch-size", default=100, show_default=True)
@FORMAT
@with_appcontext
def send_cmd(campaign_id, batch_size, fmt):
    """Send a scheduled campaign now, in this process (no worker needed)."""
    from abm.campaigns.jobs import prepare_campaign, send_campaign_job
    from abm.campaigns.models import CampaignStatus, ScheduleMode
    from abm.campaigns.services import get_campaign

    session = _session()
    campaign = _run(get_campaign, session, campaign_id)
    if campaign.status not in (CampaignStatus.SCHEDULED, CampaignStatus.SENDING):
        raise CampaignCLIError(_("a %(status)s campaign cannot be sent; schedule it first",
                                 status=campaign.status.value))
    if campaign.schedule_mode != ScheduleMode.TRIGGER:
        prepare_campaign(session, campaign_id)
        session.commit()
    result = send_campaign_job(campaign_id, batch_size=batch_size)
    _emit(result, fmt, _send_text(result))


def _send_text(result: dict) -> str:
    """What a send did: its counts, the next retry, or why it sent nothing."""
    if result.get("skipped"):
        return _("nothing sent: the campaign is %(status)s", status=result["skipped"])
    text = _counts(SEND_COUNTS, result) or _("nothing to send")
    if result.get("retry_at"):
        text += "; " + _("next retry at %(time)s", time=result["retry_at"])
    return text


@campaign.command("results")
@click.argument("campaign_id", type=int)
@click.option("--window", "window_days", type=int, help="Attribution window in days.")
@FORMAT
@with_appcontext
def results_cmd(campaign_id, window_days, fmt):
    """Delivery, engagement and revenue uplift against the holdout group."""
    from abm.campaigns.results import campaign_results
    from abm.campaigns.services import get_campaign

    session = _session()
    _run(get_campaign, session, campaign_id)
    data = campaign_results(session, campaign_id, window_days)
    u = data.uplift
    text = "\n".join([
        _counts(SEND_COUNTS, data.states) or _("no messages"),
        _counts(EVENTS, data.events) or _("no opens or clicks yet"),
        _("reached %(treated)s, mean %(treated_mean)s; held out %(held_out)s, mean "
          "%(held_out_mean)s; uplift %(uplift)s [%(low)s, %(high)s]",
          treated=_accounts(u.treated_accounts), treated_mean=number(u.treated_mean, 2),
          held_out=_accounts(u.held_out_accounts), held_out_mean=number(u.held_out_mean, 2),
          uplift=number(u.uplift, 2), low=number(u.ci_low, 2), high=number(u.ci_high, 2))])
    _emit(asdict(data), fmt, text)
