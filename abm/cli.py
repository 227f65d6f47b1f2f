"""The ``abm`` command: database, demo data, serving, workers and the domain commands."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import gettext as _

from abm.app import create_app
from abm.workspace.sections import N_
from abm.workspace.wording import number


class _AbmGroup(FlaskGroup):
    """Flask's command group without its own options: abm is configured by ABM_* settings."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.params = [param for param in self.params
                       if param.name not in {"env_file", "app", "debug"}]


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
