"""Small, hand-made sales histories: order lines go through the real monthly aggregates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from abm.accounts.models import Account, Interaction, InteractionKind
from abm.sales.models import OrderLine, Product, Receivable
from abm.sales.services import refresh_monthly_aggregates

TODAY = date(2026, 11, 15)  # the last full month is October 2026


class Shop:
    """Builds accounts, products and order lines, then refreshes the aggregates."""

    def __init__(self, session) -> None:
        self.session = session
        self._doc = 0

    def account(self, name: str, **kw) -> int:
        kw.setdefault("terms_reviewed_on", TODAY)
        account = Account(name=name, external_id=name, **kw)
        self.session.add(account)
        self.session.flush()
        return account.id

    def product(self, sku: str, top: bool = False) -> int:
        product = Product(sku=sku, name=f"Product {sku}", top_assortment=top)
        self.session.add(product)
        self.session.flush()
        return product.id

    def line(self, account_id: int, day: date, revenue: float, *, margin: float | None = None,
             product_id: int | None = None, quantity: float = 1) -> None:
        self._doc += 1
        self.session.add(OrderLine(
            account_id=account_id, product_id=product_id, document=f"D{self._doc}", line_no=1,
            date=day, month=day.replace(day=1), quantity=quantity, revenue=revenue,
            margin=margin,
        ))

    def monthly(self, account_id: int, amounts: dict[date, float], **kw) -> None:
        """One line on the 10th of each given month."""
        for month, revenue in amounts.items():
            self.line(account_id, month.replace(day=10), revenue, **kw)

    def receivable(self, account_id: int, document: str, due_on: date, amount: float,
                   paid: float = 0) -> int:
        row = Receivable(account_id=account_id, document=document, due_on=due_on,
                         amount=amount, paid_amount=paid)
        self.session.add(row)
        self.session.flush()
        return row.id

    def interaction(self, account_id: int, day: date,
                    kind: InteractionKind = InteractionKind.VISIT) -> None:
        self.session.add(Interaction(
            account_id=account_id, kind=kind,
            occurred_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
        ))
        self.session.flush()

    def refresh(self) -> None:
        self.session.flush()
        refresh_monthly_aggregates(self.session)
        self.session.flush()


def months_of(year: int, first_month: int, count: int) -> list[date]:
    """``count`` consecutive first days of months from (year, first_month)."""
    out = []
    y, m = year, first_month
    for _ in range(count):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# The 12 full months before TODAY: November 2025 to October 2026.
PERIOD = months_of(2025, 11, 12)
