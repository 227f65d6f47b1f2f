"""XLSX files read within limits: every archive member checked before openpyxl opens the
file, no entity ever declared, rows and columns bounded, a huge row stopped while small."""

import zipfile

import openpyxl
import pytest

from abm.imports import archive, xlsx
from abm.imports.readers import open_table
from abm.imports.results import ImportFileError
from tests.imports.xlsx_files import (
    HEADER_ROW,
    SHEET,
    STRINGS,
    inline_row,
    repeated,
    rewrite,
    sheet_xml,
    with_shared_strings,
    workbook,
)


def _read(path, **options):
    with open_table(path, **options) as table:
        return table.headers, list(table.rows), table


@pytest.fixture
def book(tmp_path):
    return workbook(tmp_path / "book.xlsx")


MEMBERS = ["[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml",
           "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
           "xl/theme/theme1.xml", SHEET, STRINGS, "xl/media/image1.png", "customXml/item1.xml"]


@pytest.mark.parametrize("member", MEMBERS)
def test_a_zip_bomb_in_any_member_is_refused_before_it_is_read(book, tmp_path, member):
    bomb = rewrite(book, tmp_path / "bomb.xlsx", {member: repeated(b" ", 20_000_000)})
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ImportFileError, match=rf"bomb.xlsx: not a usable XLSX file: its part "
                                              rf"{member.replace('[', '.').replace(']', '.')} "
                                              r"unpacks [\d,]+ times its packed size, at most 100 "
                                              r"times \(a zip bomb\)"):
        open_table(bomb)


