"""An order line's account and product must exist, whoever writes it.

SQLite checks them with foreign keys; PostgreSQL with statement triggers
(migration 0009). Both must refuse a missing parent from the ORM, from the
import's bulk writers (executemany on SQLite; on PostgreSQL COPY into an empty
table, COPY and upsert otherwise) and from an UPDATE, and must carry out what
deleting a parent does to its lines.
"""

from datetime import date

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from abm.accounts.models import Account
from abm.imports.bulk import order_writer
from abm.sales.models import OrderLine, Product

MISSING = 987_654


def _driver_integrity_errors() -> tuple[type[Exception], ...]:
    """The drivers' own errors: the bulk writers talk to the driver connection."""
    import sqlite3

    import psycopg

    return (IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)


@pytest.fixture
def parents(session):
    account = Account(name="Alpha", external_id="C1")
    product = Product(sku="P1", name="Nails")
    session.add_all([account, product])
    session.flush()
    return account.id, product.id


def _line(account_id, product_id, document="D1", **kw) -> OrderLine:
    return OrderLine(account_id=account_id, product_id=product_id, document=document,
                     line_no=kw.get("line_no", 1), date=date(2026, 3, 5),
                     month=date(2026, 3, 1), quantity=1, revenue=10.0)


def _row(account_id, product_id, document="D1") -> tuple:
    # In abm.imports.orders.COLUMNS order.
    return (account_id, product_id, document, 1, "2026-03-05", "2026-03-01", 1.0, 10.0, None,
            "EUR")


def _is_postgres(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def test_an_order_line_with_a_missing_account_is_refused(session, parents):
    session.add(_line(MISSING, parents[1]))
    with pytest.raises(IntegrityError) as caught:
        session.flush()
    if _is_postgres(session):
        assert caught.value.orig.sqlstate == "23503"  # foreign_key_violation
        assert f"(account_id)=({MISSING})" in str(caught.value)


def test_an_order_line_with_a_missing_product_is_refused(session, parents):
    session.add(_line(parents[0], MISSING))
    with pytest.raises(IntegrityError) as caught:
        session.flush()
    if _is_postgres(session):
        assert caught.value.orig.sqlstate == "23503"
        assert f"(product_id)=({MISSING})" in str(caught.value)


def test_an_order_line_without_a_product_is_accepted(session, parents):
    session.add(_line(parents[0], None))
    session.flush()
    assert session.scalar(select(OrderLine.product_id)) is None


def test_an_update_to_a_missing_account_is_refused(session, parents):
    session.add(_line(*parents))
    session.flush()
    with pytest.raises(IntegrityError):
        session.execute(update(OrderLine).values(account_id=MISSING))


@pytest.mark.parametrize("missing", ["account", "product"])
@pytest.mark.parametrize("table", ["empty", "not empty"])
def test_the_bulk_writers_refuse_a_missing_parent(session, parents, missing, table):
    """Into an empty table PostgreSQL's writer COPYs straight in; otherwise it upserts."""
    if table == "not empty":
        session.add(_line(*parents, document="D0"))
        session.flush()
    account_id, product_id = parents
    bad = _row(MISSING, product_id, "D2") if missing == "account" else \
        _row(account_id, MISSING, "D2")
    writer = order_writer(session, ["account_id", "revenue", "product_id", "quantity"])
    try:
        with pytest.raises(_driver_integrity_errors()) as caught:
            writer.write([_row(account_id, product_id, "D1"), bad])
    finally:
        writer.close()
    if _is_postgres(session):
        assert f"({missing}_id)=({MISSING})" in str(caught.value)


def test_the_bulk_writers_accept_lines_whose_parents_exist(session, parents):
    writer = order_writer(session, ["account_id", "revenue", "product_id", "quantity"])
    try:
        assert writer.write([_row(*parents, "D1"), _row(parents[0], None, "D2")]) == (2, 0)
    finally:
        writer.close()
    assert session.scalar(select(OrderLine.id).where(OrderLine.document == "D1")) is not None


def test_deleting_an_account_deletes_its_order_lines(session, parents):
    other = Account(name="Beta", external_id="C2")
    session.add(other)
    session.flush()
    session.add_all([_line(*parents, document="D1"), _line(other.id, parents[1], "D2")])
    session.flush()
    session.execute(delete(Account).where(Account.id == parents[0]))
    assert session.scalars(select(OrderLine.document)).all() == ["D2"]


def test_deleting_a_product_leaves_its_order_lines_without_a_product(session, parents):
    session.add(_line(*parents))
    session.flush()
    session.execute(delete(Product).where(Product.id == parents[1]))
    assert session.execute(select(OrderLine.account_id, OrderLine.product_id)).all() == [
        (parents[0], None)]


def test_the_id_of_an_account_with_order_lines_cannot_change(session, parents):
    session.add(_line(*parents))
    session.flush()
    with pytest.raises(IntegrityError):
        session.execute(update(Account).where(Account.id == parents[0])
                        .values(id=parents[0] + 1000))
