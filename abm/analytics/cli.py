"""``abm analytics ...`` and ``abm report key-accounts``: thin commands over the services."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import date
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from abm.analytics.periods import parse_month
from abm.workspace.sections import N_
from abm.workspace.wording import number, percent

if TYPE_CHECKING:
    from abm.analytics.refresh import RefreshSummary


class MonthType(click.ParamType):
    name = "YYYY-MM"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return parse_month(value)
        except ValueError:
            self.fail(_("%(month)s is not a month in the form YYYY-MM", month=repr(value)),
                      param, ctx)


MONTH = MonthType()
FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                      show_default=True)
TODAY = click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
                     help="Compute as of this date (default: the real date).")


def _today(value) -> date:
    return value.date() if value is not None else date.today()


def _plain(value):
    """What JSON cannot write itself: results (dataclasses) as objects, dates as text."""
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else str(value)


def _json(data) -> None:
    click.echo(json.dumps(data, default=_plain, ensure_ascii=False, indent=2))


def _pct(x: float | None) -> str:
    return percent(x)


CHURN_STATES = {"active": N_("Active"), "at_risk": N_("At risk"), "lost": N_("Lost")}
FLAG_NAMES = {"mono_client": N_("mono-client"), "dependency": N_("dependency"),
              "key": N_("key"), "near_key": N_("near-key"), "pareto_core": N_("Pareto core")}


@click.group()
def analytics() -> None:
    """Key-account analytics: shares, Pareto, ABC-XYZ, alerts and churn."""


@click.group()
def report() -> None:
    """Reports."""


def register(cli: click.Group) -> None:
    """Add the analytics commands to the ``abm`` command."""
    from abm.analytics.loss_cli import COMMANDS

    for command in COMMANDS:
        analytics.add_command(command)
    cli.add_command(analytics)
    cli.add_command(report)


@analytics.command("concentration")
@click.option("--end", type=MONTH, help="Last month of the period (default: last full month).")
@click.option("--months", type=click.IntRange(1, 120), help="Months in the period (default 12).")
@click.option("--by", type=click.Choice(["revenue", "margin"]), help="Measure (default revenue).")
@click.option("--limit", type=click.IntRange(0), default=20, show_default=True,
              help="Accounts listed in text output (JSON lists all).")
@FORMAT
@TODAY
@with_appcontext
def concentration_cmd(end, months, by, limit, fmt, today) -> None:
    """Shares of the total, key/dependency/mono-client flags, HHI and the Pareto core."""
    from abm.analytics.concentration import concentration
    from abm.db import get_session

    result = concentration(get_session(), today=_today(today), end=end, months=months, by=by)
    if fmt == "json":
        _json(result)
        return
    p = result.pareto
    click.echo(_("Period %(start)s..%(end)s by %(measure)s: total %(total)s, %(accounts)s",
                 start=result.period.start, end=result.period.end,
                 measure=_(result.measure), total=number(result.total, 2),
                 accounts=ngettext("%(count)s account with sales", "%(count)s accounts with sales",
                                   result.accounts_with_sales,
                                   count=number(result.accounts_with_sales))))
    click.echo(_("HHI %(hhi)s (%(level)s); Pareto core %(core)s = %(share)s of accounts bring "
                 "%(value)s", hhi=number(result.hhi), level=_(result.hhi_level),
                 core=ngettext("%(count)s account", "%(count)s accounts", p.core_accounts,
                               count=number(p.core_accounts)),
                 share=_pct(p.core_account_share), value=_pct(p.core_value_share)))
    for name in ("mono_client", "dependency", "key", "near_key"):
        click.echo(f"{_(FLAG_NAMES[name])}: {number(len(result.flags[name]))}")
    rank, account, share, cumulative = _("rank"), _("account"), _("share"), _("cum.")
    click.echo(f"{rank:>4}  {account:<12} {share:>7} {cumulative:>7}  " + _("flags"))
    for a in result.accounts[:limit]:
        flags = [_(FLAG_NAMES[n]) for n in FLAG_NAMES if getattr(a, n)]
        click.echo(f"{a.rank:>4}  {a.external_id or a.account_id!s:<12} "
                   f"{_pct(a.share):>7} {_pct(a.cumulative_share):>7}  "
                   f"{', '.join(flags)}")


@report.command("key-accounts")
@click.option("--month", type=MONTH, help="Last month of the report (default: last full month).")
@click.option("--top", type=click.IntRange(1, 1000), help="Accounts in the report (default 20).")
@FORMAT
@TODAY
@with_appcontext
def key_accounts_cmd(month, top, fmt, today) -> None:
    """Top-N accounts by average monthly shipments, and what changed since last month."""
    from abm.analytics.topn import key_account_report
    from abm.db import get_session

    session = get_session()
    # A missing report is stored; the dashboard shows the reports of the last
    # analytics refresh, which keeps the last full month's.
    result = key_account_report(session, month=month, today=_today(today), top_n=top)
    session.commit()
    if fmt == "json":
        _json(result)
        return
    click.echo(_("Top %(n)s by average monthly %(measure)s, %(first)s..%(last)s (against "
                 "%(previous)s)", n=result.top_n, measure=_(result.measure),
                 first=result.months[0], last=result.months[-1],
                 previous=result.previous_month))
    for r in result.rows:
        change = {"entered": _("new"), "same": "="}.get(
            r.status, f"{r.change:+d}" if r.change is not None else "")
        click.echo(f"{r.rank:>4}  {r.external_id or r.account_id!s:<12} "
                   f"{number(r.average, 2):>14}  {change:>4}  {r.name}")
    for gone in result.changes["left"]:
        click.echo(_("left: %(account)s (was %(rank)s)",
                     account=gone.external_id or gone.account_id, rank=gone.previous_rank))


@analytics.command("abcxyz")
@click.option("--end", type=MONTH, help="Last month of the period (default: last full month).")
@FORMAT
@TODAY
@with_appcontext
def abcxyz_cmd(end, fmt, today) -> None:
    """The ABC-XYZ class of every account and the nine-cell matrix."""
    from abm.analytics.abcxyz import abc_xyz
    from abm.db import get_session

    result = abc_xyz(get_session(), today=_today(today), end=end)
    if fmt == "json":
        _json(result)
        return
    click.echo(_("Period %(start)s..%(end)s by %(measure)s, total %(total)s",
                 start=result.period.start, end=result.period.end, measure=_(result.measure),
                 total=number(result.total, 2)))
    for name, cell in result.matrix.items():
        accounts = ngettext("%(count)s account", "%(count)s accounts", cell.count,
                            count=number(cell.count))
        click.echo(f"{name}  {accounts:>14}  {number(cell.value, 2):>16}  "
                   f"{_pct(cell.share):>6}  {_(cell.recommendation)}")


@analytics.command("alerts")
@click.option("--refresh/--no-refresh", default=True, show_default=True,
              help="Check the conditions first (raises and resolves alerts).")
@click.option("--status", type=click.Choice(["open", "acknowledged", "resolved", "all"]),
              default=None, help="Alerts listed (default: open and acknowledged).")
@FORMAT
@TODAY
@with_appcontext
def alerts_cmd(refresh, status, fmt, today) -> None:
    """Monitoring alerts of the key accounts, and the near-key accounts."""
    from flask_babel import get_locale, get_translations

    from abm.analytics.alerts import list_alerts, refresh_alerts
    from abm.analytics.monitoring import monitored_accounts
    from abm.analytics.settings import AnalyticsSettings
    from abm.analytics.wording import Words, account_reason, alert_text
    from abm.currencies.services import workspace_currency
    from abm.db import get_session
    from abm.workspace.services import settings_of

    session = get_session()
    day = _today(today)
    counts = None
    if refresh:
        refreshed = refresh_alerts(session, today=day)
        session.commit()
        counts, near = refreshed.counts(), refreshed.near_key
    else:
        near = monitored_accounts(session, today=day,
                                  settings=settings_of(session, AnalyticsSettings)).near_key
    alerts = list_alerts(session, status=None if status == "all"
                         else status or ("open", "acknowledged"))
    if fmt == "json":
        _json({"summary": counts or {}, "alerts": alerts,
               "near_key": [{k: getattr(a, k) for k in ("account_id", "external_id", "name",
                                                        "share", "growth", "reasons",
                                                        "explanations")}
                            for a in near]})
        return
    if counts:
        click.echo(ngettext("%(num)s key account monitored: %(raised)s raised, %(resolved)s "
                            "resolved, %(open)s not resolved",
                            "%(num)s key accounts monitored: %(raised)s raised, %(resolved)s "
                            "resolved, %(open)s not resolved", counts.monitored,
                            raised=number(counts.raised), resolved=number(counts.resolved),
                            open=number(counts.open)))
    words = Words(get_translations(), str(get_locale() or "en"),
                  currency=workspace_currency(session))
    for a in alerts:
        click.echo(f"#{a.id:<5} {a.status:<12} {a.external_id or a.account_id!s:<10}"
                   f" {a.kind:<22} {alert_text(a.kind, a.details, words)}")
    for n in near:
        click.echo(_("near-key %(account)s: %(reasons)s", account=n.external_id or n.account_id,
                     reasons="; ".join(account_reason(e.code, e.params, words)
                                       for e in n.explanations)))


@analytics.command("churn")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True,
              help="Accounts in the win-back list.")
@FORMAT
@TODAY
@with_appcontext
def churn_cmd(limit, fmt, today) -> None:
    """Refresh the analytics (churn states among them) and print the win-back list."""
    from flask_babel import get_locale, get_translations

    from abm.analytics.churn import win_back_list
    from abm.analytics.wording import Words, churn_reason_text
    from abm.db import get_session

    session = get_session()
    day = _today(today)
    c = refresh_here(session, today=day).churn
    win_back = win_back_list(session, today=day, limit=limit)
    session.commit()
    if fmt == "json":
        _json({"states": c, "win_back": win_back})
        return
    click.echo(_("active %(active)s, at risk %(at_risk)s, lost %(lost)s (%(changed)s changed "
                 "state)", active=number(c.active), at_risk=number(c.at_risk),
                 lost=number(c.lost), changed=number(c.changed)))
    words = Words(get_translations(), str(get_locale() or "en"))
    for w in win_back:
        reasons = [churn_reason_text(r, words) for r in w.reasons[:-1]]  # at stake: a column
        click.echo(f"{_(CHURN_STATES.get(w.state, w.state)):<10} "
                   f"{w.external_id or w.account_id!s:<10} "
                   f"{number(w.revenue_at_stake, 2):>14}  {'; '.join(reasons)}")


@analytics.command("refresh")
@TODAY
@click.option("--quiet", is_flag=True, help="Do not print the steps (on standard error).")
@with_appcontext
def refresh_cmd(today, quiet) -> None:
    """Bring every figure derived from the sales data up to date, as after an import.

    Labels (shares, flags, Pareto, ABC-XYZ), churn states, alerts, the key-account
    reports of the last two full months and the dashboard's figures; prints a
    summary as JSON.
    """
    from abm.db import get_session

    echo = None if quiet else (lambda line: click.echo(line, err=True))
    _json(refresh_here(get_session(), today=_today(today), echo=echo))


STEP_TEXT = {"labels": N_("shares, flags and ABC-XYZ"), "churn": N_("churn states"),
             "alerts": N_("alert conditions"), "storing": N_("storing the figures")}


def refresh_here(session, *, today: date | None = None, echo=None) -> RefreshSummary:
    """Run the analytics refresh in this process and commit, printing each step to ``echo``.

    For the commands, which cannot count on a worker running. Returns the
    refresh's summary (see :func:`abm.analytics.refresh.refresh_analytics`).
    """
    import time

    from abm.analytics.refresh import refresh_analytics

    started = time.perf_counter()

    def step(done: int, total: int, message: str) -> None:
        session.commit()  # ends the reads of the step before; nothing is written yet
        if echo is not None:
            echo("  " + _("analytics %(step)s/%(steps)s: %(what)s", step=done + 1, steps=total,
                          what=_(STEP_TEXT[message]) if message in STEP_TEXT else message))

    result = refresh_analytics(session, today=today, progress=step)
    session.commit()
    if echo is not None:
        echo("  " + _("analytics refreshed in %(seconds)s s",
                      seconds=number(time.perf_counter() - started, 1)))
    return result
