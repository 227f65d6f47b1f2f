"""Migrations: from empty to head on the database under test, one head, no drift."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from abm.db import alembic_config, compared_on, upgrade
from abm.models import Base


def test_there_is_exactly_one_head(database_url):
    script = ScriptDirectory.from_config(alembic_config(database_url))
    assert len(script.get_heads()) == 1


def test_upgrade_from_empty_creates_every_table(fresh_database):
    url = fresh_database()
    upgrade(url)
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_models_and_migrated_schema_do_not_drift(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_object": compared_on(conn.dialect.name)})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_downgrade_to_base_and_up_again(fresh_database):
    url = fresh_database()
    cfg = alembic_config(url)
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    engine = create_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    command.upgrade(cfg, "head")


def test_the_accounts_list_migration_folds_existing_names(fresh_database):
    from sqlalchemy import text

    url = fresh_database()
    before = ScriptDirectory.from_config(alembic_config(url)).get_revision("0012").down_revision
    upgrade(url, before)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO accounts (kind, name, loyalty_member, created_at, updated_at) "
                "VALUES ('customer', :name, false, '2026-01-01', '2026-01-01')"),
                [{"name": "ООО Ромашка"}, {"name": "Hauptstraße GmbH"}])
        upgrade(url)
        with engine.connect() as conn:
            folded = conn.execute(text("SELECT name_folded FROM accounts ORDER BY id")).scalars()
            assert list(folded) == ["ооо ромашка", "hauptstrasse gmbh"]
    finally:
        engine.dispose()
