"""stale aggregate months: the months an interrupted import left to rebuild

An import commits its order lines batch by batch and refreshes the monthly
aggregates once, with its last batch: an import killed in between left lines
without their aggregates until someone re-ran it. Each import now writes, in the
transaction of every batch it commits, a row naming the months its lines span
(``first_month`` to ``last_month``) and who writes it (``owner``: host, process and
a token), and deletes the row with its final refresh. A row whose import is no
longer alive is repaired (the months rebuilt, the row deleted) by the next import.

Revision ID: 0016
Revises: 0015
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stale_aggregate_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=False),
        sa.Column("last_month", sa.Date(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stale_aggregate_months")),
    )


def downgrade() -> None:
    op.drop_table("stale_aggregate_months")
