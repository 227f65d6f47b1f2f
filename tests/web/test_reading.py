"""GET requests run in transactions that do not take SQLite's write lock; the rest keep it."""

from __future__ import annotations

from flask import template_rendered
from sqlalchemy import event, text
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


def test_pages_read_without_the_write_lock(app, client, login, book):
    login("manager")
    for path in ("/", "/accounts/", f"/accounts/{book['own'].id}",
                 f"/accounts/{book['own'].id}/edit"):
        assert _read_only_while_rendering(app, client, path) == [True], path
    assert db._READ_ONLY.get() is False  # and nothing leaks past the request


def test_a_form_post_writes_with_the_write_lock(app, client, login, book, session):
    login("manager")
    seen = []

    def record(_conn, _cursor, statement, *_args):
        if statement.startswith("UPDATE accounts"):
            seen.append(db._READ_ONLY.get())

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        client.post(f"/accounts/{book['own'].id}/edit", data={"name": "Renamed"})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert seen == [False]


def test_views_that_write_on_get_say_so(app):
    from abm.http import writes

    assert getattr(app.blueprints["tracking"], "writes", False)
    assert getattr(app.blueprints["api"], "writes", False)
    assert writes(lambda: None).writes


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
