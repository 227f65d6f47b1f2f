"""Exchange rates the admin keeps: what one unit of a currency is worth in another, from a day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from abm.db import Base, utcnow

# Rates span many orders of magnitude (1 JPY in EUR, 1 EUR in IDR): ten decimals.
Rate = Numeric(24, 10, asdecimal=False)


class ExchangeRate(Base):
    """One unit of ``currency`` is worth ``rate`` units of ``base`` from ``valid_from`` on,
    until the next rate of the pair.

    ``base`` is the workspace currency the rate was entered for: only the rates to the
    current workspace currency convert imported lines, and a rate stays a true fact
    whatever the workspace currency becomes.
    """

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("currency", "base", "valid_from"),
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint("currency <> base", name="not_to_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    base: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date] = mapped_column(Date)
    rate: Mapped[float] = mapped_column(Rate)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
