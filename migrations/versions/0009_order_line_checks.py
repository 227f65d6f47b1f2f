"""order line checks: PostgreSQL checks an order line's account and product per statement

A foreign key checks each inserted row on its own: one parent lookup and lock
per order line, more than half the cost of COPYing a batch of them. On
PostgreSQL, ``order_lines`` loses its two foreign keys for triggers that keep
the same rules for every writer (the ORM, the import's COPY and upsert, plain
SQL), once per statement:

- after INSERT and after UPDATE, a statement trigger with the statement's new
  rows (a transition table; PostgreSQL wants one trigger per event for those)
  locks the accounts and products they name ``FOR KEY SHARE``, as the foreign
  key did per row, so that a concurrent delete waits for the transaction; if
  one is missing it raises ``foreign_key_violation`` (SQLSTATE 23503) naming it;
- after DELETE of accounts, their order lines are deleted (was ON DELETE
  CASCADE); after DELETE of products, their lines' product is set to NULL (was
  ON DELETE SET NULL); changing the id of a referenced account or product fails
  (was NO ACTION).

SQLite keeps its foreign keys: its check is a lookup in the parent's primary key
in the same process, a small part of an insert there.

Revision ID: 0009
Revises: 0008
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (column, referred table, ON DELETE) of each foreign key order_lines had.
_FOREIGN_KEYS = (
    ("account_id", "accounts", "CASCADE"),
    ("product_id", "products", "SET NULL"),
)
_ON_DELETE = {
    "accounts": "DELETE FROM order_lines WHERE account_id IN (SELECT id FROM old_rows);",
    "products": "UPDATE order_lines SET product_id = NULL "
                "WHERE product_id IN (SELECT id FROM old_rows);",
}


def _check(column: str, referred: str) -> str:
    """PL/pgSQL: lock the parents the new rows name; raise if one of them is missing."""
    return f"""
    SELECT count(*) INTO found FROM (
        SELECT 1 FROM {referred} WHERE id IN (SELECT {column} FROM new_rows) FOR KEY SHARE
    ) locked;
    SELECT count(DISTINCT {column}) INTO wanted FROM new_rows;
    IF found < wanted THEN
        SELECT n.{column} INTO missing FROM new_rows n
        WHERE n.{column} IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM {referred} p WHERE p.id = n.{column}) LIMIT 1;
        RAISE EXCEPTION 'insert or update on table "order_lines" names a missing {referred} row'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'order_lines',
                  COLUMN = '{column}',
                  DETAIL = format('Key ({column})=(%s) is not present in table "{referred}".',
                                  missing);
    END IF;"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, referred, _ in _FOREIGN_KEYS:
        op.drop_constraint(f"fk_order_lines_{column}_{referred}", "order_lines",
                           type_="foreignkey")
    checks = "".join(_check(column, referred) for column, referred, _ in _FOREIGN_KEYS)
    op.execute(
        "CREATE FUNCTION order_lines_check_parents() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"DECLARE found bigint; wanted bigint; missing bigint; BEGIN {checks} "
        "RETURN NULL; END $$"
    )
    for event in ("insert", "update"):
        op.execute(f"CREATE TRIGGER tr_order_lines_{event}_check_parents AFTER {event.upper()} "
                   "ON order_lines REFERENCING NEW TABLE AS new_rows "
                   "FOR EACH STATEMENT EXECUTE FUNCTION order_lines_check_parents()")
    for parent, action in _ON_DELETE.items():
        op.execute(f"CREATE FUNCTION {parent}_delete_order_lines() RETURNS trigger "
                   f"LANGUAGE plpgsql AS $$ BEGIN {action} RETURN NULL; END $$")
        op.execute(f"CREATE TRIGGER tr_{parent}_delete_order_lines AFTER DELETE ON {parent} "
                   "REFERENCING OLD TABLE AS old_rows "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {parent}_delete_order_lines()")
        column = {"accounts": "account_id", "products": "product_id"}[parent]
        op.execute(
            f"CREATE FUNCTION {parent}_keep_referenced_id() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF EXISTS (SELECT 1 FROM order_lines WHERE {column} = OLD.id) THEN "
            f"RAISE EXCEPTION 'update on table \"{parent}\" changes an id that order lines "
            "name' USING ERRCODE = 'foreign_key_violation', TABLE = 'order_lines', "
            f"DETAIL = format('Key (id)=(%s) is still referenced from table "
            "\"order_lines\".', OLD.id); "
            "END IF; RETURN NULL; END $$"
        )
        op.execute(f"CREATE TRIGGER tr_{parent}_keep_referenced_id AFTER UPDATE OF id "
                   f"ON {parent} FOR EACH ROW WHEN (OLD.id <> NEW.id) "
                   f"EXECUTE FUNCTION {parent}_keep_referenced_id()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for parent in _ON_DELETE:
        for name in ("delete_order_lines", "keep_referenced_id"):
            op.execute(f"DROP TRIGGER tr_{parent}_{name} ON {parent}")
            op.execute(f"DROP FUNCTION {parent}_{name}()")
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER tr_order_lines_{event}_check_parents ON order_lines")
    op.execute("DROP FUNCTION order_lines_check_parents()")
    for column, referred, on_delete in _FOREIGN_KEYS:
        op.create_foreign_key(f"fk_order_lines_{column}_{referred}", "order_lines", referred,
                              [column], ["id"], ondelete=on_delete)
