"""``abm loyalty propose``: this month's tier proposals, run by hand (the cron runs it too)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext
from flask_babel import ngettext

from abm.loyalty.jobs import propose_tiers


@click.group("loyalty")
def loyalty() -> None:
    """Loyalty programmes."""


@loyalty.command("propose")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Propose as on this day (default: today).")
@with_appcontext
def propose(today) -> None:
    """Propose the month's tier changes for a manager to confirm."""
    day: date | None = today.date() if today else None
    result = propose_tiers(day.isoformat() if day else None)
    click.echo(ngettext("%(num)s tier change proposed", "%(num)s tier changes proposed",
                        result["proposed"]))
