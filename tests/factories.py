"""Test data: one way to make each kind of row, with defaults that a test overrides by keyword.

A test then says only what matters to it ("an account owned by the salesperson, with
one reachable contact") and not how rows are wired together. Every factory adds to
the session and flushes, so ids are set; the caller commits when a request must see
the rows. Users get a password hashed once per run with the cheap test method (see
``ABM_PASSWORD_HASH`` in tests/conftest.py), not once per user.
"""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, date, datetime

from sqlalchemy import insert

from abm.accounts.models import (
    Account,
    AccountCategory,
    AccountKind,
    Contact,
    ContactRole,
    Interaction,
    InteractionKind,
    Task,
)
from abm.sales.models import (
    MonthlyAccountProductSales,
    MonthlyAccountSales,
    OrderLine,
    Product,
    Receivable,
)
from abm.sales.services import refresh_monthly_aggregates
from abm.users.models import Role, User
from abm.users.passwords import hash_password

PASSWORD = "secret-password"
ROLES = ("admin", "manager", "marketing", "sales")
_documents = itertools.count(1)  # order-line documents unique across every builder of a run


@functools.cache
def password_hash(password: str = PASSWORD) -> str:
    """The hash of ``password``, computed once per run (hashing is the slow part of a user)."""
    return hash_password(password)


# -- users ---------------------------------------------------------------------------------

def make_user(session, role: Role | str = Role.SALES, *, email: str | None = None,
              name: str | None = None, password: str = PASSWORD, **fields) -> User:
    """An active user; ``<role>@test.local`` named after the role unless told."""
    role = Role(role)
    user = User(email=email or f"{role.value}@test.local", name=name or role.value.title(),
                role=role, password_hash=password_hash(password), **fields)
    session.add(user)
    session.flush()
    return user


def make_users(session) -> dict[str, User]:
    """One user per role (``admin@test.local``, ...) plus a second salesperson, "rival"."""
    made = {role: make_user(session, role) for role in ROLES}
    made["rival"] = make_user(session, Role.SALES, email="rival@test.local", name="Rival")
    return made


# -- accounts and contacts -----------------------------------------------------------------

def make_account(session, name: str = "Acme Ltd", **fields) -> Account:
    """A customer (or ``kind=AccountKind.PROSPECT``) with the given fields."""
    account = Account(name=name, **fields)
    session.add(account)
    session.flush()
    return account


def make_contact(session, account: Account, name: str = "Olga Buyer", **fields) -> Contact:
    contact = Contact(account_id=account.id, name=name, **fields)
    session.add(contact)
    session.flush()
    return contact


def make_accounts(session, n: int, contacts: int = 2, categories=(), **fields) -> list[Account]:
    """``n`` accounts named "Account 000"..., each with ``contacts`` contacts who accepted
    marketing mail (the first an owner, the others purchasing) and the given categories;
    ``name`` names the first."""
    accounts = []
    for i in range(n):
        account = Account(name=fields.pop("name", None) or f"Account {i:03d}", **fields)
        account.categories = [AccountCategory(category=c) for c in categories]
        for j in range(contacts):
            account.contacts.append(Contact(
                name=f"Person{i}x{j} Surname", email=f"p{i}x{j}.{id(account)}@client.test",
                role=ContactRole.OWNER if j == 0 else ContactRole.PURCHASING,
                marketing_consent=True))
        accounts.append(account)
    session.add_all(accounts)
    session.flush()
    return accounts


def make_book(session, users: dict[str, User]) -> dict:
    """The small book of the web and API tests: two accounts of "sales", one of "rival", an
    unowned prospect; a contact on each owned customer, ten months of sales on the first,
    a product, and two tasks on the rival's account (one assigned to "sales")."""
    own = make_account(session, "Own Customer", external_id="C1", region="North",
                       industry="Retail", owner_id=users["sales"].id)
    own2 = make_account(session, "Another Own", external_id="C2", region="South",
                        owner_id=users["sales"].id)
    rival = make_account(session, "Rival Customer", external_id="C3", region="North",
                         owner_id=users["rival"].id)
    prospect = make_account(session, "Free Prospect", kind=AccountKind.PROSPECT, region="East")
    contact = make_contact(session, own, role=ContactRole.PURCHASING, email="olga@own.test")
    rival_contact = make_contact(session, rival, "Rita Rival", email="rita@rival.test")
    monthly_totals(session, own, {date(2026, m, 1): 1000.0 * m for m in range(1, 11)})
    product = Product(sku="P-1", name="Pallet wrap", price=12.5, top_assortment=True)
    shared_task = Task(account_id=rival.id, title="Help the rival", creator_id=users["rival"].id,
                       assignee_id=users["sales"].id)
    rival_task = Task(account_id=rival.id, title="Rival only", creator_id=users["rival"].id)
    session.add_all([product, shared_task, rival_task])
    session.flush()
    return {"own": own, "own2": own2, "rival": rival, "prospect": prospect, "contact": contact,
            "rival_contact": rival_contact, "product": product, "shared_task": shared_task,
            "rival_task": rival_task}


