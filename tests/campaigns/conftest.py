"""Fixtures of the campaign tests: accounts with contacts and sales, and users."""

from __future__ import annotations

from datetime import date

import pytest

from abm.accounts.models import Account, AccountCategory, Contact, ContactRole
from abm.sales.models import MonthlyAccountProductSales, MonthlyAccountSales, Product
from abm.segments.models import AccountSegment, RunSegment, Segment, SegmentationRun
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


def _run(session, month: int, segments: dict[Segment, list]) -> SegmentationRun:
    """A segmentation run in which each segment holds the given accounts."""
    run = SegmentationRun(as_of=date(2026, month, 1), k=len(segments), k_chosen_by="fixed",
                          n_accounts=sum(len(a) for a in segments.values()), settings={},
                          metrics={}, feature_names=[])
    session.add(run)
    session.flush()
    for label, (segment, accounts) in enumerate(segments.items()):
        segment.last_run_id = run.id
        session.add(RunSegment(run_id=run.id, segment_id=segment.id, label=label,
                               name=segment.name, size=len(accounts), centroid={},
                               scaled_centroid=[], explanation={}))
        session.add_all(AccountSegment(run_id=run.id, account_id=a.id, segment_id=segment.id,
                                       distance=0.1) for a in accounts)
    session.flush()
    return run


@pytest.fixture
def resegmented(session, make_accounts):
    """"Steady buyers" was in the first run only; the second has "Sleepers" instead."""
    a, b = make_accounts(2)
    first = _run(session, 9, {})
    steady = Segment(name="Steady buyers", first_run_id=first.id, last_run_id=first.id)
    sleepers = Segment(name="Sleepers", first_run_id=first.id, last_run_id=first.id)
    session.add_all([steady, sleepers])
    session.flush()
    session.add(RunSegment(run_id=first.id, segment_id=steady.id, label=0, name=steady.name,
                           size=1, centroid={}, scaled_centroid=[], explanation={}))
    session.flush()
    return {"steady": steady, "sleepers": sleepers, "accounts": (a, b),
            "resegment": lambda: _run(session, 10, {sleepers: [a, b]})}
