"""``abm segment`` and ``abm potential fit``: thin commands over the services; they commit."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from sqlalchemy import select

from abm.accounts.models import Account
from abm.db import get_session
from abm.segments.models import AccountPotential
from abm.segments.settings import PotentialSettings
from abm.segments.wording import reason_text, refusal_text, segment_name
from abm.workspace.refusals import N_
from abm.workspace.services import settings_of
from abm.workspace.wording import number, percent

# The modeling modules load NumPy, SciPy and scikit-learn (about 2 s and 135 MB): they are
# imported by the commands that use them, not by every `abm` command and worker.

UNITS = {"days": N_("days"), "weeks": N_("weeks")}
FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                      show_default=True, help="Output format.")


@click.command("segment")
@click.option("--k", type=click.IntRange(min=2), default=None,
              help="Number of segments (default: chosen by silhouette).")
@click.option("--keep-potential", is_flag=True,
              help="Use the latest potential fit instead of fitting it again.")
@FORMAT
@with_appcontext
def segment(k: int | None, keep_potential: bool, fmt: str) -> None:
    """Segment every account with sales and store the run."""
    from abm.ml.clustering import SegmentationError
    from abm.segments.services import segment_and_fit_potential

    session = get_session()
    try:
        made = segment_and_fit_potential(session, k=k, refit_potential=not keep_potential)
    except SegmentationError as exc:
        session.rollback()
        raise click.UsageError(refusal_text(exc)) from None
    session.commit()
    if made.reason:
        click.echo(_("note: %(note)s", note=reason_text(made.reason, made.note)), err=True)
    summary = made.summary
    if fmt == "json":
        click.echo(json.dumps(asdict(summary), indent=2))
        return
    silhouette = summary.metrics["silhouette"]
    click.echo(_("run %(run)s: %(accounts)s, k=%(k)s (%(chosen_by)s), silhouette %(silhouette)s, "
                 "as of %(as_of)s", run=summary.run_id,
                 accounts=ngettext("%(count)s account", "%(count)s accounts", summary.accounts,
                                   count=number(summary.accounts)),
                 k=summary.k, chosen_by=_chosen_by(summary.k_chosen_by),
                 silhouette=_("n/a") if silhouette is None else number(silhouette, 3),
                 as_of=summary.as_of))
    for s in summary.segments:
        figures = {f["feature"]: f["value"] for f in s.explanation["figures"]}
        click.echo(f"  #{s.id:<4} {number(s.size):>7} ({percent(s.share):>6})  "
                   f"{segment_name(s.name)}")
        click.echo("        " + _(
            "revenue 12m %(revenue)s, active months %(active)s, silent %(silent)s months, "
            "trend %(trend)s, CLV 12m %(clv)s, P(alive) %(p_alive)s",
            revenue=number(figures["revenue_12m"]), active=number(figures["active_months_12m"], 1),
            silent=number(figures["recency_months"], 1), trend=f"{figures['trend']:+.2f}",
            clv=number(figures["clv_12m"]), p_alive=number(figures["p_alive"], 2)))


def _chosen_by(how: str) -> str:
    """How the number of segments was chosen ("fixed", "silhouette"), in the command's
    language."""
    if how == "fixed":
        return pgettext("k chosen by", "fixed")
    if how == "silhouette":
        return pgettext("k chosen by", "silhouette")
    return how


@click.group("potential")
def potential() -> None:
    """Account potential: BG/NBD purchases, Gamma-Gamma spend, prospect lookalike."""


@potential.command("fit")
@click.option("--calibration-end", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last day of history used (default: the last order date).")
@click.option("--unit", type=click.Choice(["days", "weeks"]), default=None,
              help="Time unit of the model (default: the workspace setting).")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Accounts listed, by CLV (0: all).")
@FORMAT
@with_appcontext
def potential_fit(calibration_end, unit: str | None, limit: int, fmt: str) -> None:
    """Fit the potential model on every customer's history, store it and print it."""
    from abm.segments.potential import PotentialError, fit_potential

    session = get_session()
    potential = settings_of(session, PotentialSettings)
    end: date | None = calibration_end.date() if calibration_end else None
    try:
        result = fit_potential(session, calibration_end=end,
                               **(potential.fit_options() | ({"unit": unit} if unit else {})))
    except PotentialError as exc:
        session.rollback()
        raise click.UsageError(refusal_text(exc)) from None
    session.commit()
    accounts = _account_figures(session, result.fit_id, limit)
    if fmt == "json":
        click.echo(json.dumps(asdict(result) | {"accounts": accounts}, indent=2))
        return
    bg, spend = result.bgnbd, result.spend
    click.echo(_("fit %(fit)s: %(customers)s customers, %(prospects)s prospects, calibration "
                 "end %(end)s, unit %(unit)s", fit=result.fit_id,
                 customers=number(result.customers), prospects=number(result.prospects),
                 end=result.calibration_end, unit=_(UNITS.get(result.unit, result.unit))))
    likelihood = _("log-likelihood")
    click.echo(f"BG/NBD  r={bg['r']:.4g} alpha={bg['alpha']:.4g} a={bg['a']:.4g} "
               f"b={bg['b']:.4g}  {likelihood} {bg['log_likelihood']:.1f}")
    if spend:
        click.echo(f"Gamma-Gamma  p={spend['p']:.4g} q={spend['q']:.4g} "
                   f"gamma={spend['gamma']:.4g}  {likelihood} "
                   f"{spend['log_likelihood']:.1f}")
    if result.spend_error:
        click.echo(_("note: %(note)s", note=reason_text(result.spend_note, result.spend_error)))
    account, purchases, alive = _("account"), _("E[purch]"), _("P(alive)")
    click.echo(f"{account:<30} {'x':>5} {'t_x':>8} {'T':>8} {purchases:>9} {alive:>8} "
               f"{'CLV':>12}")
    for a in accounts:
        clv = "" if a["clv"] is None else f"{a['clv']:,.0f}"
        click.echo(f"{a['name'][:30]:<30} {a['frequency']:>5} {a['recency']:>8.2f} "
                   f"{a['age']:>8.2f} {a['expected_purchases']:>9.2f} {a['p_alive']:>8.3f} "
                   f"{clv:>12}")


def _account_figures(session, fit_id: int, limit: int) -> list[dict]:
    p = AccountPotential
    stmt = (select(p, Account.name).join(Account, Account.id == p.account_id)
            .where(p.fit_id == fit_id, p.kind == "customer")
            .order_by(p.clv.desc(), p.expected_purchases.desc(), p.account_id))
    if limit:
        stmt = stmt.limit(limit)
    return [
        {"account_id": row.account_id, "name": name, "frequency": row.frequency,
         "recency": row.recency, "age": row.age, "expected_purchases": row.expected_purchases,
         "p_alive": row.p_alive, "expected_spend": row.expected_spend, "clv": row.clv}
        for row, name in session.execute(stmt)
    ]


def register(group: click.Group) -> None:
    """Add ``segment`` and ``potential`` to the ``abm`` command."""
    group.add_command(segment)
    group.add_command(potential)
