"""``abm serve``: the web app, one worker and the scheduler in one command."""

from __future__ import annotations

import subprocess
import sys

import click
from flask import Flask
from werkzeug.serving import run_simple

from abm import ROOT
from abm.db import get_session, upgrade
from abm.queue import get_redis, worker_env


def prepare(app: Flask, *, demo: bool = True, echo=click.echo) -> list[tuple[str, str, str]]:
    """Migrate, load the demo data into an empty database and make sure an admin exists.

    Returns the demo logins (email, password, role) that still work, to print.
    """
    from abm.demo import demo_logins, ensure_demo_users, load_demo
    from abm.users.services import count_users

    settings = app.extensions["abm.settings"]
    upgrade(settings.database_url)
    session = get_session()
    if count_users(session) == 0:
        ensure_demo_users(session)
        session.commit()
    if demo:
        from abm.accounts.services import count_accounts_by_kind

        if sum(count_accounts_by_kind(session).values()) == 0:
            echo("loading the demo data (first run)...")
            summary = load_demo(session, echo=echo)
            session.commit()
            echo(f"demo data loaded in {summary['seconds']:.1f} s")
    return demo_logins(session)


def serve(app: Flask, *, host: str = "127.0.0.1", port: int = 5000, demo: bool = True) -> None:
    logins = prepare(app, demo=demo)
    redis = get_redis(app)
    env = worker_env(app)  # starts the embedded Redis when no server is set
    children = [
        subprocess.Popen([sys.executable, str(ROOT / "workers" / "worker.py")], env=env),
        subprocess.Popen([sys.executable, str(ROOT / "workers" / "cron.py")], env=env),
    ]
    click.echo("")
    click.echo(f"  abm is running at http://{host}:{port}/")
    for email, password, role in logins:
        click.echo(f"  demo login ({role}): {email} / {password}")
    click.echo("  press Ctrl-C to stop")
    click.echo("")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if redis.embedded is not None:
            redis.embedded.stop()
