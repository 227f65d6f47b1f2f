"""``abm serve``: the web app, one worker and the scheduler in one command.

Start-up runs as units of work that each end their transaction (migrate, demo
users, demo data, the logins to print), so that nothing holds SQLite's write
lock once the first request comes. Ctrl-C, SIGTERM (systemd, container
runtimes) and SIGHUP stop the server, the worker, the scheduler and the
embedded Redis, in that order, within seconds, even while a request or a job
is in flight.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

import click
from flask import Flask
from werkzeug.serving import make_server

from abm import ROOT
from abm.db import get_db, upgrade
from abm.queue import get_redis, worker_env

# Seconds a child has to finish its current job after the first SIGTERM (RQ's warm
# shutdown), then after the second (cold: RQ kills the job's work horse).
WARM_STOP_SECONDS = 2.5
COLD_STOP_SECONDS = 2.0


def prepare(app: Flask, *, demo: bool = True, echo=click.echo) -> list[tuple[str, str, str]]:
    """Migrate, make sure the demo users exist in an empty database and load the demo data.

    Each step is a unit of work of its own: committed, its connection given back.

    Returns:
        The demo logins (email, password, role) that still work, to print.
    """
    from abm.accounts.services import count_accounts_by_kind
    from abm.demo import demo_logins, ensure_demo_users, load_demo
    from abm.users.services import count_users

    upgrade(app.extensions["abm.settings"].database_url)
    database = get_db(app)
    with database.unit_of_work() as session:
        if count_users(session) == 0:
            ensure_demo_users(session)
    if demo:
        with database.unit_of_work(read_only=True) as session:
            empty = sum(count_accounts_by_kind(session).values()) == 0
        if empty:
            echo("loading the demo data (first run)...")
            with database.unit_of_work() as session:
                summary = load_demo(session, echo=echo)
            echo(f"demo data loaded in {summary['seconds']:.1f} s")
    with database.unit_of_work(read_only=True) as session:
        return demo_logins(session)


def public_url(host: str, port: int) -> str:
    """The address links in messages point at when ``ABM_PUBLIC_URL`` is not set."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - every interface: name the machine
        host = socket.getfqdn()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def serve(app: Flask, *, host: str = "127.0.0.1", port: int = 5000, demo: bool = True) -> None:
    settings = app.extensions["abm.settings"]
    if not os.environ.get("ABM_PUBLIC_URL"):
        settings.public_url = public_url(host, port)
    try:  # before the start-up work: a port in use is said at once
        server = make_server(host, port, app, threaded=True)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port} ({exc.strerror}); choose another with --port"
        ) from None
    logins = prepare(app, demo=demo)
    redis = get_redis(app)
    env = worker_env(app)  # starts the embedded Redis when no server is set
    children: list[subprocess.Popen] = []
    previous = _stop_on_signals()
    try:
        for script in ("worker.py", "cron.py"):
            # A session of their own: a Ctrl-C in the terminal reaches this process
            # only, which then stops them in order (a second signal would turn RQ's
            # warm shutdown into a cold one before the job had its chance).
            children.append(subprocess.Popen([sys.executable, str(ROOT / "workers" / script)],
                                             env=env, start_new_session=True))
        _announce(f"http://{host}:{server.server_port}/", settings.public_url, logins)
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopping...")
    finally:
        _ignore_signals()  # a second Ctrl-C must not cut the stopping short
        server.server_close()
        stop_children(children)
        if redis.embedded is not None:
            redis.embedded.stop()
        _restore(previous)


def _announce(address: str, links: str, logins: list[tuple[str, str, str]]) -> None:
    click.echo("")
    click.echo(f"  abm is running at {address}")
    if links.rstrip("/") != address.rstrip("/"):
        click.echo(f"  links in messages point at {links} (ABM_PUBLIC_URL)")
    for email, password, role in logins:
        click.echo(f"  demo login ({role}): {email} / {password}")
    click.echo("  press Ctrl-C to stop")
    click.echo("")


def stop_children(children: list[subprocess.Popen]) -> None:
    """Stop the worker and the scheduler: a warm stop, then a cold one, then a kill."""
    for signum, seconds in ((signal.SIGTERM, WARM_STOP_SECONDS),
                            (signal.SIGTERM, COLD_STOP_SECONDS), (signal.SIGKILL, 5.0)):
        running = [c for c in children if c.poll() is None]
        if not running:
            return
        for child in running:
            _signal_group(child, signum)
        deadline = time.monotonic() + seconds
        for child in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=max(0.0, deadline - time.monotonic()))


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signum)


def _raise_interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def _stop_on_signals() -> dict[int, Callable | int | None]:
    """SIGTERM and SIGHUP stop the server as Ctrl-C does; returns the handlers they replaced."""
    previous: dict[int, Callable | int | None] = {signal.SIGINT: signal.getsignal(signal.SIGINT)}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        previous[signum] = signal.signal(signum, _raise_interrupt)
    return previous


def _ignore_signals() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)


def _restore(previous: dict) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)
