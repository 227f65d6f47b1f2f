"""NUL bytes and other control characters: bad rows with their line and column, on SQLite
and PostgreSQL alike (PostgreSQL refuses NUL in text: it must never reach the database)."""

import json

import pytest
from sqlalchemy import func, select

from abm.accounts.models import Account
from abm.cli import cli
from abm.imports import readers
from abm.imports.readers import open_table
from abm.imports.results import ImportFileError
from abm.sales.models import OrderLine

HEADER = "Документ;Дата;ИНН;Контрагент;Сумма\n"


def _line(i: int, name: str = "Ромашка") -> str:
    return f"D{i};31.10.2026;7701;{name};10\n"


def _import(runner, path, kind="orders"):
    result = runner.invoke(cli, args=["import", kind, str(path), "--format", "json"])
    return result, json.loads(result.stdout) if result.stdout else None


def test_a_nul_byte_after_the_first_mib_is_a_bad_row_and_the_rest_is_imported(
        runner, session, write_file):
    lines = 30_000  # about 1.1 MB: the NUL comes after the sample the encoding is told from
    text = HEADER + "".join(_line(i) for i in range(lines - 1)) + _line(lines, "Ром\x00ашка")
    path = write_file(text + _line(lines + 1))
    assert path.stat().st_size > readers.SAMPLE
    result, data = _import(runner, path)
    assert result.exit_code == 1, result.output
    assert data["errors"] == [{"line": lines + 1, "column": "Контрагент",
                               "value": "Ром\\x00ашка",
                               "reason": "control character U+0000 in the value",
                               "code": "control", "params": {"char": "U+0000"}}]
    assert data["created"] == lines
    assert session.scalar(select(func.count()).select_from(OrderLine)) == lines
    assert "\x00" not in "".join(session.scalars(select(Account.name)))


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f"])
def test_every_control_character_is_a_bad_row(runner, session, write_file, char):
    path = write_file(HEADER + _line(1) + f"D2;31.10.2026;77{char}02;Б;5\n" + _line(3))
    result, data = _import(runner, path)
    assert result.exit_code == 1, result.output
    assert [(e["line"], e["column"]) for e in data["errors"]] == [(3, "ИНН")]
    assert data["created"] == 2


@pytest.mark.parametrize("kind,text", [
    ("accounts", "ИНН;Контрагент\n1;Альфа\n2;Бе\x00та\n3;Гамма\n"),
    ("products", "Артикул;Товар\nP1;Гвозди\nP2;Шур\x1bупы\nP3;Болты\n"),
])
def test_control_characters_are_bad_rows_in_every_kind_of_file(runner, write_file, kind,
                                                                 text):
    result, data = _import(runner, write_file(text), kind)
    assert result.exit_code == 1, result.output
    assert [e["line"] for e in data["errors"]] == [3]
    assert data["created"] == 2


def test_tabs_and_line_ends_inside_quoted_values_are_text(runner, session, write_file):
    path = write_file(HEADER + 'D1;31.10.2026;7701;"Ром\tашка\r\nООО";10\n')
    result, data = _import(runner, path)
    assert result.exit_code == 0, result.output
    assert session.scalar(select(Account.name)) == "Ром\tашка\r\nООО"


def test_a_control_character_in_the_header_refuses_the_file(write_file):
    with pytest.raises(ImportFileError, match=r"h.csv, line 1, column 2: control character "
                                              r"U\+0007 in the value, before or in the header"):
        open_table(write_file("doc;da\x07te\nD1;2026-01-01\n", "h.csv"))


def test_a_utf16_file_is_searched_line_by_line(write_file):
    text = "doc;name\nD1;Ром\x00ашка\nD2;Б\n"
    with open_table(write_file(text.encode("utf-16"))) as table:
        assert list(table.rows) == [["D2", "Б"]]
        assert [s[:2] for s in table.skipped] == [(2, 1)]
