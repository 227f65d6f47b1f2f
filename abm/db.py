"""SQLAlchemy 2.x engine and session setup.

One :class:`Database` per application, kept in ``app.extensions["abm.db"]``.
Services take a :class:`~sqlalchemy.orm.Session`; views, jobs and CLI commands
get it from :func:`get_session` and commit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from sqlalchemy import BigInteger, DateTime, Integer, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from alembic.config import Config

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, so without this a value would come back naive there
    and aware on PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use an aware UTC datetime")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Database:
    """An engine and a scoped session factory bound to it."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, **_engine_defaults(url), **engine_options)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self.session = scoped_session(sessionmaker(bind=self.engine, expire_on_commit=False))
        # A forked RQ work horse must not share the parent's pooled connections.
        os.register_at_fork(after_in_child=lambda: self.engine.dispose(close=False))

    def dispose(self) -> None:
        self.session.remove()
        self.engine.dispose()

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[Session]:
        """A session of its own whose transaction ends with the block.

        Committed when the block returns, rolled back when it raises, closed either
        way (its connection goes back to the pool). For work that must not share
        the caller's transaction or outlive it: a streamed download, a start-up
        step, an audit entry written on a page that otherwise only reads.

        Args:
            read_only: the block only reads; on SQLite its transaction then takes
                no write lock (see :func:`read_only`).
        """
        token = _READ_ONLY.set(read_only)
        # The scoped session's factory: bound to the engine, or in the test suite
        # to the test's connection, so that the block sees what the caller wrote.
        session = self.session.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            _READ_ONLY.reset(token)


def _engine_defaults(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    # Let SQLAlchemy, not the driver, open transactions, so that savepoints work
    # (the pysqlite recipe in the SQLAlchemy documentation).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Pages read indexes of 100k-row tables: a larger page cache than the 2 MB
    # default, sorts in memory, and reads through a memory map rather than a
    # system call per page.
    cursor.execute("PRAGMA cache_size=-32000")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE: take the write lock up front. A deferred transaction that reads
    # and then writes fails at once with "database is locked" when another
    # writer got in between; an immediate one waits its turn (busy timeout).
    # Code that only reads says so with read_only(): its readers then run side
    # by side instead of queueing for the one write lock.
    # An AUTOCOMMIT connection runs each statement as its own transaction.
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    connection.exec_driver_sql("BEGIN" if _READ_ONLY.get() else "BEGIN IMMEDIATE")


_READ_ONLY: ContextVar[bool] = ContextVar("abm_db_read_only", default=False)


def read_only() -> Token[bool]:
    """Transactions begun from now on in this context only read (SQLite: no write lock).

    Returns the token to give to :func:`end_read_only`.
    """
    return _READ_ONLY.set(True)


def end_read_only(token: Token[bool]) -> None:
    _READ_ONLY.reset(token)


@contextmanager
def reading(only: bool = True) -> Iterator[None]:
    """Transactions begun inside the block only read (``only``) or may write (not ``only``)."""
    token = _READ_ONLY.set(only)
    try:
        yield
    finally:
        _READ_ONLY.reset(token)


def get_db(app: Flask | None = None) -> Database:
    database: Database = (app or current_app).extensions["abm.db"]
    return database


def get_session() -> Session:
    """The session of the current application context."""
    return get_db().session()


def unit_of_work(*, read_only: bool = False) -> AbstractContextManager[Session]:
    """:meth:`Database.unit_of_work` of the current application."""
    return get_db().unit_of_work(read_only=read_only)


def end_session(app: Flask | None = None) -> None:
    """End the current thread's session: roll back what was not committed, free the connection."""
    get_db(app).session.remove()


def alembic_config(url: str) -> Config:
    """The Alembic configuration of ``migrations/`` for a database URL."""
    from alembic.config import Config

    from abm import ROOT

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def compared_on(dialect_name: str) -> Callable[..., bool]:
    """Alembic's ``include_object`` for a database of ``dialect_name``.

    A model constraint that is created on some databases only (``ddl_if(dialect=...)``,
    such as the order lines' foreign keys, which PostgreSQL replaces by triggers) is
    compared only on those, so that its absence elsewhere is not taken for drift.
    """

    def include_object(obj: Any, _name: str | None, _type: str, reflected: bool,
                       _compare_to: Any) -> bool:
        ddl_if = getattr(obj, "_ddl_if", None)
        if reflected or ddl_if is None or ddl_if.dialect is None:
            return True
        dialects = (ddl_if.dialect,) if isinstance(ddl_if.dialect, str) else ddl_if.dialect
        return dialect_name in dialects

    return include_object
