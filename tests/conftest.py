"""Shared fixtures: a real database (SQLite, or PostgreSQL) and a real Redis.

Settings:
    ABM_TEST_DATABASE_URL: a PostgreSQL server URL; the suite creates a fresh
        database on it for the run and drops it at the end. Unset: a SQLite file.
    ABM_TEST_REDIS_URL: a Redis server URL with a database number reserved for
        tests (it is flushed around each test). Unset: an embedded redis-server.

Every test runs inside a transaction that is rolled back at the end; the
session commits release savepoints. Commit what a test adds before making a
request: each request closes the session it used.
"""

from __future__ import annotations

import os
import shutil
import traceback
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from abm import db
from abm.app import create_app
from abm.db import get_db, upgrade
from abm.queue import EmbeddedRedis
from tests.backends import create_postgres_database, redis_url_of_worker
from tests.factories import PASSWORD, make_book, make_user, make_users

# Users are made by the thousand here: hash their passwords cheaply (the servers the
# end-to-end suite starts inherit it too). Deployments keep scrypt.
os.environ.setdefault("ABM_PASSWORD_HASH", "pbkdf2:sha256:1000")

# In CI property tests replay the same examples every run, so that a submission
# never passes or fails by luck; run locally, they explore new ones each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def fresh_database(tmp_path_factory):
    """A factory of empty databases of the kind under test: call it for a new URL."""
    drops = []

    def make() -> str:
        server = os.environ.get("ABM_TEST_DATABASE_URL")
        if server:
            url, drop = create_postgres_database(server)
            drops.append(drop)
            return url
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'abm.sqlite3'}"

    yield make
    for drop in drops:
        drop()


@pytest.fixture(scope="session")
def migrated_database(fresh_database, tmp_path_factory):
    """A factory of databases already migrated to head: the migrations run once per worker
    into a template that each call copies (a file copy on SQLite, ``CREATE DATABASE ...
    TEMPLATE`` on PostgreSQL), since running them takes seconds."""
    template = fresh_database()
    upgrade(template)  # nothing stays connected to it: PostgreSQL copies only idle databases
    server = os.environ.get("ABM_TEST_DATABASE_URL")
    drops = []

    def make() -> str:
        if server:
            url, drop = create_postgres_database(server, make_url(template).database)
            drops.append(drop)
            return url
        path = tmp_path_factory.mktemp("db") / "abm.sqlite3"
        shutil.copyfile(make_url(template).database, path)
        return f"sqlite:///{path}"

    yield make
    for drop in drops:
        drop()


@pytest.fixture(scope="session")
def database_url(migrated_database) -> str:
    """The test database, migrated to head once per run (migrations run every time)."""
    return migrated_database()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url = os.environ.get("ABM_TEST_REDIS_URL")
    if url:
        yield redis_url_of_worker(url)
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture
def app(database_url, redis_url, tmp_path):
    app = create_app({
        "database_url": database_url,
        "redis_url": redis_url,
        "instance_path": str(tmp_path / "instance"),
        "secret_key": "test-secret",
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
    })
    db = get_db(app)
    connection = db.engine.connect()
    transaction = connection.begin()
    db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
    redis = app.extensions["abm.redis"].connection
    redis.flushdb()
    with app.app_context():
        yield app
    db.session.remove()
    transaction.rollback()
    connection.close()
    redis.flushdb()
    redis.close()
    db.engine.dispose()


@pytest.fixture
def session(app):
    return get_db(app).session()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def users(session):
    """One active user per role (``admin@test.local``, ..., password ``factories.PASSWORD``)
    plus a second salesperson, "rival"; committed."""
    made = make_users(session)
    session.commit()
    return made


@pytest.fixture
def book(session, users):
    """A small book of accounts (see ``factories.make_book``); committed."""
    made = make_book(session, users)
    session.commit()
    return made


class AuthActions:
    def __init__(self, client, session) -> None:
        self._client = client
        self._session = session

    def login(self, role: str = "admin", password: str = PASSWORD):
        from abm.users.models import User

        email = f"{role}@test.local"
        if self._session.query(User).filter_by(email=email).first() is None:
            make_user(self._session, role, password=password)
            self._session.commit()
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client, session):
    return AuthActions(client, session)


@pytest.fixture
def run_jobs(app):
    """Run every queued job in this process with a real RQ worker, until the queues are empty."""
    from rq import SimpleWorker

    from abm.queue import QUEUES, PromptExit, get_redis

    class Worker(PromptExit, SimpleWorker):
        pass

    def run(queues=QUEUES) -> None:
        redis = get_redis(app)
        worker = Worker([redis.queue(q) for q in queues], connection=redis.connection)
        worker.work(burst=True)

    return run


ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright drives it
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (Playwright allows one driver per process)."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()

# Every connection checked out of any pool, with where it was taken, until it is
# given back. A unit of work (request, stream, job, command, start-up step) that
# ends without ending its transaction keeps one: on SQLite that locks every writer.
_CHECKED_OUT: dict[int, str] = {}


@event.listens_for(Pool, "checkout")
def _on_checkout(_dbapi_connection, record, _proxy) -> None:
    frames = [f for f in traceback.extract_stack()[:-1]
              if "/abm/" in f.filename or "/tests/" in f.filename]
    _CHECKED_OUT[id(record)] = "".join(traceback.format_list(frames[-8:]))


@event.listens_for(Pool, "checkin")
def _on_checkin(_dbapi_connection, record) -> None:
    _CHECKED_OUT.pop(id(record), None)


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


@event.listens_for(Engine, "before_cursor_execute")
def _no_writes_while_reading(_conn, _cursor, statement, *_args) -> None:
    """A unit of work that said it only reads (a GET page, a streamed export) must not write:
    on SQLite its transaction holds no write lock, and a write there may fail under load."""
    if db._READ_ONLY.get() and statement.lstrip().upper().startswith(_WRITES):
        raise AssertionError(f"a write in a read-only unit of work: {statement[:200]}")


@pytest.fixture(autouse=True)
def every_unit_of_work_ends():
    """Fail a test after which a pooled connection is still checked out (an open transaction).

    Set up before, so torn down after, every other fixture of the test: the test's
    own rolled-back connection is given back by then.
    """
    before = set(_CHECKED_OUT)
    yield
    leaked = {k: where for k, where in _CHECKED_OUT.items() if k not in before}
    for key in leaked:
        _CHECKED_OUT.pop(key, None)  # reported once, not again by every later test
    assert not leaked, "a connection was left checked out (a transaction never ended), " \
        "taken at:\n" + "\n".join(leaked.values())


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the collection
def pytest_collection_modifyitems(config, items):
    """Under ``--dist loadfile`` (``make test``) a worker takes a whole test file, so that a
    module's fixtures are built once; the end-to-end files go first, since they are the
    longest."""
    for item in items:
        if not item.nodeid.endswith(item.name):
            # schemathesis names its items per operation but gives them all one id, and
            # xdist keeps one test per id: without this only one operation would be run.
            item._id = item.parent.id.child(item.name)
    items.sort(key=lambda item: not _end_to_end(item))


def _end_to_end(item) -> bool:
    return item.path.parent.name == "e2e"
