"""Column mappings a user saved to reuse with the next export of the same system."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from abm.db import Base, utcnow


class ImportMapping(Base):
    """A named mapping of import fields to file headers, for one import kind."""

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    columns: Mapped[dict] = mapped_column(JSON)  # field -> header
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StaleAggregateMonths(Base):
    """Months whose monthly aggregates may lag the order lines an import committed.

    An import writes (and widens) its row in the transaction of each batch it commits
    and deletes it in the transaction of its final refresh of the aggregates, so that
    at every commit the aggregates either agree with the lines or a row here says
    which months to rebuild. The row of an import that died is repaired by the next
    import (:func:`abm.imports.consistency.repair_stale_aggregates`).
    """

    __tablename__ = "stale_aggregate_months"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_month: Mapped[date]
    last_month: Mapped[date]
    # host:pid:token of the import that writes it, to tell a live import from a dead one
    owner: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
