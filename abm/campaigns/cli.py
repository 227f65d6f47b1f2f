"""``abm campaign ...``: create, inspect, approve, schedule, send and measure campaigns."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext


class CampaignCLIError(click.ClickException):
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
        raise CampaignCLIError(f"{what}: not valid JSON ({exc})") from None


def _user_id(session, email: str | None) -> int | None:
    if not email:
        return None
    from sqlalchemy import func, select

    from abm.users.models import User

    user_id = session.scalar(select(User.id).where(func.lower(User.email) == email.lower()))
    if user_id is None:
        raise CampaignCLIError(f"no user {email}")
    return user_id


def _run(func, *args, **kwargs):
    """Call a service; user errors become a message and exit code 2, and nothing is kept."""
    from abm.campaigns.audiences import AudienceError
    from abm.campaigns.rendering import RenderError
    from abm.campaigns.services import CampaignError

    try:
        return func(*args, **kwargs)
    except (CampaignError, AudienceError, RenderError) as exc:
        _session().rollback()
        raise CampaignCLIError(_refusal(exc)) from None


def _refusal(exc: Exception) -> str:
    """A refusal in the command's language where the service gave its catalogue message
    (statuses stay codes here: they are what the options of the commands take)."""
    from flask_babel import gettext

    template = getattr(exc, "template", None)
    if not template:
        return str(exc)
    params = dict(exc.params)  # type: ignore[attr-defined]
    if "reasons" in params:
        params["reasons"] = "; ".join(r["text"] for r in params["reasons"])
    return gettext(template, **{k: str(v) for k, v in params.items()})


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
        raise CampaignCLIError("--file: expected a JSON object")
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
            raise CampaignCLIError("--offer: expected a JSON object")
        spec["offer"] = {**spec.get("offer", {}),
                         **{k: v for k, v in elements.items() if v is not None}}
    if not spec.get("kind"):
        raise CampaignCLIError("a kind is required (--kind or in --file)")
    session = _session()
    spec.setdefault("name", spec["kind"])
    created = _run(create_campaign, session, user_id=_user_id(session, user_email), **spec)
    session.commit()
    reasons = [r.text() for r in approval_reasons(session, created)]
    _emit({"id": created.id, "status": created.status.value, "approval_reasons": reasons}, fmt,
          f"created campaign {created.id} ({created.kind}, draft)"
          + "".join(f"\nneeds approval: {r}" for r in reasons))


@campaign.command("list")
@click.option("--status")
@click.option("--kind")
@FORMAT
@with_appcontext
def list_cmd(status, kind, fmt):
    """List campaigns, newest first."""
    from abm.campaigns.listing import list_campaigns

    rows = list_campaigns(_session(), status=status, kind=kind)
    text = "\n".join(f"{r.id:>5}  {r.status:<16} {r.kind:<18} {r.sent:>7}  "
                     f"{r.name}" for r in rows) or "no campaigns"
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
        text = (f"{data['accounts']} accounts, {data['accounts_with_recipients']} with "
                f"recipients, {data['contacts']} contacts, {data['holdout_accounts']} held out"
                + _unreachable_line(data["unreachable"])
                + "".join(f"\nneeds approval: {r['text']}" for r in data["approval_reasons"]))
        _emit(data, fmt, text)
        return
    data = _run(preview_message, session, campaign_id, account_id, contact_id, language)
    _emit(data, fmt, f"Subject: {data['subject']}\n\n{data['text']}")


def _unreachable_line(counts: dict) -> str:
    """Why contacts of the audience cannot be mailed, as one line (nothing if none)."""
    if not counts["total"]:
        return ""
    reasons = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in counts.items()
                        if k != "total" and n)
    return f"\n{counts['total']} contacts unreachable: {reasons}"


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
    expected = "unknown (no earlier campaign of this kind to learn from)" \
        if stake.expected_extra_revenue is None else f"{stake.expected_extra_revenue:,.2f}"
    largest = (f"{stake.largest.name}, {stake.largest.share:.1%} of revenue"
               if stake.largest else "none")
    _emit(data, fmt, "\n".join([
        *(f"needs approval: {r['text']}" for r in data["approval_reasons"]),
        f"{stake.recipients} recipients at {stake.accounts} accounts",
        f"their revenue {stake.period_start:%Y-%m} to {stake.period_end:%Y-%m}: "
        f"{stake.revenue_12m:,.2f}",
        f"cost at their usual volume: {stake.cost:,.2f} (discount {stake.discount_cost}, "
        f"bonus {stake.bonus_cost})",
        f"expected extra revenue: {expected}",
        f"largest account: {largest}"]))


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
    click.echo(f"campaign {campaign_id} {decision.decision}")


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
            raise CampaignCLIError(f"--at: not an ISO 8601 time: {at}") from None
    mode = "trigger" if trigger else "at" if at else "now"
    session = _session()
    job = _run(schedule, session, campaign_id, queue=campaign_queue(), mode=mode, at=when,
               trigger=trigger, user_id=_user_id(session, user_email), parallel=parallel)
    campaign = session.get(Campaign, campaign_id)
    zone = workspace_zone(session)
    when_text = (f" at {campaign.scheduled_at.astimezone(zone).isoformat()} ({zone.key})"
                 if mode == "at" else "")
    click.echo(f"campaign {campaign_id} scheduled ({mode}){when_text}"
               + (f", job {job}" if job else ""))


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
    click.echo(f"campaign {campaign_id} cancelled")


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
        raise CampaignCLIError(f"a {campaign.status} campaign cannot be sent; schedule it first")
    if campaign.schedule_mode != ScheduleMode.TRIGGER:
        prepare_campaign(session, campaign_id)
        session.commit()
    result = send_campaign_job(campaign_id, batch_size=batch_size)
    _emit(result, fmt, ", ".join(f"{k} {v}" for k, v in result.items() if v))


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
    text = (" ".join(f"{k} {v}" for k, v in data.states.items() if v) + "\n"
            + " ".join(f"{k} {v}" for k, v in data.events.items()) + "\n"
            + f"treated {u.treated_accounts} accounts, mean {u.treated_mean}; held out "
            f"{u.held_out_accounts}, mean {u.held_out_mean}; uplift {u.uplift} "
            f"[{u.ci_low}, {u.ci_high}]")
    _emit(asdict(data), fmt, text)
