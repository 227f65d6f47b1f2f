"""Writing order lines batch by batch (on PostgreSQL in a second thread, while the next is read)."""

import sqlite3

import psycopg
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from abm.accounts.models import Account
from abm.imports import orders
from abm.imports.services import import_file
from abm.sales.models import OrderLine

HEADER = "document,line,date,account,client,sku,quantity,revenue\n"


def _lines(first: int, count: int, account: str, client: str = "") -> str:
    return "".join(f"D{n},1,2025-03-{1 + n % 28:02d},{account},{client},P1,1,10\n"
                   for n in range(first, first + count))


def test_a_batch_the_database_refuses_fails_the_import_with_its_error(
        session, accounts, write_file, monkeypatch):
    monkeypatch.setattr(orders, "BATCH", 100)
    path = write_file(HEADER + _lines(0, 100, "C1") + _lines(100, 300, "C2"))
    calls = []

    def commit_then_delete_c2(*_):
        session.commit()
        calls.append(1)
        if len(calls) == 1:  # the import still has C2's id: its next batch names a gone account
            session.execute(delete(Account).where(Account.id == accounts["C2"]))
            session.commit()

    with pytest.raises((IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)):
        import_file(session, path, "orders", on_batch=commit_then_delete_c2)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(OrderLine)) == 100


def test_an_account_first_named_mid_file_is_created_and_its_lines_written(
        session, accounts, write_file, monkeypatch):
    monkeypatch.setattr(orders, "BATCH", 100)
    path = write_file(HEADER + _lines(0, 150, "C1") + _lines(150, 1, "C9", "New client")
                      + _lines(151, 149, "C9") + _lines(300, 100, "C2"))
    result = import_file(session, path, "orders", on_batch=lambda *_: session.commit())
    session.commit()
    assert (result.created, result.accounts_created, result.error_count) == (400, 1, 0)
    new_id = session.scalar(select(Account.id).where(Account.external_id == "C9"))
    assert session.scalar(select(func.count()).where(OrderLine.account_id == new_id)) == 150
