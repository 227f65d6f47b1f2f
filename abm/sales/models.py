"""Products, order lines (shipments), receivables and the monthly aggregates kept from them."""

from __future__ import annotations

import datetime as dt
from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from abm.db import Base, BigId

# Exact in the database, plain floats in Python: analytics sums them by the million.
Money = Numeric(18, 2, asdecimal=False)
Quantity = Numeric(18, 3, asdecimal=False)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    top_assortment: Mapped[bool] = mapped_column(default=False, index=True)
    price: Mapped[float | None] = mapped_column(Money)

    def __repr__(self) -> str:
        return f"<Product {self.sku}>"


class OrderLine(Base):
    """One line of a shipment document, as exported by the accounting system.

    The natural key is (document, date, line_no): accounting systems restart
    document numbering every year, so the number alone does not identify a
    document. ``month`` is the first day of the line's month, kept so that the
    monthly aggregates are a plain GROUP BY on every database.

    Indexes: the natural key, for the import's upsert, and (account_id, date), which
    serves every read by account (per-account dates, a month as a date range, the
    refresh of an account's aggregates). Nothing reads lines by product or by
    (account, month) alone, and each B-tree fewer makes the bulk insert of an import
    faster (measured in ``bench/import_orders.py``).

    The account and product are foreign keys on SQLite only. On PostgreSQL a check per
    row cost more than half of COPYing the lines; statement triggers (migration 0009)
    check and lock the parents once per statement instead, and do the ON DELETE actions.
    """

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("document", "date", "line_no", name="uq_order_lines_natural_key"),
        Index("ix_order_lines_account_date", "account_id", "date"),
        CheckConstraint("line_no >= 0", name="line_no_non_negative"),
        ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE")
        .ddl_if(dialect="sqlite"),
        ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="SET NULL")
        .ddl_if(dialect="sqlite"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column()
    # Not indexed: nothing reads lines by product (analytics reads the per-product
    # aggregates), so deleting a product, which the application never does, scans.
    product_id: Mapped[int | None] = mapped_column()
    document: Mapped[str] = mapped_column(String(100))
    line_no: Mapped[int] = mapped_column(default=0)
    # dt.date: inside the class, after this line, "date" names the column.
    date: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[dt.date] = mapped_column(Date)
    quantity: Mapped[float] = mapped_column(Quantity, default=0)
    revenue: Mapped[float] = mapped_column(Money)
    margin: Mapped[float | None] = mapped_column(Money)
    # The currency of revenue and margin: the workspace's when the line was imported.
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    # A line the file gave in another currency keeps that currency and its amounts here;
    # revenue and margin hold them converted at the rate of the line's day.
    original_currency: Mapped[str | None] = mapped_column(String(3))
    original_revenue: Mapped[float | None] = mapped_column(Money)
    original_margin: Mapped[float | None] = mapped_column(Money)

    account = relationship("Account")
    product: Mapped[Product | None] = relationship()


class Receivable(Base):
    """An invoice the account owes: due date, amount and what has been paid."""

    __tablename__ = "receivables"
    __table_args__ = (
        UniqueConstraint("account_id", "document", name="uq_receivables_account_document"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        CheckConstraint("paid_amount >= 0", name="paid_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    document: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[float] = mapped_column(Money)
    paid_amount: Mapped[float] = mapped_column(Money, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")

    account = relationship("Account")

    @property
    def outstanding(self) -> float:
        return round(self.amount - self.paid_amount, 2)


class MonthlyAccountSales(Base):
    """Per account per month: kept up to date by every import, read by analytics and pages.

    The monthly tables are derived from the order lines and rewritten by every
    import, a row per account-month (and product): they carry no foreign keys, whose
    checks cost more than the rest of each row's insert on PostgreSQL. Their ids
    come from order lines, whose foreign keys hold; the refresh locks the accounts
    and products it reads (one statement, as a foreign key check would per row),
    and triggers on ``accounts`` and ``products`` (migration 0008) delete their rows
    as ``ON DELETE CASCADE`` did.
    """

    __tablename__ = "monthly_account_sales"
    # On SQLite the rows live in the primary key's B-tree: one B-tree fewer to write.
    __table_args__ = {"sqlite_with_rowid": False}

    account_id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    revenue: Mapped[float] = mapped_column(Money, default=0)
    margin: Mapped[float | None] = mapped_column(Money)
    quantity: Mapped[float] = mapped_column(Quantity, default=0)
    lines: Mapped[int] = mapped_column(default=0)
    documents: Mapped[int] = mapped_column(default=0)
    purchase_days: Mapped[int] = mapped_column(default=0)


class MonthlyAccountProductSales(Base):
    """Per account, product and month (kept as :class:`MonthlyAccountSales` is)."""

    __tablename__ = "monthly_account_product_sales"
    __table_args__ = {"sqlite_with_rowid": False}

    account_id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(primary_key=True, index=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    revenue: Mapped[float] = mapped_column(Money, default=0)
    margin: Mapped[float | None] = mapped_column(Money)
    quantity: Mapped[float] = mapped_column(Quantity, default=0)
    lines: Mapped[int] = mapped_column(default=0)
