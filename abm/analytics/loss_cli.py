"""``abm analytics mark-lost``, ``mark-won-back`` and ``losses``: why accounts leave."""

from __future__ import annotations

import json
from dataclasses import asdict

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from abm.workspace.wording import number, refusal_text

# Added to ``abm analytics`` by :func:`abm.analytics.cli.register`.
COMMANDS: list[click.Command] = []
TODAY = click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
                     help="The day of the mark (default: the real date).")


def _mark(action: str, account: str, reason: str, note: str, today) -> None:
    from abm.analytics.losses import LossError, account_id_by_ref, mark_account
    from abm.audit.services import COMMAND_LINE
    from abm.db import get_session

    session = get_session()
    try:
        done = mark_account(session, account_id_by_ref(session, account), action, reason, note,
                            on=today.date() if today else None, actor=COMMAND_LINE)
    except LossError as exc:
        session.rollback()
        raise click.ClickException(refusal_text(exc)) from None
    session.commit()
    shown = {"id": done.account_id, "reason": done.reason, "day": done.occurred_on.isoformat(),
             "revenue": number(done.monthly_revenue, 2)}
    if done.action == "lost":
        click.echo(_("account %(id)s marked lost (%(reason)s) on %(day)s: %(revenue)s a month "
                     "before", **shown))
    else:
        click.echo(_("account %(id)s marked won back (%(reason)s) on %(day)s: %(revenue)s a "
                     "month before", **shown))


NOTE = click.option("--note", default="", help="What happened, in a few words.")
REASON = click.option("--reason", required=True,
                      help="One of the workspace's reasons (setting analytics.loss_reasons).")


@click.command("mark-lost")
@click.argument("account")
@REASON
@NOTE
@TODAY
@with_appcontext
def mark_lost_cmd(account, reason, note, today) -> None:
    """Mark ACCOUNT (external id or id) lost, with a reason."""
    _mark("lost", account, reason, note, today)


@click.command("mark-won-back")
@click.argument("account")
@REASON
@NOTE
@TODAY
@with_appcontext
def mark_won_back_cmd(account, reason, note, today) -> None:
    """Mark ACCOUNT (external id or id) won back, with a reason."""
    _mark("won_back", account, reason, note, today)


@click.command("losses")
@click.option("--by", type=click.Choice(["month", "quarter", "year"]), default="month",
              show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@with_appcontext
def losses_cmd(by, fmt) -> None:
    """Lost revenue by reason and period (accounts marked lost)."""
    from abm.analytics.losses import lost_revenue_report
    from abm.db import get_session

    rows = lost_revenue_report(get_session(), by=by)
    if fmt == "json":
        click.echo(json.dumps({"by": by, "items": [asdict(r) for r in rows]},
                              ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r.period:<8} {r.reason:<20} {number(r.accounts):>5} "
                   f"{number(r.monthly_revenue, 2):>14} {number(r.annual_revenue, 2):>16}")


COMMANDS += [mark_lost_cmd, mark_won_back_cmd, losses_cmd]
