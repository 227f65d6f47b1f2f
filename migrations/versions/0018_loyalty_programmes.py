"""loyalty programmes: programmes, tiers, memberships and the tier changes proposed

An account carried one flag, one tier name and one date (``loyalty_member``,
``loyalty_tier``, ``loyalty_joined_on``): nothing could say who was invited,
who accepted, who left, nor by which rule a tier was given. Programmes now have
tiers with their rule (revenue over a period, or by hand); each account's
membership of a programme keeps its tier, since when, and the dates it was
invited, accepted and left; the rule's monthly proposals wait for a manager.

The old columns move into a programme named "Loyalty programme" (tiers by
hand) and are dropped; a downgrade puts the members of every programme back.

Revision ID: 0018
Revises: 0022
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Money = sa.Numeric(18, 2, asdecimal=False)
Moment = sa.DateTime(timezone=True)


def _create_tables() -> None:
    op.create_table(
        "loyalty_programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("rule", sa.Enum("revenue", "manual", name="loyalty_tier_rule",
                                  native_enum=False, create_constraint=True), nullable=False),
        sa.Column("period_months", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.CheckConstraint("period_months >= 1 AND period_months <= 60",
                           name=op.f("ck_loyalty_programmes_period_months_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_programmes")),
        sa.UniqueConstraint("name", name=op.f("uq_loyalty_programmes_name")),
    )
    op.create_table(
        "loyalty_tiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("min_revenue", Money, nullable=True),
        sa.CheckConstraint("min_revenue IS NULL OR min_revenue >= 0",
                           name=op.f("ck_loyalty_tiers_min_revenue_positive")),
        sa.ForeignKeyConstraint(["programme_id"], ["loyalty_programmes.id"], ondelete="CASCADE",
                                name=op.f("fk_loyalty_tiers_programme_id_loyalty_programmes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_tiers")),
        sa.UniqueConstraint("programme_id", "name", name=op.f("uq_loyalty_tiers_programme_id_name")),
    )
    op.create_table(
        "loyalty_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("tier_id", sa.Integer(), nullable=True),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("invited_at", Moment, nullable=True),
        sa.Column("accepted_at", Moment, nullable=True),
        sa.Column("left_at", Moment, nullable=True),
        sa.Column("updated_at", Moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["loyalty_programmes.id"], ondelete="CASCADE",
            name=op.f("fk_loyalty_memberships_programme_id_loyalty_programmes")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE",
                                name=op.f("fk_loyalty_memberships_account_id_accounts")),
        sa.ForeignKeyConstraint(["tier_id"], ["loyalty_tiers.id"], ondelete="SET NULL",
                                name=op.f("fk_loyalty_memberships_tier_id_loyalty_tiers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_memberships")),
        sa.UniqueConstraint("programme_id", "account_id",
                            name=op.f("uq_loyalty_memberships_programme_id_account_id")),
    )
    op.create_index(op.f("ix_loyalty_memberships_account_id"), "loyalty_memberships",
                    ["account_id"])
    op.create_table(
        "loyalty_tier_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("from_tier_id", sa.Integer(), nullable=True),
        sa.Column("to_tier_id", sa.Integer(), nullable=True),
        sa.Column("revenue", Money, nullable=False),
        sa.Column("status", sa.Enum("pending", "confirmed", "rejected",
                                    name="loyalty_proposal_status", native_enum=False,
                                    create_constraint=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", Moment, nullable=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["loyalty_memberships.id"], ondelete="CASCADE",
            name=op.f("fk_loyalty_tier_proposals_membership_id_loyalty_memberships")),
        sa.ForeignKeyConstraint(
            ["from_tier_id"], ["loyalty_tiers.id"], ondelete="SET NULL",
            name=op.f("fk_loyalty_tier_proposals_from_tier_id_loyalty_tiers")),
        sa.ForeignKeyConstraint(
            ["to_tier_id"], ["loyalty_tiers.id"], ondelete="CASCADE",
            name=op.f("fk_loyalty_tier_proposals_to_tier_id_loyalty_tiers")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_loyalty_tier_proposals_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_tier_proposals")),
        sa.UniqueConstraint("membership_id", "month",
                            name=op.f("uq_loyalty_tier_proposals_membership_id_month")),
    )


def _move_members_in() -> None:
    """The flagged accounts become accepted members of one programme, tiers by hand."""
    conn = op.get_bind()
    members = conn.execute(sa.text(
        "SELECT id, loyalty_tier, loyalty_joined_on, created_at FROM accounts "
        "WHERE loyalty_member")).all()
    if not members:
        return
    programme_id = conn.execute(sa.text(
        "INSERT INTO loyalty_programmes (name, rule, period_months, active, created_at) "
        "VALUES ('Loyalty programme', 'manual', 12, true, CURRENT_TIMESTAMP) RETURNING id"
    )).scalar_one()
    tiers: dict[str, int] = {}
    for name in sorted({m.loyalty_tier for m in members if m.loyalty_tier}):
        tiers[name] = conn.execute(sa.text(
            "INSERT INTO loyalty_tiers (programme_id, name, rank) VALUES (:p, :n, 0) "
            "RETURNING id"), {"p": programme_id, "n": name}).scalar_one()
    conn.execute(sa.text(
        "INSERT INTO loyalty_memberships (programme_id, account_id, tier_id, since, "
        "accepted_at, updated_at) VALUES (:p, :a, :t, :since, :accepted, CURRENT_TIMESTAMP)"),
        [{"p": programme_id, "a": m.id, "t": tiers.get(m.loyalty_tier), "since":
          m.loyalty_joined_on, "accepted": m.loyalty_joined_on or m.created_at}
         for m in members])


def upgrade() -> None:
    _create_tables()
    _move_members_in()
    # Plain ALTER TABLE (SQLite 3.35 and later drops a column in place): a batch would copy
    # ``accounts`` and lose the triggers that migration 0008 set on it.
    for column in ("loyalty_joined_on", "loyalty_tier", "loyalty_member"):
        op.drop_column("accounts", column)


def downgrade() -> None:
    op.add_column("accounts", sa.Column("loyalty_member", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.add_column("accounts", sa.Column("loyalty_tier", sa.String(50), nullable=True))
    op.add_column("accounts", sa.Column("loyalty_joined_on", sa.Date(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT m.account_id, t.name AS tier, m.since FROM loyalty_memberships m "
        "LEFT JOIN loyalty_tiers t ON t.id = m.tier_id "
        "WHERE m.accepted_at IS NOT NULL AND (m.left_at IS NULL OR m.left_at < m.accepted_at)"
    )).all()
    if rows:
        conn.execute(sa.text(
            "UPDATE accounts SET loyalty_member = true, loyalty_tier = :tier, "
            "loyalty_joined_on = :since WHERE id = :a"),
            [{"a": r.account_id, "tier": r.tier, "since": r.since} for r in rows])
    if conn.dialect.name != "sqlite":  # SQLite keeps the default: it cannot drop one in place
        op.alter_column("accounts", "loyalty_member", server_default=None)
    op.drop_table("loyalty_tier_proposals")
    op.drop_index(op.f("ix_loyalty_memberships_account_id"), table_name="loyalty_memberships")
    op.drop_table("loyalty_memberships")
    op.drop_table("loyalty_tiers")
    op.drop_table("loyalty_programmes")
