"""campaign schedules that hold, and send windows

A campaign scheduled for later keeps the id of the RQ job that is to start it
(``start_job_id``): a reschedule or a cancel supersedes that job, a job that
is no longer the campaign's own does nothing when it runs, and a due campaign
whose job was lost (a Redis restarted without its data, a process killed
between the commit and the enqueue) is found and started again by the
due-campaign check.

``send_window`` limits sending to working hours and days in each recipient's
country (``{"start": "09:00", "end": "18:00", "days": [1, ..., 5],
"holidays": true}``); NULL sends at any time.

Revision ID: 0015
Revises: 0014
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("start_job_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("send_window", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("send_window")
        batch.drop_column("start_job_id")
