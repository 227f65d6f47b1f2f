"""Reading XLSX files within bounded memory, whatever their archive says.

An XLSX file is a zip archive of XML parts: a few kilobytes can unpack to gigabytes,
and openpyxl keeps a little of every element it parsed (a row it cleared stays a
child of its sheet) and all of a row before it hands the row over. So before
openpyxl opens the file, :mod:`abm.imports.archive` checks every member of the
archive. While a sheet is read, a guard between the archive and openpyxl's parser
counts the elements and bytes read since the last row came out, and the rows: a huge
row, a sheet of more rows than Excel's or a row of too many columns stops the import
with a message that names the file and the limit.

openpyxl parses with defusedxml when it is installed (a dependency): no entity
declaration, external or not, is read.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from xml.etree.ElementTree import ParseError

from abm.imports.archive import DTD as _DTD
from abm.imports.archive import check_archive
from abm.imports.encodings import CONTROL
from abm.imports.refusals import wording
from abm.imports.results import ImportFileError

MAX_ROWS = 1_048_576  # rows of a sheet, as in Excel itself
MAX_COLUMNS = 256  # columns of a row that are read
MAX_ROW_TAGS = 200_000  # "<" read between two rows (a row, or what follows the rows)
MAX_ROW_BYTES = 64 * 1024 * 1024  # bytes read between two rows


class _SheetGuard:
    """The worksheet's XML as openpyxl reads it, counted on the way.

    openpyxl builds a whole row before it yields it; the guard counts the tags and
    bytes read since :class:`XlsxRows` last received a row (reset by :meth:`row_out`),
    so that a row (or whatever follows the rows) too big to hold stops the reading
    while it is still small. openpyxl reads 16 KiB at a time: that much at most is
    parsed beyond a limit.
    """

    def __init__(self, source, file: str, sheet: str) -> None:
        self._source = source
        self._file = file
        self._sheet = sheet
        self._tags = 0
        self._bytes = 0
        self._tail = b""
        self.rows_out = 0

    def row_out(self) -> None:
        self.rows_out += 1
        self._tags = self._bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        self._tags += data.count(b"<")
        self._bytes += len(data)
        window = self._tail + data[:16]
        if any(d in data or d in window for d in _DTD):
            raise ImportFileError("sheet_dtd", file=self._file, sheet=self._sheet)
        self._tail = data[-16:]
        if self._tags > MAX_ROW_TAGS or self._bytes > MAX_ROW_BYTES:
            raise ImportFileError("huge_row", file=self._file, sheet=self._sheet,
                                  after=self.rows_out, tags=MAX_ROW_TAGS, bytes=MAX_ROW_BYTES)
        return data

    def close(self) -> None:
        self._source.close()

    def __enter__(self) -> _SheetGuard:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class XlsxRows:
    """Rows of a read-only worksheet as lists of strings, counting the row number.

    Attributes:
        line_num: the number of the last row read.
        skipped: rows that hold control characters, as (row, column index, value,
            reason), for the importer to report; they are not yielded.
    """

    def __init__(self, worksheet, file: str) -> None:
        self.line_num = 0
        self.skipped: list[tuple[int, int, str, str]] = []
        self._worksheet = worksheet
        self._rows = worksheet.iter_rows(values_only=True)
        self._file = file
        self._sheet = worksheet.title

    def __iter__(self) -> Iterator[list[str]]:
        try:
            yield from self._read()
        except ImportFileError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("defusedxml"):
                raise ImportFileError("sheet_entities", file=self._file,
                                      sheet=self._sheet) from None
            if not isinstance(exc, (ParseError, zipfile.BadZipFile, EOFError, OSError,
                                    ValueError, KeyError, TypeError, IndexError)):
                raise
            raise ImportFileError("sheet_unreadable", file=self._file, sheet=self._sheet,
                                  after=self.line_num,
                                  detail=f"{type(exc).__name__}: {str(exc)[:200]}") from None

    def _read(self) -> Iterator[list[str]]:
        worksheet = self._worksheet
        for values in self._rows:
            worksheet.guard.row_out()
            self.line_num += 1
            if self.line_num > MAX_ROWS:
                raise ImportFileError("too_many_rows", file=self._file, sheet=self._sheet,
                                      limit=MAX_ROWS)
            width = len(values)
            while width and values[width - 1] is None:
                width -= 1
            if width > MAX_COLUMNS:
                raise ImportFileError("too_many_cells", file=self._file, row=self.line_num,
                                      count=width, limit=MAX_COLUMNS)
            row = [_cell_text(v) for v in values[:width]]
            if self._has_control(row):
                continue
            yield row

    def _has_control(self, row: list[str]) -> bool:
        for index, text in enumerate(row):
            match = CONTROL.search(text)
            if match is not None:
                self.skipped.append((self.line_num, index, text, control_reason(match.group())))
                return True
        return False


def control_reason(char: str) -> str:
    """The row error of a control character: which one it is."""
    return wording("control", {"char": f"U+{ord(char):04X}"})


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def open_workbook(path: Path, sheet: str | None):
    """The workbook (read-only) and its worksheet ``sheet`` (default: the first).

    Raises:
        ImportFileError: the archive or a part of it is over a limit, it is not an XLSX
            file, or it has no such sheet.
    """
    import openpyxl

    if not openpyxl.DEFUSEDXML:  # defusedxml missing, or OPENPYXL_DEFUSEDXML=False
        raise ImportFileError("no_defusedxml")
    check_archive(path)
    reader = None
    try:
        reader = _reader_class()(path, read_only=True, data_only=True)
        reader.file_name = path.name
        reader.read()
    except Exception as exc:
        if reader is not None:
            with contextlib.suppress(Exception):
                reader.archive.close()
        if isinstance(exc, ImportFileError):
            raise
        if type(exc).__module__.startswith("defusedxml"):
            raise ImportFileError("xlsx_entities", file=path.name) from None
        # openpyxl raises its own errors, and ValueError, KeyError... for foreign zip files
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ImportFileError("xlsx_unreadable", file=path.name, detail=detail) from None
    workbook = reader.wb
    try:
        if sheet is None:
            if not workbook.worksheets:
                raise ImportFileError("no_worksheet", file=path.name)
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise ImportFileError("no_sheet", sheet=sheet, sheets=list(workbook.sheetnames))
    except BaseException:
        with contextlib.suppress(Exception):
            workbook.close()
        raise
    return workbook, worksheet


_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s+ref=[\"'](?:[A-Z]+\d+:)?[A-Z]+(\d+)[\"']")


def _reader_class() -> type:
    """openpyxl's reader of a read-only workbook, its worksheets read through a guard.

    Built on first use: openpyxl is imported only by the processes that read XLSX.
    """
    global _READER
    if _READER is not None:
        return _READER
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class GuardedSheet(ReadOnlyWorksheet):
        """A read-only worksheet whose XML goes through a :class:`_SheetGuard`."""

        file_name = ""
        guard: _SheetGuard | None = None

        def _get_size(self) -> None:
            # openpyxl parses the whole sheet, keeping every row, when it has no
            # <dimension>: read the dimension from the first bytes instead, if it is there.
            with self.parent._archive.open(self._worksheet_path) as source:
                match = _DIMENSION.search(source.read(64 * 1024))
            if match is not None:
                self._max_row = int(match.group(1))

        def _get_source(self):
            self.guard = _SheetGuard(self.parent._archive.open(self._worksheet_path),
                                     self.file_name, self.title)
            return self.guard

    class GuardedReader(ExcelReader):
        file_name = ""

        def read_worksheets(self) -> None:
            # The read-only part of openpyxl's own: worksheets only, nothing else read.
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                    continue
                worksheet = GuardedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                worksheet.file_name = self.file_name
                worksheet.sheet_state = sheet.state
                self.wb._sheets.append(worksheet)

    _READER = GuardedReader
    return _READER


_READER: type | None = None
