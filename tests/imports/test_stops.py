"""A file found unusable part-way: refused (exit 2) only while nothing is committed;
after a commit the import stops there, keeps every row before, and says so (exit 1)."""

import json

import pytest
from sqlalchemy import func, select

from abm.accounts.models import Account
from abm.cli import cli
from abm.imports import csv_lines, orders, readers, records
from abm.imports.models import StaleAggregateMonths
from abm.sales.models import OrderLine
from tests.imports.conftest import aggregates, direct_aggregates

HEADER = "Документ;Дата;ИНН;Контрагент;Сумма\n"


def _lines(first: int, last: int) -> str:
    return "".join(f"D{i};{i % 28 + 1:02d}.{i % 12 + 1:02d}.2026;77{i % 7};Клиент {i % 7};10\n"
                   for i in range(first, last + 1))


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(orders, "BATCH", 100)
    monkeypatch.setattr(records, "BATCH", 100)
    monkeypatch.setattr(csv_lines, "MAX_LINE", 1000)


def _import(runner, path, *args, kind="orders"):
    return runner.invoke(cli, args=["import", kind, str(path), *args])


def test_a_file_unusable_after_a_commit_stops_there_keeping_every_row_before(
        runner, session, write_file, small_batches):
    path = write_file(HEADER + _lines(1, 250) + "x" * 5000 + "\n" + _lines(251, 260))
    result = _import(runner, path, "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["stopped"] == "line 252 is longer than 1,000 characters: not a usable CSV file"
    assert (data["stopped_code"], data["stopped_params"]) == ("line_too_long",
                                                              {"line": 252, "limit": 1000})
    assert (data["created"], data["rows"], data["error_count"]) == (250, 250, 0)
    assert session.scalar(select(func.count()).select_from(OrderLine)) == 250
    assert aggregates(session) == direct_aggregates(session)
    assert session.scalar(select(func.count()).select_from(StaleAggregateMonths)) == 0


def test_the_text_output_says_where_it_stopped_and_what_was_imported(
        runner, write_file, small_batches):
    path = write_file(HEADER + _lines(1, 250) + "x" * 5000 + "\n")
    result = _import(runner, path)
    assert result.exit_code == 1
    assert ("Order lines (shipments): 250 created, 0 updated, 0 unchanged, 0 bad rows"
            in result.stdout)
    assert ("stopped part-way: line 252 is longer than 1,000 characters: not a usable CSV file; "
            "the rows above were imported") in result.stdout
    assert "Traceback" not in result.output


def test_a_file_unusable_before_any_commit_is_refused_and_nothing_is_imported(
        runner, session, write_file, small_batches):
    path = write_file(HEADER + _lines(1, 50) + "x" * 5000 + "\n" + _lines(51, 60))
    result = _import(runner, path)
    assert result.exit_code == 2
    assert "Error: line 52 is longer than 1,000 characters" in result.stderr
    assert session.scalar(select(func.count()).select_from(OrderLine)) == 0
    assert session.scalar(select(func.count()).select_from(Account)) == 0


def test_a_second_encoding_after_a_commit_stops_the_import(runner, session, write_file,
                                                          small_batches, monkeypatch):
    monkeypatch.setattr(readers, "SAMPLE", 4096)
    content = (HEADER + _lines(1, 300)).encode() + "D301;01.01.2026;1;Я;1\n".encode("cp1251")
    result = _import(runner, write_file(content), "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert "line 302: the file mixes encodings" in data["stopped"]
    assert data["created"] == 300


def test_an_accounts_file_unusable_after_a_commit_stops_there(runner, session, write_file,
                                                             small_batches):
    rows = "".join(f"C{i};Клиент {i}\n" for i in range(150))
    path = write_file("ИНН;Контрагент\n" + rows + "y" * 5000 + "\n")
    result = _import(runner, path, "--format", "json", kind="accounts")
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["created"] == 150
    assert session.scalar(select(func.count()).select_from(Account)) == 150
