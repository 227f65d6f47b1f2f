"""The ``abm`` command: database, demo data, serving, workers and the domain commands.

Every command speaks the command line's language (``abm.config.command_language``), click's
own messages too: "Error:", "Usage:", a missing option, a value not among the choices.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from flask_babel import get_translations
from flask_babel import gettext as _

from abm.app import create_app
from abm.workspace.sections import N_
from abm.workspace.wording import number

# Click's own messages that a command may say, for pybabel extract (which reads abm's code
# only); the plural ones ("Got unexpected extra argument", "Did you mean", "is not one of",
# "does not match the formats", "requires an argument") are in the catalogue by hand.
CLICK_MESSAGES = (
    N_("Error: {message}"), N_("Usage:"), N_("Try '{command} {option}' for help."),
    N_("Missing argument"), N_("Missing option"), N_("Missing parameter"),
    N_("Missing command."), N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"), N_("No such option {name!r}."),
    N_("No such command {name!r}."), N_("Option {name!r} does not take a value."),
    N_("Choose from:\n\t{choices}"), N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."), N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."), N_("Could not open file {filename!r}: {message}"),
)
# Whether click speaks the command's language now: while an abm command parses and runs.
_SPEAKING: ContextVar[bool] = ContextVar("abm_cli_speaking", default=False)


def _click_gettext(message: str) -> str:
    if _SPEAKING.get() and current_app:
        return get_translations().gettext(message)
    return gettext.gettext(message)


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    if _SPEAKING.get() and current_app:
        return get_translations().ngettext(singular, plural, n)
    return gettext.ngettext(singular, plural, n)


def _teach_click() -> None:
    """Let click word its messages through abm's catalogue while an abm command runs.

    Click says them through the standard gettext's global domain, in the language of the
    process locale, with no way to hand it other translations; its modules look the
    functions up by name when they speak, so theirs are replaced here by ones that ask
    Flask-Babel while an abm command parses and runs, and the standard gettext otherwise.
    """
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types

    ours = {"_": (gettext.gettext, _click_gettext),
            "ngettext": (gettext.ngettext, _click_ngettext)}
    for module in (click.core, click.decorators, click.exceptions, click.formatting,
                   click.parser, click.termui, click.types):
        for name, (standard, asking) in ours.items():
            if getattr(module, name, None) is standard:
                setattr(module, name, asking)


_teach_click()


class _Said(click.ClickException):
    """A click error as click shows it, worded while the command's language was known."""

    def __init__(self, text: str, exit_code: int) -> None:
        super().__init__(text)
        self.exit_code = exit_code  # type: ignore[misc]  # click's is the class's

    def show(self, file: Any = None) -> None:
        click.echo(self.message, file=file, err=file is None, nl=False)


def _app(info: ScriptInfo) -> Flask | None:
    try:
        return info.load_app()
    except Exception:  # noqa: BLE001 - the command says why, when it needs the app
        return None


@contextmanager
def _speaking(info: ScriptInfo) -> Iterator[None]:
    """Click in the command's language: in the application's context (the one a command
    runs in), its errors worded before that context ends."""
    app = _app(info)
    context = app.app_context() if app is not None and not current_app else nullcontext()
    token = _SPEAKING.set(app is not None)
    try:
        with context:
            try:
                yield
            except _Said:
                raise
            except click.ClickException as exc:
                shown = io.StringIO()
                exc.show(file=shown)
                raise _Said(shown.getvalue(), exc.exit_code) from None
    finally:
        _SPEAKING.reset(token)


class _AbmGroup(FlaskGroup):
    """Flask's command group without its own options (abm is configured by ABM_* settings),
    speaking the command line's language while it parses and runs a command."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.params = [param for param in self.params
                       if param.name not in {"env_file", "app", "debug"}]

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        if "obj" not in extra:
            extra["obj"] = ScriptInfo(create_app=self.create_app,
                                      set_debug_flag=self.set_debug_flag,
                                      load_dotenv_defaults=self.load_dotenv)
        with _speaking(extra["obj"]):
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _speaking(ctx.ensure_object(ScriptInfo)):
            return super().invoke(ctx)


@click.group(cls=_AbmGroup, create_app=lambda: create_app(), add_default_commands=False,
             add_version_option=False, load_dotenv=False, set_debug_flag=False)
@click.version_option(package_name="abm", prog_name="abm")
def cli() -> None:
    """abm: account-based marketing for companies that live by their key accounts."""


@cli.group()
def db() -> None:
    """Database migrations."""


def _database_url() -> str:
    return current_app.extensions["abm.settings"].database_url


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: the latest)."""
    from abm.db import upgrade

    upgrade(_database_url(), revision)
    click.echo(_("database at %(revision)s", revision=revision))


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION."""
    from alembic import command

    from abm.db import alembic_config

    command.downgrade(alembic_config(_database_url()), revision)


@db.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Write a new migration from the difference between models and database."""
    from alembic import command

    from abm.db import alembic_config

    command.revision(alembic_config(_database_url()), message=message, autogenerate=True)


