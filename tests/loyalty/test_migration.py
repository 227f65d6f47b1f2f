"""Migration 0018 moves the old loyalty flags into a programme and back."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import create_engine, text

from abm.db import alembic_config, upgrade


def test_flagged_accounts_become_members_and_return_on_downgrade(fresh_database):
    url = fresh_database()
    upgrade(url, "0016")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO accounts (kind, name, name_folded, loyalty_member, loyalty_tier, "
                "loyalty_joined_on, created_at, updated_at) VALUES ('customer', :name, :folded, "
                ":member, :tier, :joined, '2026-01-01', '2026-01-01')"),
                [{"name": "gold one", "folded": "gold one", "member": True, "tier": "gold",
                  "joined": date(2025, 5, 1)},
                 {"name": "plain one", "folded": "plain one", "member": False, "tier": None,
                  "joined": None}])
        upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT a.name, p.name, t.name, m.since FROM loyalty_memberships m "
                "JOIN accounts a ON a.id = m.account_id "
                "JOIN loyalty_programmes p ON p.id = m.programme_id "
                "LEFT JOIN loyalty_tiers t ON t.id = m.tier_id")).all()
        assert [tuple(str(v) for v in r) for r in rows] == [
            ("gold one", "Loyalty programme", "gold", "2025-05-01")]
        command.downgrade(alembic_config(url), "0016")
        with engine.connect() as conn:
            back = conn.execute(text(
                "SELECT name, loyalty_member, loyalty_tier FROM accounts ORDER BY id")).all()
        assert [(n, bool(m), t) for n, m, t in back] == [
            ("gold one", True, "gold"), ("plain one", False, None)]
    finally:
        engine.dispose()
