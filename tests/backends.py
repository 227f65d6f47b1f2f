"""The database and Redis servers the suite runs on, one of each per pytest-xdist worker.

Under xdist each worker is a process with its own session fixtures ("gw0", "gw1", ...;
"main" without xdist): its own databases, named after it, and its own Redis database,
since each test flushes the one it uses.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, make_url, text

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def create_postgres_database(server_url: str, template: str | None = None
                              ) -> tuple[str, Callable[[], None]]:
    """A new database on the server (a copy of ``template`` if given), named after the
    worker; returns its URL and a function that drops it."""
    url = make_url(server_url)
    name = f"abm_test_{WORKER}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def redis_url_of_worker(url: str) -> str:
    """The worker's own database on a shared Redis server: the URL's number for the first
    worker (or a run without xdist), the next numbers for the next workers, since each
    test flushes its database."""
    if not WORKER.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = base + int(WORKER.removeprefix("gw"))
    if number > 15:
        raise pytest.UsageError(
            f"ABM_TEST_REDIS_URL: worker {WORKER} would need Redis database {number}; give a "
            "lower database number or fewer workers (-n)")
    return urlunsplit(parts._replace(path=f"/{number}"))