@cli.command()
@click.option("--seed", default=1, show_default=True, help="Same seed, same data.")
@click.option("--force", is_flag=True, help="Load even if the database has accounts.")
@with_appcontext
def demo(seed: int, force: bool) -> None:
    """Load demo data for a B2B distributor (deterministic by seed)."""
    from abm.db import get_session
    from abm.demo import DemoNotEmpty, load_demo

    session = get_session()
    try:
        summary = load_demo(session, seed=seed, force=force, echo=click.echo)
    except DemoNotEmpty as exc:
        raise click.ClickException(_("the database has accounts already; use --force to add "
                                     "the demo anyway")) from exc
    session.commit()
    click.echo(_("loaded %(customers)s customers, %(prospects)s prospects, %(products)s "
                 "products, %(order_lines)s order lines in %(seconds)s s",
                 customers=number(summary["customers"]), prospects=number(summary["prospects"]),
                 products=number(summary["products"]),
                 order_lines=number(summary["order_lines"]),
                 seconds=number(summary["seconds"], 1)))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-demo", is_flag=True, help="Do not load demo data into an empty database.")
@with_appcontext
def serve(host: str, port: int, no_demo: bool) -> None:
    """Serve the web UI with a worker and the scheduler, on the embedded defaults."""
    from abm.serve import serve as run

    run(_this_app(), host=host, port=port, demo=not no_demo)


@cli.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run a worker (with the scheduler) on every queue."""
    from abm.queue import run_worker

    run_worker(_this_app(), burst=burst, maintenance=worker_maintenance())


def worker_maintenance() -> tuple:
    """What every worker looks after between jobs (see :class:`abm.queue.Maintenance`): the
    runs of dead workers, their claims, stalled and due campaigns."""
    from abm.campaigns.jobs import maintain_campaigns
    from abm.runs.jobs import close_abandoned_runs

    return (close_abandoned_runs, maintain_campaigns)


ROLE_NAMES = {"admin": N_("Administrator"), "manager": N_("Manager"),
              "marketing": N_("Marketing"), "sales": N_("Sales / KAM")}


@cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["admin", "manager", "marketing", "sales"]),
              required=True)
@click.password_option()
@with_appcontext
def create_user_cmd(email: str, name: str, role: str, password: str) -> None:
    """Add a user."""
    from sqlalchemy.exc import IntegrityError

    from abm.audit.services import COMMAND_LINE
    from abm.db import get_session
    from abm.users.services import create_user

    session = get_session()
    try:
        create_user(session, email=email, name=name, role=role, password=password, by=COMMAND_LINE)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise click.ClickException(_("a user with the email %(email)s exists already",
                                     email=email)) from None
    click.echo(_("created %(role)s %(email)s", role=_(ROLE_NAMES[role]), email=email))


def _add_domain_commands(group: click.Group) -> None:
    """The commands of each domain, defined in that domain's own ``cli`` module."""
    from abm.analytics.cli import register as register_analytics
    from abm.api.cli import api_token
    from abm.campaigns.cli import campaign
    from abm.imports.cli import import_cmd
    from abm.loyalty.cli import loyalty
    from abm.segments.cli import register as register_segments

    register_analytics(group)
    register_segments(group)
    group.add_command(import_cmd)
    group.add_command(campaign)
    group.add_command(api_token)
    group.add_command(loyalty)


_add_domain_commands(cli)


def _this_app() -> Flask:
    """The application itself, not the context's proxy: a worker forks with it."""
    return current_app._get_current_object()  # type: ignore[attr-defined]


def main() -> None:
    cli(prog_name="abm")


if __name__ == "__main__":
    main()
