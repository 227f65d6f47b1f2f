"""structured offer: the economics of a campaign's offer in typed columns

Approval looked at the campaign's kind and at one discount field of the offer's
JSON, so a personal offer that wrote a volume bonus or individual payment terms
in its text went out unapproved. The offer's economics (discount, volume bonus
and its threshold, payment terms in days, price list, free-text terms) now live
in columns of their own, which the approval rule and the approval screen read.
The discount and terms of existing campaigns move out of the JSON into them.

Revision ID: 0014
Revises: 0013
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

campaigns = sa.table(
    "campaigns",
    sa.column("id", sa.Integer),
    sa.column("offer", sa.JSON),
    sa.column("discount_percent", sa.Numeric(5, 2, asdecimal=False)),
    sa.column("bonus_percent", sa.Numeric(5, 2, asdecimal=False)),
    sa.column("bonus_threshold", sa.Numeric(18, 2, asdecimal=False)),
    sa.column("payment_days", sa.Integer),
    sa.column("price_list", sa.String(200)),
    sa.column("terms", sa.Text),
)
ECONOMICS = ("discount_percent", "bonus_percent", "bonus_threshold", "payment_days", "price_list",
             "terms")


def _number(value):
    """A discount kept in the JSON, if it is a usable one (the old check allowed 0 to 100)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        return None
    return round(float(value), 2)


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("discount_percent", sa.Numeric(5, 2), nullable=True))
        batch.add_column(sa.Column("bonus_percent", sa.Numeric(5, 2), nullable=True))
        batch.add_column(sa.Column("bonus_threshold", sa.Numeric(18, 2), nullable=True))
        batch.add_column(sa.Column("payment_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("price_list", sa.String(200), nullable=True))
        batch.add_column(sa.Column("terms", sa.Text(), nullable=True))
    conn = op.get_bind()
    for campaign_id, offer in conn.execute(sa.select(campaigns.c.id, campaigns.c.offer)).all():
        if not isinstance(offer, dict) or not {"discount_percent", "terms"} & set(offer):
            continue
        kept = dict(offer)
        discount = _number(kept.pop("discount_percent", None))
        terms = kept.pop("terms", None)
        terms = terms.strip() if isinstance(terms, str) and terms.strip() else None
        conn.execute(campaigns.update().where(campaigns.c.id == campaign_id).values(
            offer=kept, discount_percent=discount, terms=terms))


def downgrade() -> None:
    # Back into the JSON, every element: the old code shows the discount and terms and
    # keeps the rest unused, so that nothing an offer said is lost.
    conn = op.get_bind()
    columns = [campaigns.c[name] for name in ECONOMICS]
    for campaign_id, offer, *values in conn.execute(
            sa.select(campaigns.c.id, campaigns.c.offer, *columns)).all():
        economics = {k: v for k, v in zip(ECONOMICS, values, strict=True) if v is not None}
        if economics:
            conn.execute(campaigns.update().where(campaigns.c.id == campaign_id)
                         .values(offer={**(offer or {}), **economics}))
    with op.batch_alter_table("campaigns") as batch:
        for column in ("terms", "price_list", "payment_days", "bonus_threshold",
                       "bonus_percent", "discount_percent"):
            batch.drop_column(column)
