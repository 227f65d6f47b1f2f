"""outbox claim order: the claim index ends with the id

A claim takes the earliest due pending rows of a campaign, by id. With the id
missing from the end of ``ix_outbox_campaign_state_next``, every claim sorted
all the pending rows of the campaign (100,000 at the start of a big one) to
keep 200 of them; with it, the claim reads its 200 rows off the index in order.

Revision ID: 0010
Revises: 0009
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_outbox_campaign_state_next", table_name="outbox")
    op.create_index("ix_outbox_campaign_state_next", "outbox",
                    ["campaign_id", "state", "next_attempt_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_campaign_state_next", table_name="outbox")
    op.create_index("ix_outbox_campaign_state_next", "outbox",
                    ["campaign_id", "state", "next_attempt_at"])
