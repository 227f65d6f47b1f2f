"""currencies: exchange rates, and the original amount of a converted order line

Files come in the currency of whoever exported them. Amounts of a currency
other than the workspace's are converted at the rate of their day, from a
table of rates an administrator keeps (``exchange_rates``: one unit of
``currency`` is worth ``rate`` units of ``base`` from ``valid_from`` on). A
converted order line keeps what the file said in ``original_currency``,
``original_revenue`` and ``original_margin``, so that nothing is lost and a
wrong rate can be told from a wrong file. The new columns are nullable without
a default: adding them rewrites no row of a big ``order_lines`` table.

Revision ID: 0011
Revises: 0010
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MONEY = sa.Numeric(precision=18, scale=2)


def upgrade() -> None:
    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("rate", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rate > 0", name=op.f("ck_exchange_rates_rate_positive")),
        sa.CheckConstraint("currency <> base", name=op.f("ck_exchange_rates_not_to_itself")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_exchange_rates_updated_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint("currency", "base", "valid_from",
                            name=op.f("uq_exchange_rates_currency_base_valid_from")),
    )
    op.add_column("order_lines", sa.Column("original_currency", sa.String(length=3),
                                           nullable=True))
    op.add_column("order_lines", sa.Column("original_revenue", _MONEY, nullable=True))
    op.add_column("order_lines", sa.Column("original_margin", _MONEY, nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of order_lines would take
    # as long as the table is big.
    op.drop_column("order_lines", "original_margin")
    op.drop_column("order_lines", "original_revenue")
    op.drop_column("order_lines", "original_currency")
    op.drop_table("exchange_rates")
