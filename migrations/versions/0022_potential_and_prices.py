"""potential and prices: expected purchases in the next 90 days, price lists, promotions

The account page answers "when will it buy next and how much is it worth": each
customer's potential row keeps the purchases expected in the next 90 days beside
its (now discounted) lifetime value. Products carry a price list (a price in a
currency, valid from a day, until a day or open-ended) and promotions (a discount
on some products over a period); a price change or a new promotion can be told to
the accounts that buy those products by a notice campaign.

Revision ID: 0022
Revises: 0016
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("account_potentials") as batch:
        batch.add_column(sa.Column("purchases_90d", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("account_potentials") as batch:
        batch.drop_column("purchases_90d")
