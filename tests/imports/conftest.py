"""Fixtures of the import tests: files written on the fly, imports committed like the CLI."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select

from abm.accounts.models import Account
from abm.imports.services import import_file
from abm.sales.models import MonthlyAccountProductSales, MonthlyAccountSales, OrderLine, Product


@pytest.fixture
def write_file(tmp_path):
    """Write text (or bytes) to a file in the test folder; returns its path."""
    counter = iter(range(10_000))

    def write(content: str | bytes, name: str | None = None, encoding: str = "utf-8"):
        path = tmp_path / (name or f"file{next(counter)}.csv")
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return write


@pytest.fixture
def do_import(session):
    """Import a file and commit, as the CLI does."""

    def run(path, kind: str = "orders", **options):
        result = import_file(session, path, kind, **options)
        session.commit()
        return result

    return run


@pytest.fixture
def accounts(session):
    """Two customers with external ids C1 and C2; returns {external_id: id}."""
    rows = [Account(name="Alpha", external_id="C1"), Account(name="Beta", external_id="C2")]
    session.add_all(rows)
    session.add_all([Product(sku="P1", name="Nails"), Product(sku="P2", name="Screws")])
    session.commit()
    return {a.external_id: a.id for a in rows}


def order_lines(session) -> list[tuple]:
    """Every order line as comparable plain values, sorted."""
    stmt = (
        select(OrderLine.document, OrderLine.date, OrderLine.line_no, Account.external_id,
               Account.name, Product.sku, OrderLine.quantity, OrderLine.revenue,
               OrderLine.margin, OrderLine.currency, OrderLine.month)
        .join(Account, Account.id == OrderLine.account_id)
        .outerjoin(Product, Product.id == OrderLine.product_id)
    )
    return sorted(tuple(r) for r in session.execute(stmt))


def aggregates(session) -> tuple[list[tuple], list[tuple]]:
    """Both monthly aggregate tables as plain sorted rows (money rounded to cents)."""
    m, p = MonthlyAccountSales, MonthlyAccountProductSales
    monthly = sorted(
        (a, mo, round(rev, 2), None if mar is None else round(mar, 2), round(q, 3), n, d, days)
        for a, mo, rev, mar, q, n, d, days in session.execute(
            select(m.account_id, m.month, m.revenue, m.margin, m.quantity, m.lines,
                   m.documents, m.purchase_days))
    )
    per_product = sorted(
        (a, pr, mo, round(rev, 2), round(q, 3), n)
        for a, pr, mo, rev, q, n in session.execute(
            select(p.account_id, p.product_id, p.month, p.revenue, p.quantity, p.lines))
    )
    return monthly, per_product


def direct_aggregates(session) -> tuple[list[tuple], list[tuple]]:
    """The aggregates computed in Python from the order lines themselves."""
    monthly = defaultdict(lambda: [0.0, None, 0.0, 0, set(), set()])
    per_product = defaultdict(lambda: [0.0, 0.0, 0])
    for line in session.scalars(select(OrderLine)):
        m = monthly[line.account_id, line.month]
        m[0] += line.revenue
        if line.margin is not None:
            m[1] = (m[1] or 0.0) + line.margin
        m[2] += line.quantity
        m[3] += 1
        m[4].add(line.document)
        m[5].add(line.date)
        if line.product_id is not None:
            p = per_product[line.account_id, line.product_id, line.month]
            p[0] += line.revenue
            p[1] += line.quantity
            p[2] += 1
    return (
        sorted((a, mo, round(r, 2), None if g is None else round(g, 2), round(q, 3), n,
                len(docs), len(days)) for (a, mo), (r, g, q, n, docs, days) in monthly.items()),
        sorted((a, p, mo, round(r, 2), round(q, 3), n)
               for (a, p, mo), (r, q, n) in per_product.items()),
    )