def test_a_part_over_the_size_limit_is_refused_whatever_its_ratio(book, tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_PART", 100_000)
    text = "".join(f"<si><t>{i * 7919 % 100_003}</t></si>" for i in range(10_000)).encode()
    path = with_shared_strings(book, tmp_path / "big.xlsx", b"<sst>" + text + b"</sst>")
    with pytest.raises(ImportFileError, match=r"its part xl/sharedStrings.xml unpacks to "
                                              r"[\d,]+ bytes, at most 100,000"):
        open_table(path)


def test_a_sheet_over_its_size_limit_is_refused(book, tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_SHEET", 10_000)
    rows = HEADER_ROW + "".join(inline_row(i, f"D{i}", "2026-01-01", str(i))
                                for i in range(2, 200))
    path = rewrite(book, tmp_path / "big.xlsx", {SHEET: sheet_xml(rows)})
    with pytest.raises(ImportFileError, match=r"its part xl/worksheets/sheet1.xml unpacks to "
                                              r"[\d,]+ bytes, at most 10,000"):
        open_table(path)


def test_an_archive_of_too_many_parts_is_refused(book, tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_MEMBERS", 20)
    path = rewrite(book, tmp_path / "many.xlsx", {f"extra/{i}.xml": b"<a/>" for i in range(15)})
    with pytest.raises(ImportFileError, match=r"24 parts in the archive, at most 20"):
        open_table(path)


def test_two_parts_of_one_name_are_refused(book, tmp_path):
    path = rewrite(book, tmp_path / "twice.xlsx", {},
                   duplicates=[(SHEET, sheet_xml(HEADER_ROW))])
    with pytest.raises(ImportFileError, match=r"two parts named 'xl/worksheets/sheet1.xml'"):
        open_table(path)


@pytest.mark.parametrize("name", ["../../evil.xml", "/etc/evil.xml", "xl\\evil.xml"])
def test_a_part_named_outside_the_archive_is_refused(book, tmp_path, name):
    path = rewrite(book, tmp_path / "evil.xlsx", {name: b"<a/>"})
    with pytest.raises(ImportFileError, match="not a usable XLSX file: a part named"):
        open_table(path)


def test_a_part_of_too_many_elements_is_refused(book, tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_PART_TAGS", 1000)
    strings = b"<sst>" + b"".join(b"<si><t>%d</t></si>" % i for i in range(300)) + b"</sst>"
    path = with_shared_strings(book, tmp_path / "strings.xlsx", strings)
    with pytest.raises(ImportFileError, match=r"its part xl/sharedStrings.xml has more than "
                                              r"1,000 XML tags"):
        open_table(path)


def _xxe(target) -> str:
    return (f'<!DOCTYPE x [<!ENTITY secret SYSTEM "file://{target}">]>')


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOPSECRET")
    return path


def test_an_external_entity_in_a_part_read_whole_is_refused(book, tmp_path, secret):
    strings = (f'<?xml version="1.0"?>{_xxe(secret)}<sst xmlns="http://schemas.openxmlformats.'
               'org/spreadsheetml/2006/main"><si><t>&secret;</t></si></sst>').encode()
    path = with_shared_strings(book, tmp_path / "xxe.xlsx", strings)
    with pytest.raises(ImportFileError, match="xl/sharedStrings.xml declares a DTD") as caught:
        open_table(path)
    assert "TOPSECRET" not in str(caught.value)


def test_an_external_entity_in_a_sheet_is_refused(book, tmp_path, secret):
    rows = HEADER_ROW + '<row r="2"><c t="inlineStr"><is><t>&secret;</t></is></c></row>'
    path = rewrite(book, tmp_path / "xxe.xlsx", {SHEET: sheet_xml(rows, prolog=_xxe(secret))})
    with pytest.raises(ImportFileError, match="sheet 'Sheet' declares a DTD") as caught:
        _read(path)
    assert "TOPSECRET" not in str(caught.value)


def test_openpyxl_parses_with_defusedxml_which_refuses_entities_on_its_own(
        book, tmp_path, secret, monkeypatch):
    assert openpyxl.DEFUSEDXML
    monkeypatch.setattr(xlsx, "_DTD", ())  # without the first line of defence
    rows = HEADER_ROW + '<row r="2"><c t="inlineStr"><is><t>&secret;</t></is></c></row>'
    path = rewrite(book, tmp_path / "xxe.xlsx", {SHEET: sheet_xml(rows, prolog=_xxe(secret))})
    with pytest.raises(ImportFileError, match="declares entities") as caught:
        _read(path)
    assert "TOPSECRET" not in str(caught.value)


def test_billion_laughs_are_refused(book, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "_DTD", ())
    laughs = ('<!DOCTYPE x [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
              '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>')
    rows = HEADER_ROW + '<row r="2"><c t="inlineStr"><is><t>&d;</t></is></c></row>'
    path = rewrite(book, tmp_path / "laughs.xlsx", {SHEET: sheet_xml(rows, prolog=laughs)})
    with pytest.raises(ImportFileError, match="declares entities"):
        _read(path)


def test_a_row_too_big_to_hold_stops_the_reading_while_it_is_still_small(
        book, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROW_TAGS", 5_000)
    cells = "".join(f"<c><v>{i}</v></c>" for i in range(20_000))
    rows = HEADER_ROW + inline_row(2, "D1", "2026-01-01", "1") + f'<row r="3">{cells}</row>'
    path = rewrite(book, tmp_path / "wide.xlsx", {SHEET: sheet_xml(rows)})
    with open_table(path) as table:
        rows_read = iter(table.rows)
        assert next(rows_read) == ["D1", "2026-01-01", "1"]
        with pytest.raises(ImportFileError, match=r"wide.xlsx: sheet 'Sheet', after row 2: a "
                                                  r"row of more than 5,000 XML tags"):
            next(rows_read)


def test_a_sheet_stops_at_the_row_limit_with_a_message(book, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 100)
    rows = HEADER_ROW + "".join(inline_row(i, f"D{i}", "2026-01-01", "1") for i in range(2, 150))
    path = rewrite(book, tmp_path / "long.xlsx", {SHEET: sheet_xml(rows)})
    with pytest.raises(ImportFileError, match=r"long.xlsx: sheet 'Sheet' has more than 100 "
                                              r"rows; at most 100 are read"):
        _read(path)


def test_a_row_numbered_far_away_meets_the_row_limit_at_once(book, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 1000)
    rows = HEADER_ROW + inline_row(2_000_000_000, "D1", "2026-01-01", "1")
    path = rewrite(book, tmp_path / "far.xlsx", {SHEET: sheet_xml(rows)})
    with pytest.raises(ImportFileError, match="has more than 1,000 rows"):
        _read(path)


def test_a_row_of_too_many_columns_is_refused_naming_the_file(book, tmp_path):
    rows = HEADER_ROW + inline_row(2, *(str(i) for i in range(300)))
    path = rewrite(book, tmp_path / "wide.xlsx", {SHEET: sheet_xml(rows)})
    with pytest.raises(ImportFileError, match=r"wide.xlsx: row 2 has 300 columns; at most 256"):
        _read(path)


def test_a_sheet_without_dimension_is_read_without_parsing_it_first(book, tmp_path,
                                                                    monkeypatch):
    rows = HEADER_ROW + "".join(inline_row(i, f"D{i}", "2026-01-01", "1") for i in range(2, 50))
    path = rewrite(book, tmp_path / "nodim.xlsx", {SHEET: sheet_xml(rows, dimension=None)})
    opened = []
    original = xlsx._SheetGuard.__init__

    def count(self, *args):
        opened.append(1)
        original(self, *args)

    monkeypatch.setattr(xlsx._SheetGuard, "__init__", count)
    headers, read, table = _read(path)
    assert headers == ["doc", "date", "sum"] and len(read) == 48
    assert len(opened) == 1  # the rows; openpyxl's own pass over the sheet for its size is gone


def test_the_dimension_gives_the_progress_total(book):
    _, _, table = _read(book)
    assert table.total == 2


def test_a_member_longer_than_it_declares_is_refused(book, tmp_path):
    path = rewrite(book, tmp_path / "liar.xlsx", {
        SHEET: sheet_xml(HEADER_ROW + inline_row(2, "D1", "2026-01-01", "1") * 20)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET)
    # Forge the declared size in the central directory (and the local header) down to 100.
    central = data.rindex(SHEET.encode()) - 46
    assert data[central:central + 4] == b"PK\x01\x02"
    for offset in (central + 24, info.header_offset + 22):
        data[offset:offset + 4] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    # zipfile unpacks no more than the declared size, then finds the checksum wrong.
    with pytest.raises(ImportFileError, match=r"liar.xlsx: not a readable XLSX file \(Bad CRC"):
        _read(path)


def test_a_sheet_of_invalid_xml_is_refused_after_the_rows_read(book, tmp_path):
    # XML 1.0 has no control characters but tab and line ends: a cell holding one is no XML.
    rows = (HEADER_ROW + inline_row(2, "D1", "2026-01-01", "1")
            + inline_row(3, "D2", "2026-01-01\x00", "2"))
    path = rewrite(book, tmp_path / "nul.xlsx", {SHEET: sheet_xml(rows)})
    with pytest.raises(ImportFileError, match=r"nul.xlsx: sheet 'Sheet' is not readable after "
                                              r"row 2 \(ParseError: not well-formed"):
        _read(path)
