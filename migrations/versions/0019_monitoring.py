"""monitoring: visits, competitors' clients, churn signals, alerts as codes, loss reasons

DOMAIN.md asks for at least one personal visit a month to a key account, for
prospects worked by competitors to be tracked with a plan to win them, for
complaints and refusals to count as churn signals and for the reasons accounts
leave to be recorded. So:

- ``accounts`` gains ``competitor_key_client`` (the prospect is a key client of
  the competitor in ``current_supplier``) and ``win_plan``;
- interactions gain the kind ``refusal``; alerts the kinds ``no_visit`` and
  ``competitor_silence``;
- ``account_losses`` records each account marked lost or won back: the reason,
  a note, and its average monthly revenue over the 12 months before.

Alerts were stored as English sentences (``alerts.message``), so a Russian
reader saw English. The column is dropped: every stored alert already carries
the figures its sentence was made of in ``details`` (the month, the change,
the invoice, the days...), so old and new alerts alike are worded from their
kind and details in the reader's language when read. Keeping the English copy
would leave a second, stale version of the text that a page could show by
mistake. The events' notes that repeated the message (``raised``) or said
"the condition no longer holds" are emptied; the latter become the action
``cleared``, which pages word themselves.

Revision ID: 0019
Revises: 0020
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_INTERACTIONS = ("call", "meeting", "visit", "email", "complaint", "note")
_NEW_INTERACTIONS = ("call", "meeting", "visit", "email", "complaint", "refusal", "note")
_OLD_ALERTS = ("no_shipments", "white_space", "decline_vs_previous", "decline_vs_last_year",
               "terms_review_due", "overdue_receivable", "no_interaction")
_NEW_ALERTS = _OLD_ALERTS + ("no_visit", "competitor_silence")
_CLEARED_NOTE = "the condition no longer holds"


def _enum(values: Sequence[str], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True,
                   length=max(len(v) for v in values))


def upgrade() -> None:
    # Plain ADD/DROP COLUMN, not a batch: on SQLite a batch copies the table and would
    # drop the triggers that guard the order lines of an account (0008, 0009).
    op.add_column("accounts", sa.Column("competitor_key_client", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.add_column("accounts", sa.Column("win_plan", sa.Text(), nullable=True))
    with op.batch_alter_table("interactions") as batch:
        batch.alter_column("kind", existing_type=_enum(_OLD_INTERACTIONS, "interaction_kind"),
                           type_=_enum(_NEW_INTERACTIONS, "interaction_kind"),
                           existing_nullable=False)
    with op.batch_alter_table("alerts") as batch:
        batch.alter_column("kind", existing_type=_enum(_OLD_ALERTS, "alert_kind"),
                           type_=_enum(_NEW_ALERTS, "alert_kind"), existing_nullable=False)
        batch.drop_column("message")
    op.execute("UPDATE alert_events SET note = '' WHERE action = 'raised'")
    op.execute(f"UPDATE alert_events SET action = 'cleared', note = '' "  # noqa: S608 - constant
               f"WHERE action = 'resolved' AND note = '{_CLEARED_NOTE}'")
    op.create_table(
        "account_losses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("action", _enum(("lost", "won_back"), "loss_action"), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("monthly_revenue", sa.Numeric(precision=18, scale=2, asdecimal=False),
                  nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_account_losses_account_id_accounts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_account_losses_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_losses")),
    )
    op.create_index(op.f("ix_account_losses_account_id"), "account_losses", ["account_id"])
    op.create_index("ix_account_losses_action_on", "account_losses",
                    ["action", "occurred_on"])


def downgrade() -> None:
    op.drop_index("ix_account_losses_action_on", table_name="account_losses")
    op.drop_index(op.f("ix_account_losses_account_id"), table_name="account_losses")
    op.drop_table("account_losses")
    op.execute(f"UPDATE alert_events SET action = 'resolved', note = '{_CLEARED_NOTE}' "  # noqa: S608
               "WHERE action = 'cleared'")
    # The older schema has no kinds for the new alerts and needs a sentence per alert:
    # the new kinds go, the others get their kind as the sentence.
    op.execute("DELETE FROM alerts WHERE kind IN ('no_visit', 'competitor_silence')")
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("message", sa.String(length=500), nullable=False,
                                   server_default=""))
        batch.alter_column("kind", existing_type=_enum(_NEW_ALERTS, "alert_kind"),
                           type_=_enum(_OLD_ALERTS, "alert_kind"), existing_nullable=False)
    op.execute("UPDATE alerts SET message = kind")
    op.execute("UPDATE interactions SET kind = 'note' WHERE kind = 'refusal'")
    with op.batch_alter_table("interactions") as batch:
        batch.alter_column("kind", existing_type=_enum(_NEW_INTERACTIONS, "interaction_kind"),
                           type_=_enum(_OLD_INTERACTIONS, "interaction_kind"),
                           existing_nullable=False)
    op.drop_column("accounts", "win_plan")
    op.drop_column("accounts", "competitor_key_client")
