"""greeting dates and contact consent: what greetings and imported contacts need

Greetings were sent on four hard-coded holidays. The workspace now keeps the
dates of its own (its anniversary, an account's anniversary) in
``greeting_dates``, beside the public holidays of each country. Imported
contacts carry where and when they consented to marketing mail
(``consent_source``, ``consent_on``), so that consent is provable, and a
gender, filled only where the workspace targets greetings on it.

Revision ID: 0020
Revises: 0018
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "greeting_dates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=True),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("since_year", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("month BETWEEN 1 AND 12 AND day BETWEEN 1 AND 31",
                           name=op.f("ck_greeting_dates_day_of_year")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE",
                                name=op.f("fk_greeting_dates_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_greeting_dates")),
    )
    op.create_index(op.f("ix_greeting_dates_account_id"), "greeting_dates", ["account_id"])
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.add_column(sa.Column("consent_source", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("consent_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column(
            "gender", sa.Enum("female", "male", name="contact_gender", native_enum=False,
                              create_constraint=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_constraint(op.f("ck_contacts_contact_gender"), type_="check")
        batch_op.drop_column("gender")
        batch_op.drop_column("consent_on")
        batch_op.drop_column("consent_source")
    op.drop_index(op.f("ix_greeting_dates_account_id"), table_name="greeting_dates")
    op.drop_table("greeting_dates")
