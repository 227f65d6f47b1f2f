"""accounts list: a folded name for search in every script, and indexes for its sorts

- ``accounts.name_folded``: the name case-folded in Python (see
  ``abm.accounts.folding``), because SQLite's ``lower()`` and ``LIKE`` fold
  ASCII only and PostgreSQL's follow the database locale; a search compares
  folded text with folded text on both. Existing names are folded here. The
  name index carries it, so that a search in name order reads the index alone.
  SQLite adds a NOT NULL column only with a default, so there it keeps ``''``
  as a server default (the application always writes the column).
- ``account_analytics.revenue``: the period's revenue whatever the measure
  (``value`` is the margin when the shares are computed on margin), so that
  the list sorts and shows revenue; filled from ``value`` where the stored
  snapshot's measure is revenue, and by the next refresh elsewhere.
- Indexes for the list's sorts by revenue, share, growth and churn risk, each
  ending with the account id, so that a page is read off the index in order
  (a sort over a join read and sorted every account: 20 ms at 100k accounts).

Revision ID: 0012
Revises: 0011
"""
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SORT_INDEXES = {
    "ix_account_analytics_revenue": ["revenue", "account_id"],
    "ix_account_analytics_share": ["share", "account_id"],
    "ix_account_analytics_growth": ["growth", "account_id"],
}
_BATCH = 5_000


def _fold(text: str) -> str:
    """abm.accounts.folding.fold as of this revision (a migration must not change later)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.add_column("accounts", sa.Column("name_folded", sa.Text(), nullable=False,
                                        server_default=""))
    accounts = sa.table("accounts", sa.column("id", sa.Integer()),
                        sa.column("name", sa.String()), sa.column("name_folded", sa.Text()))
    last = 0
    while True:
        rows = bind.execute(sa.select(accounts.c.id, accounts.c.name)
                            .where(accounts.c.id > last).order_by(accounts.c.id)
                            .limit(_BATCH)).all()
        if not rows:
            break
        bind.execute(accounts.update().where(accounts.c.id == sa.bindparam("_id"))
                     .values(name_folded=sa.bindparam("_folded")),
                     [{"_id": i, "_folded": _fold(name)} for i, name in rows])
        last = rows[-1][0]
    if not sqlite:
        op.alter_column("accounts", "name_folded", server_default=None)
    op.drop_index("ix_accounts_name", table_name="accounts")
    op.create_index("ix_accounts_name", "accounts", ["name", "name_folded"])

    op.add_column("account_analytics", sa.Column("revenue", sa.Numeric(18, 2)))
    op.execute("UPDATE account_analytics SET revenue = value WHERE snapshot_id IN "
               "(SELECT id FROM analytics_snapshots WHERE measure = 'revenue')")
    for name, columns in _SORT_INDEXES.items():
        op.create_index(name, "account_analytics", columns)
    op.drop_index("ix_churn_states_state_stake", table_name="churn_states")
    op.create_index("ix_churn_states_state_stake", "churn_states",
                    ["state", "revenue_at_stake", "account_id"])


def downgrade() -> None:
    op.drop_index("ix_churn_states_state_stake", table_name="churn_states")
    op.create_index("ix_churn_states_state_stake", "churn_states", ["state", "revenue_at_stake"])
    for name in _SORT_INDEXES:
        op.drop_index(name, table_name="account_analytics")
    op.drop_column("account_analytics", "revenue")
    op.drop_index("ix_accounts_name", table_name="accounts")
    op.create_index("ix_accounts_name", "accounts", ["name"])
    op.drop_column("accounts", "name_folded")
