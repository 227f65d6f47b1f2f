"""The structured-offer migration moves the discount and terms of existing campaigns out of
their JSON, and back on the way down."""

import sqlalchemy as sa
from alembic import command

from abm.db import alembic_config

REVISION = "0014"
campaigns = sa.table("campaigns", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("kind", sa.String), sa.column("status", sa.String),
                     sa.column("audience", sa.JSON), sa.column("offer", sa.JSON),
                     sa.column("default_language", sa.String),
                     sa.column("holdout_share", sa.Float),
                     sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime))


def _rows(engine, *columns):
    with engine.connect() as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(
            sa.text(f"SELECT id, {', '.join(columns)} FROM campaigns ORDER BY id"))}


def test_the_discount_and_terms_move_into_the_structured_offer_and_back(fresh_database):
    url = fresh_database()
    cfg = alembic_config(url)
    command.upgrade(cfg, f"{REVISION}-1")
    engine = sa.create_engine(url)
    try:
        now = sa.func.current_timestamp()
        with engine.begin() as conn:
            for offer in ({"title": "Deal", "discount_percent": 15, "terms": "Net 90"},
                          {"title": "Plain"}, {"discount_percent": "lots"}):
                conn.execute(campaigns.insert().values(
                    name="c", kind="personal_offer", status="draft", audience={}, offer=offer,
                    default_language="en", holdout_share=0.1, created_at=now, updated_at=now))
        command.upgrade(cfg, REVISION)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(campaigns.c.id, campaigns.c.offer).order_by(
                campaigns.c.id)).all()
        assert [offer for _id, offer in rows] == [{"title": "Deal"}, {"title": "Plain"}, {}]
        moved = _rows(engine, "discount_percent", "terms", "bonus_percent", "payment_days")
        assert [(float(d) if d is not None else None, t, b, p)
                for d, t, b, p in moved.values()] == [
            (15.0, "Net 90", None, None), (None, None, None, None), (None, None, None, None)]
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE campaigns SET payment_days = 60 WHERE id = 2"))
        command.downgrade(cfg, f"{REVISION}-1")
        with engine.connect() as conn:
            back = [offer for _id, offer in conn.execute(
                sa.select(campaigns.c.id, campaigns.c.offer).order_by(campaigns.c.id))]
        assert back == [{"title": "Deal", "discount_percent": 15.0, "terms": "Net 90"},
                        {"title": "Plain", "payment_days": 60}, {}]
    finally:
        engine.dispose()
