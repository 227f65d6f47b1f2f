"""Pages that only read run in transactions that do not take SQLite's write lock."""

from __future__ import annotations

from flask import template_rendered
from sqlalchemy import text
from sqlalchemy.orm import Session

from abm import db
from abm.db import Database, end_read_only, read_only


def _read_only_while_rendering(app, client, path: str) -> list[bool]:
    seen = []

    def record(sender, template, context, **extra):
        seen.append(db._READ_ONLY.get())

    with template_rendered.connected_to(record, app):
        assert client.get(path).status_code == 200
    return seen


def test_the_pages_that_only_read_say_so(app, client, login, book):
    login("manager")
    for path in ("/", "/accounts/", f"/accounts/{book['own'].id}"):
        assert _read_only_while_rendering(app, client, path) == [True], path


def test_other_pages_keep_the_write_lock(app, client, login, book):
    login("manager")
    assert _read_only_while_rendering(app, client, f"/accounts/{book['own'].id}/edit") == [False]
    assert db._READ_ONLY.get() is False  # and nothing leaks past the request


def test_a_read_only_transaction_reads_while_another_connection_writes(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'locks.sqlite3'}")
    with database.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    writer = database.engine.connect()
    writer.exec_driver_sql("INSERT INTO t VALUES (1)")  # holds the write lock, uncommitted
    token = read_only()
    try:
        with database.engine.connect() as reader:
            # Without read_only(), BEGIN IMMEDIATE would wait for the writer, then fail.
            reader.connection.dbapi_connection.execute("PRAGMA busy_timeout = 100")
            with Session(bind=reader) as session:
                assert session.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        end_read_only(token)
        writer.rollback()
        writer.close()
        database.dispose()
