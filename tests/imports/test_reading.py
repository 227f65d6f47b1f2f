"""A big file of order lines read in a child process: the same outcome as in one process."""

import os
import signal
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select

from abm.accounts.models import Account
from abm.imports import orders, reading
from abm.imports.results import ImportFileError, ImportResult
from abm.imports.services import import_file
from abm.sales.models import Product
from tests.imports.conftest import aggregates, order_lines

HEADER = "document;line;date;account;client;sku;product;quantity;revenue\n"
# Known and new accounts and products, by code and by name only, and every kind of bad
# row, over batches of three lines (a duplicate key two batches after its first line).
CONTENT = HEADER + (
    "D1;1;2026-01-05;C1;;P1;;1;10\n"
    "D1;2;2026-01-05;C9;New client;P1;;1;10\n"
    "D2;1;2026-01-06;;Named only;S7;New product;2;20\n"
    "D3;1;2026-13-40;C1;;P1;;1;10\n"
    "D3;2;2026-01-07;C1;;P404;;1;10\n"
    "D3;3;2026-01-07;C9;;P2;;1;-5\n"
    "D4;1;2026-02-01;C9;;S7;;1;30\n"
    "D4;2;2026-02-01;;Named only;;Nameless product;1;40\n"
    "D1;1;2026-01-05;C2;;P2;;1;10\n"
    "D5;1;2026-02-02;;Beta;P2;;1;50\n"
    "D5;2;2026-02-02;C1;;;Nameless product;1;60\n"
)


@pytest.fixture
def in_child(monkeypatch):
    """Every order import reads in a child process, in batches of three lines."""
    monkeypatch.setattr(reading, "CHILD_MIN_BYTES", 0)
    monkeypatch.setattr(orders, "BATCH", 3)


def _import(session, path, progress=None):
    def on_batch(*args):
        if progress is not None:
            progress.append(args)
        session.commit()

    result = import_file(session, path, "orders", on_batch=on_batch)
    session.commit()
    return result


def test_a_file_read_in_a_child_imports_as_in_one_process(
        session, accounts, write_file, monkeypatch):
    monkeypatch.setattr(orders, "BATCH", 3)
    path = write_file(CONTENT)
    progress_alone: list = []
    alone = _import(session, path, progress_alone)
    expected = order_lines(session), aggregates(session), alone.to_dict()
    assert (alone.created, alone.error_count, alone.accounts_created) == (7, 4, 2)

    # The same file into the same database as it was before, read in a child this time.
    session.execute(delete(Account))
    session.execute(delete(Product).where(Product.sku.not_in(["P1", "P2"])))
    session.add_all([Account(name="Alpha", external_id="C1"), Account(name="Beta",
                                                                      external_id="C2")])
    session.commit()
    monkeypatch.setattr(reading, "CHILD_MIN_BYTES", 0)
    progress_child: list = []
    child = _import(session, path, progress_child)
    assert (order_lines(session), child.to_dict()) == (expected[0], expected[2])
    assert [len(rows) for rows in aggregates(session)] == [len(r) for r in expected[1]]
    assert progress_child == progress_alone


def test_a_file_problem_found_by_the_child_is_reported_as_in_one_process(
        session, accounts, write_file, in_child, monkeypatch):
    monkeypatch.setattr(orders, "BATCH", 50_000)
    content = ((HEADER + "D1;1;2026-01-05;C1;;P1;;1;10\n" * 1).encode()
               + b"".join(f"D{n};1;2026-01-05;C1;;P1;;1;10\n".encode()
                          for n in range(2, 60_000))
               + "D0;1;2026-01-05;C1;;P1;Привет;1;10\n".encode("cp1251"))
    with pytest.raises(ImportFileError, match="mixes encodings") as refused:
        import_file(session, write_file(content), "orders")
    assert (refused.value.code, refused.value.params["line"]) == ("mixed_encodings", 60_001)


def test_a_child_that_fails_raises_with_its_traceback(session, accounts, write_file, in_child):
    path = write_file(HEADER + "D1;1;2026-01-05;C1;;P1;;1;10\n")
    table_columns = {"document": 0, "date": 2, "account": 3, "revenue": 99}  # no column 99
    directory = SimpleNamespace(accounts={"C1": 1}, products={"P1": 1})
    with pytest.raises(reading.ReaderFailed, match="IndexError"):
        list(reading.order_batches_from_child(
            path, None, table_columns, ImportResult(kind="orders"), directory, currency="EUR"))


def test_a_child_that_dies_stops_the_import_with_a_clear_error(
        session, accounts, write_file, in_child, monkeypatch):
    monkeypatch.setattr(orders, "BATCH", 1000)  # more than the pipe holds: the child waits
    children = Path(f"/proc/{os.getpid()}/task/{threading.get_native_id()}/children")
    if not children.exists():
        pytest.skip("needs /proc/<pid>/task/<tid>/children (Linux)")
    path = write_file(HEADER + "".join(f"D{n};1;2026-01-05;C1;;P1;;1;10\n"
                                       for n in range(30_000)))

    others = set(children.read_text().split())  # such as an embedded Redis server

    def kill_the_reader(*_):
        for pid in set(children.read_text().split()) - others:
            os.kill(int(pid), signal.SIGKILL)

    with pytest.raises(reading.ReaderFailed, match=r"stopped \(exit code -9\)"):
        import_file(session, path, "orders", on_batch=kill_the_reader)
    session.rollback()
    assert session.scalar(select(Account.id).where(Account.external_id == "C1"))
