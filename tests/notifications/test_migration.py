"""Migration 0023: the approval requests already stored are found, and settled when decided."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlalchemy import create_engine, insert, select

from abm.campaigns.models import Campaign, CampaignApproval
from abm.db import UTCDateTime, alembic_config, upgrade
from abm.users.models import User

# The notifications table as the migration finds it and as it leaves it.
NOTIFICATIONS = sa.table(
    "notifications", sa.column("id", sa.Integer), sa.column("user_id", sa.Integer),
    sa.column("kind", sa.String), sa.column("params", sa.JSON),
    sa.column("created_at", UTCDateTime()), sa.column("subject", sa.String),
    sa.column("resolved_at", UTCDateTime()), sa.column("resolution", sa.JSON))


def _request(conn, user_id: int, campaign_id: int) -> None:
    conn.execute(insert(NOTIFICATIONS).values(
        user_id=user_id, kind="approval_waiting", params={"campaign_id": campaign_id, "name": "C"},
        created_at=datetime(2026, 12, 1, 9, tzinfo=UTC)))


def test_stored_requests_get_their_subject_and_decided_ones_their_resolution(fresh_database):
    url = fresh_database()
    upgrade(url, "0019")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            anna, boris = (conn.execute(insert(User.__table__).values(
                email=f"{name}@m.test", name=name.title(), role="manager",
                password_hash="x")).inserted_primary_key[0] for name in ("anna", "boris"))
            waiting, decided, changed = (conn.execute(insert(Campaign.__table__).values(
                name=name, kind="volume_bonus", status=status)).inserted_primary_key[0]
                for name, status in (("w", "pending_approval"), ("d", "rejected"),
                                     ("c", "draft")))
            conn.execute(insert(CampaignApproval.__table__).values(
                campaign_id=decided, decision="rejected", user_id=anna, reason="No"))
            for campaign_id in (waiting, decided, changed):
                _request(conn, boris, campaign_id)
        upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(select(
                NOTIFICATIONS.c.subject, NOTIFICATIONS.c.resolved_at, NOTIFICATIONS.c.resolution)
                .order_by(NOTIFICATIONS.c.id)).all()
        assert [(r.subject, r.resolved_at is not None) for r in rows] == [
            (f"campaign:{waiting}", False), (f"campaign:{decided}", True),
            (f"campaign:{changed}", True)]
        assert [r.resolution for r in rows] == [
            None, {"code": "rejected", "by": "Anna", "by_id": anna},
            {"code": "closed", "by": None, "by_id": None}]
        command.downgrade(alembic_config(url), "0019")
        with engine.connect() as conn:
            assert conn.execute(select(sa.func.count()).select_from(NOTIFICATIONS)).scalar() == 3
    finally:
        engine.dispose()
