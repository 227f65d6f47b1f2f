"""Reading files: delimiters, encodings, XLSX, and the files that must be refused."""

import codecs

import pytest
from openpyxl import Workbook

from abm.imports import csv_lines, readers
from abm.imports.readers import open_table
from abm.imports.results import ImportFileError

ROWS = "Документ;Дата;Сумма\nD1;31.10.2026;1 234,50\n"


def _read(path, **kw):
    with open_table(path, **kw) as table:
        return table.headers, list(table.rows), table


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(write_file, delimiter):
    text = delimiter.join(["doc", "date", "revenue"]) + "\n" + delimiter.join(
        ["D1", "2026-10-31", '"1,5"' if delimiter == "," else "1,5"]) + "\n"
    headers, rows, table = _read(write_file(text))
    assert table.delimiter == delimiter
    assert headers == ["doc", "date", "revenue"]
    assert rows == [["D1", "2026-10-31", "1,5"]]


@pytest.mark.parametrize(("encoding", "detected"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1251", "cp1251"), ("utf-16", "utf-16"),
])
def test_the_encoding_is_detected(write_file, encoding, detected):
    headers, rows, table = _read(write_file(ROWS, encoding=encoding))
    assert table.encoding == detected
    assert headers == ["Документ", "Дата", "Сумма"]
    assert rows == [["D1", "31.10.2026", "1 234,50"]]


def test_a_bom_does_not_stick_to_the_first_header(write_file):
    headers, _, _ = _read(write_file("doc,date\nD1,2026-01-01\n", encoding="utf-8-sig"))
    assert headers[0] == "doc"


def test_quoted_fields_keep_delimiters_quotes_and_newlines(write_file):
    text = 'doc;note\n"D;1";"said ""hi""\nand left"\nD2;x\n'
    headers, rows, table = _read(write_file(text))
    assert rows == [["D;1", 'said "hi"\nand left'], ["D2", "x"]]


def test_the_line_number_counts_physical_lines(write_file):
    with open_table(write_file('doc;note\n"D1";"two\nlines"\nD2;x\n')) as table:
        iterator = iter(table.rows)
        next(iterator)
        assert table.line_num == 3
        next(iterator)
        assert table.line_num == 4


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \r\n"])
def test_an_empty_file_is_refused(write_file, content):
    with pytest.raises(ImportFileError, match="the file is empty"):
        open_table(write_file(content))


def test_a_binary_file_is_refused(write_file):
    with pytest.raises(ImportFileError, match="binary file"):
        open_table(write_file(bytes(range(256)) * 4))


def test_a_legacy_xls_file_is_refused(write_file):
    with pytest.raises(ImportFileError, match=r"legacy Excel \(.xls\)"):
        open_table(write_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls"))


def test_a_zip_that_is_not_xlsx_is_refused(write_file):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError, match="not a readable XLSX file"):
        open_table(write_file(buffer.getvalue(), "fake.xlsx"))


def test_a_huge_field_is_refused_with_its_line(write_file):
    text = "doc;note\n" + 'D1;"' + "x" * (readers.MAX_FIELD + 10) + '"\n'
    with pytest.raises(ImportFileError, match=r"line 2: unreadable CSV \(field larger"):
        list(_read(write_file(text))[1])


def test_a_huge_line_is_refused_without_reading_it_whole(write_file, monkeypatch):
    monkeypatch.setattr(csv_lines, "MAX_LINE", 1000)
    text = "doc;note\n" + "x" * 5000 + "\n"
    with pytest.raises(ImportFileError, match="line 2 is longer than 1,000 characters"):
        _read(write_file(text))


def test_millions_of_columns_are_refused(write_file):
    text = "a,b\n" + "," * 200_000 + "\n"
    with pytest.raises(ImportFileError, match=r"line 2 has 200,001 columns; at most 256"):
        _read(write_file(text))


def test_a_file_mixing_encodings_is_refused_clearly(write_file, monkeypatch):
    monkeypatch.setattr(readers, "SAMPLE", 64)
    content = ("doc;name\n" + "D1;plain\n" * 20).encode() + "D2;Привет\n".encode("cp1251")
    with pytest.raises(ImportFileError, match="mixes encodings"):
        _read(write_file(content))


def test_sheet_applies_to_xlsx_only(write_file):
    with pytest.raises(ImportFileError, match="--sheet applies to XLSX files only"):
        open_table(write_file(ROWS), sheet="Data")


def _workbook(tmp_path, sheets: dict[str, list[list]]):
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    return path


def test_xlsx_reads_the_first_sheet_as_text(tmp_path):
    from datetime import date, datetime

    path = _workbook(tmp_path, {"Sales": [
        ["Документ", "Дата", "Сумма", "Когда"],
        ["D1", date(2026, 10, 31), 1234.5, datetime(2026, 10, 31, 12, 30)],
        ["D2", "31.10.2026", 7.0, None],
    ], "Other": [["x"]]})
    headers, rows, table = _read(path)
    assert table.format == "xlsx"
    assert headers == ["Документ", "Дата", "Сумма", "Когда"]
    assert rows == [["D1", "2026-10-31", "1234.5", "2026-10-31 12:30:00"],
                    ["D2", "31.10.2026", "7"]]


def test_xlsx_reads_a_named_sheet(tmp_path):
    path = _workbook(tmp_path, {"First": [["a"], ["1"]], "Orders": [["doc"], ["D9"]]})
    headers, rows, _ = _read(path, sheet="Orders")
    assert headers == ["doc"] and rows == [["D9"]]


def test_xlsx_with_a_wrong_sheet_names_the_sheets(tmp_path):
    path = _workbook(tmp_path, {"First": [["a"]], "Orders": [["doc"]]})
    with pytest.raises(ImportFileError, match="no sheet named 'Nope'; the sheets are: First, "
                                              "Orders"):
        open_table(path, sheet="Nope")


def test_an_empty_xlsx_sheet_is_refused(tmp_path):
    path = _workbook(tmp_path, {"Empty": []})
    with pytest.raises(ImportFileError, match="the file is empty"):
        open_table(path)


def test_utf8_detection_tolerates_a_sample_cut_inside_a_character():
    sample = "Д".encode()[:1]
    assert readers.detect_encoding(b"abc" + sample) == "utf-8"
    assert readers.detect_encoding(codecs.BOM_UTF8 + b"x") == "utf-8-sig"
