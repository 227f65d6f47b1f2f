"""potential and prices: expected purchases in the next 90 days, price lists, promotions

The account page answers "when will it buy next and how much is it worth": each
customer's potential row keeps the purchases expected in the next 90 days beside
its (now discounted) lifetime value. Products carry a price list (a price in a
currency, valid from a day, until a day or open-ended) and promotions (a discount
on some products over a period); a price change or a new promotion can be told to
the accounts that buy those products by a notice campaign.

Revision ID: 0022
Revises: 0021
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("account_potentials") as batch:
        batch.add_column(sa.Column("purchases_90d", sa.Double(), nullable=True))
    money = sa.Numeric(18, 2, asdecimal=False)
    op.create_table(
        "product_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("price", money, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("price >= 0", name=op.f("ck_product_prices_price_not_negative")),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from",
                           name=op.f("ck_product_prices_period_in_order")),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE",
                                name=op.f("fk_product_prices_product_id_products")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_product_prices_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_prices")),
    )
    op.create_index("ix_product_prices_product_from", "product_prices",
                    ["product_id", "valid_from"])
    op.create_table(
        "promotions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("discount_percent", sa.Numeric(5, 2, asdecimal=False), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("discount_percent > 0 AND discount_percent <= 100",
                           name=op.f("ck_promotions_discount_in_range")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_promotions_period_in_order")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_promotions_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions")),
    )
    op.create_table(
        "promotion_products",
        sa.Column("promotion_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["promotion_id"], ["promotions.id"], ondelete="CASCADE",
                                name=op.f("fk_promotion_products_promotion_id_promotions")),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE",
                                name=op.f("fk_promotion_products_product_id_products")),
        sa.PrimaryKeyConstraint("promotion_id", "product_id",
                                name=op.f("pk_promotion_products")),
    )
    op.create_index(op.f("ix_promotion_products_product_id"), "promotion_products",
                    ["product_id"])


def downgrade() -> None:
    op.drop_table("promotion_products")
    op.drop_table("promotions")
    op.drop_index("ix_product_prices_product_from", table_name="product_prices")
    op.drop_table("product_prices")
    with op.batch_alter_table("account_potentials") as batch:
        batch.drop_column("purchases_90d")
