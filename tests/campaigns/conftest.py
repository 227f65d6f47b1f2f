"""Fixtures of the campaign tests: accounts with contacts and sales, and users."""

from __future__ import annotations

from datetime import date

import pytest

from abm.accounts.models import Account, AccountCategory, Contact, ContactRole
from abm.sales.models import MonthlyAccountProductSales, MonthlyAccountSales, Product
from abm.users.services import create_user


@pytest.fixture
def users(session):
    made = {role: create_user(session, email=f"{role}@t.io", name=role.title(), role=role,
                              password="pw") for role in ("manager", "marketing", "sales")}
    session.flush()
    return made


@pytest.fixture
def make_accounts(session):
    """make_accounts(n, contacts=2, **fields) -> accounts, each with reachable contacts."""

    def make(n: int, contacts: int = 2, categories=(), **fields):
        accounts = []
        for i in range(n):
            account = Account(name=fields.pop("name", None) or f"Account {i:03d}", **fields)
            account.categories = [AccountCategory(category=c) for c in categories]
            for j in range(contacts):
                role = ContactRole.OWNER if j == 0 else ContactRole.PURCHASING
                account.contacts.append(Contact(
                    name=f"Person{i}x{j} Surname", email=f"p{i}x{j}.{id(account)}@client.test",
                    role=role, marketing_consent=True))
            accounts.append(account)
        session.add_all(accounts)
        session.flush()
        return accounts

    return make


@pytest.fixture
def sales(session):
    """sales(account, {product: revenue}, month) adds monthly aggregates directly."""
    products: dict[str, Product] = {}

    def add(account, revenues: dict[str, float], month: date, top=()):
        for sku, revenue in revenues.items():
            if sku not in products:
                products[sku] = Product(sku=sku, name=f"Product {sku}", top_assortment=sku in top)
                session.add(products[sku])
                session.flush()
            session.merge(MonthlyAccountProductSales(
                account_id=account.id, product_id=products[sku].id, month=month, revenue=revenue))
        row = session.get(MonthlyAccountSales, (account.id, month))
        total = sum(revenues.values())
        if row is None:
            session.add(MonthlyAccountSales(account_id=account.id, month=month, revenue=total))
        else:
            row.revenue += total
        session.flush()
        return products

    return add