# -- sales ---------------------------------------------------------------------------------

def monthly_totals(session, account: Account, revenues: dict[date, float], *,
                   margin: float = 100.0) -> None:
    """Monthly totals written straight into the aggregate table (no order lines behind
    them): for pages and rules that read only the totals."""
    session.add_all(
        MonthlyAccountSales(account_id=account.id, month=month, revenue=revenue, margin=margin,
                            quantity=1, lines=1, documents=1, purchase_days=1)
        for month, revenue in revenues.items())
    session.flush()


class MonthlySales:
    """``sales(account, {sku: revenue}, month, top=())``: per-product and total monthly
    aggregates written directly, products made on first use (``top``: in the top
    assortment). Returns the products by SKU."""

    def __init__(self, session) -> None:
        self.session = session
        self.products: dict[str, Product] = {}

    def __call__(self, account: Account, revenues: dict[str, float], month: date,
                 top=()) -> dict[str, Product]:
        session = self.session
        for sku, revenue in revenues.items():
            if sku not in self.products:
                self.products[sku] = Product(sku=sku, name=f"Product {sku}",
                                             top_assortment=sku in top)
                session.add(self.products[sku])
                session.flush()
            session.merge(MonthlyAccountProductSales(
                account_id=account.id, product_id=self.products[sku].id, month=month,
                revenue=revenue))
        row = session.get(MonthlyAccountSales, (account.id, month))
        total = sum(revenues.values())
        if row is None:
            session.add(MonthlyAccountSales(account_id=account.id, month=month, revenue=total))
        else:
            row.revenue += total
        session.flush()
        return self.products


class OrderLines:
    """Accounts, products and order lines that go through the real monthly aggregates:
    add lines (one by one with :meth:`line`, or many with :meth:`buy`, inserted in bulk),
    then :meth:`refresh` before reading the aggregates."""

    def __init__(self, session) -> None:
        self.session = session
        self.lines: list[dict] = []  # bought, inserted by the next refresh
        self._products: dict[str, int] = {}

    def account(self, name: str, kind: AccountKind = AccountKind.CUSTOMER, **fields) -> int:
        return make_account(self.session, name, kind=kind, **fields).id

    def product(self, sku: str, top: bool = False) -> int:
        """The product with this SKU, made on first use."""
        if sku not in self._products:
            product = Product(sku=sku, name=f"Product {sku}", top_assortment=top)
            self.session.add(product)
            self.session.flush()
            self._products[sku] = product.id
        return self._products[sku]

    def line(self, account_id: int, day: date, revenue: float, *, margin: float | None = None,
             product_id: int | None = None, quantity: float = 1) -> None:
        """One order line, added to the session now."""
        self.session.add(OrderLine(
            account_id=account_id, product_id=product_id, document=f"D{next(_documents)}",
            line_no=1, date=day, month=day.replace(day=1), quantity=quantity, revenue=revenue,
            margin=margin))

    def buy(self, account_id: int, day: date, revenue: float, *, top: bool = False,
            margin: float | None = None) -> None:
        """A purchase of the top ("TOP") or standard ("STD") product, margin 20% unless
        told; kept for the bulk insert of :meth:`refresh`."""
        self.lines.append({
            "account_id": account_id, "product_id": self.product("TOP" if top else "STD", top),
            "document": f"D{next(_documents)}", "line_no": 1, "date": day,
            "month": day.replace(day=1), "quantity": 1, "revenue": revenue,
            "margin": margin if margin is not None else round(revenue * 0.2, 2),
        })

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
            occurred_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC)))
        self.session.flush()

    def refresh(self) -> None:
        """Insert the bought lines and recompute the monthly aggregates."""
        self.session.flush()
        if self.lines:
            self.session.execute(insert(OrderLine), self.lines)
            self.lines = []
        refresh_monthly_aggregates(self.session)
        self.session.flush()
