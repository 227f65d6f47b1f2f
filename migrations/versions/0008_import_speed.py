"""import speed: fewer B-trees and checks to write per order line and aggregate row

- ``order_lines`` keeps only the indexes its readers use: nothing reads lines by
  product, or by (account, month) without the date; (account_id, date) serves
  the reads by account.
- The monthly aggregate tables lose their foreign keys (a check per row, the
  larger part of the refresh after an import on PostgreSQL); triggers on
  ``accounts`` and ``products`` delete their rows instead, as the cascades did.
- On SQLite the aggregate tables become WITHOUT ROWID tables: rows kept in the
  primary key's B-tree.

Revision ID: 0008
Revises: 0007
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, referred table) of each foreign key the aggregate tables had.
_FOREIGN_KEYS = (
    ("monthly_account_sales", "account_id", "accounts"),
    ("monthly_account_product_sales", "account_id", "accounts"),
    ("monthly_account_product_sales", "product_id", "products"),
)
# What deleting an account or a product deletes (the cascades the foreign keys had).
_CASCADES = {
    "accounts": "DELETE FROM monthly_account_sales WHERE account_id = OLD.id; "
                "DELETE FROM monthly_account_product_sales WHERE account_id = OLD.id;",
    "products": "DELETE FROM monthly_account_product_sales WHERE product_id = OLD.id;",
}


def _fk_name(table: str, column: str, referred: str) -> str:
    return f"fk_{table}_{column}_{referred}"


def upgrade() -> None:
    op.drop_index("ix_order_lines_product_id", table_name="order_lines")
    op.drop_index("ix_order_lines_account_month", table_name="order_lines")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ("monthly_account_sales", "monthly_account_product_sales"):
        # SQLite changes a table's foreign keys and rowid only by copying it.
        with op.batch_alter_table(table, recreate="always" if sqlite else "auto",
                                  table_kwargs={"sqlite_with_rowid": False}) as batch_op:
            for fk_table, column, referred in _FOREIGN_KEYS:
                if fk_table == table:
                    batch_op.drop_constraint(_fk_name(table, column, referred),
                                             type_="foreignkey")
    for parent, body in _CASCADES.items():
        _create_cascade_trigger(parent, body, sqlite)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for parent in _CASCADES:
        op.execute(f"DROP TRIGGER tr_{parent}_delete_aggregates"
                   + ("" if sqlite else f" ON {parent}"))
        if not sqlite:
            op.execute(f"DROP FUNCTION {parent}_delete_aggregates()")
    for table in ("monthly_account_sales", "monthly_account_product_sales"):
        with op.batch_alter_table(table, recreate="always" if sqlite else "auto",
                                  table_kwargs={"sqlite_with_rowid": True}) as batch_op:
            for fk_table, column, referred in _FOREIGN_KEYS:
                if fk_table == table:
                    batch_op.create_foreign_key(_fk_name(table, column, referred), referred,
                                                [column], ["id"], ondelete="CASCADE")
    op.create_index("ix_order_lines_account_month", "order_lines", ["account_id", "month"])
    op.create_index("ix_order_lines_product_id", "order_lines", ["product_id"])


def _create_cascade_trigger(parent: str, body: str, sqlite: bool) -> None:
    if sqlite:
        op.execute(f"CREATE TRIGGER tr_{parent}_delete_aggregates AFTER DELETE ON {parent} "
                   f"FOR EACH ROW BEGIN {body} END")
        return
    op.execute(f"CREATE FUNCTION {parent}_delete_aggregates() RETURNS trigger "
               f"LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$")
    op.execute(f"CREATE TRIGGER tr_{parent}_delete_aggregates AFTER DELETE ON {parent} "
               f"FOR EACH ROW EXECUTE FUNCTION {parent}_delete_aggregates()")
