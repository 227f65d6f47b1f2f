"""indexes and summaries for fast pages

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_figures")),
    )
    op.create_index("ix_accounts_name", "accounts", ["name"], unique=False)
    op.create_index("ix_account_analytics_abc_xyz", "account_analytics", ["abc", "xyz"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_account_analytics_abc_xyz", table_name="account_analytics")
    op.drop_index("ix_accounts_name", table_name="accounts")
    op.drop_table("company_figures")
