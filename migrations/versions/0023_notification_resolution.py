"""notification resolution: a request settled by someone else no longer waits in one's inbox

When one manager decided a campaign's approval, the "waiting for your approval"
notification stayed unread in every other approver's inbox. A notification now
names what it is about (``subject``, such as ``campaign:12``) so that the event
that settles it can resolve it: ``resolved_at`` and ``resolution`` (how and by
whom) are written beside what was told, which stays as it was, and ``read_at``
stays what the user did. Nothing is deleted.

The approval requests already stored get their subject from their parameters; those
whose campaign no longer waits are resolved now, by the decision taken since when
there is one.

Revision ID: 0023
Revises: 0019
"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from abm.db import UTCDateTime

revision: str = "0023"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

notifications = sa.table(
    "notifications", sa.column("id", sa.Integer), sa.column("kind", sa.String),
    sa.column("params", sa.JSON), sa.column("subject", sa.String),
    sa.column("created_at", UTCDateTime()), sa.column("resolved_at", UTCDateTime()),
    sa.column("resolution", sa.JSON))
campaigns = sa.table("campaigns", sa.column("id", sa.Integer), sa.column("status", sa.String))
approvals = sa.table(
    "campaign_approvals", sa.column("campaign_id", sa.Integer), sa.column("decision", sa.String),
    sa.column("user_id", sa.Integer), sa.column("decided_at", UTCDateTime()))
users = sa.table("users", sa.column("id", sa.Integer), sa.column("name", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolution", sa.JSON(), nullable=True))
    op.create_index(op.f("ix_notifications_subject"), "notifications", ["subject"])
    _settle_stored_requests(op.get_bind())


def _settle_stored_requests(conn: sa.Connection) -> None:
    waiting = conn.execute(sa.select(notifications.c.id, notifications.c.params,
                                     notifications.c.created_at)
                           .where(notifications.c.kind == "approval_waiting")).all()
    now = datetime.now(UTC)
    for row in waiting:
        campaign_id = (row.params or {}).get("campaign_id")
        if not isinstance(campaign_id, int):
            continue
        values: dict = {"subject": f"campaign:{campaign_id}"}
        status = conn.scalar(sa.select(campaigns.c.status).where(campaigns.c.id == campaign_id))
        if status != "pending_approval":
            values |= {"resolved_at": now,
                       "resolution": _decided_since(conn, campaign_id, row.created_at)}
        conn.execute(notifications.update().where(notifications.c.id == row.id).values(values))


def _decided_since(conn: sa.Connection, campaign_id: int, since: datetime) -> dict:
    """How the request ended: the first decision taken after it, else only that it did."""
    decision = conn.execute(
        sa.select(approvals.c.decision, approvals.c.user_id, users.c.name)
        .select_from(approvals.outerjoin(users, users.c.id == approvals.c.user_id))
        .where(approvals.c.campaign_id == campaign_id, approvals.c.decided_at >= since)
        .order_by(approvals.c.decided_at).limit(1)).first()
    if decision is None:
        return {"code": "closed", "by": None, "by_id": None}
    return {"code": decision.decision, "by": decision.name, "by_id": decision.user_id}


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_subject"), table_name="notifications")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("resolution")
        batch.drop_column("resolved_at")
        batch.drop_column("subject")
