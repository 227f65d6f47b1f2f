"""Reading accounting exports as a stream of rows of strings: CSV (sniffed) and XLSX.

Nothing here holds the whole file: CSV goes through the C ``csv`` module line by
line, XLSX through openpyxl's read-only (streaming) worksheet. Hostile input is
bounded: a line, a field and a row's column count all have a ceiling, and
crossing one stops the import with a clear message instead of eating memory.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from abm.imports.results import ImportFileError

MAX_COLUMNS = 256
MAX_FIELD = 128 * 1024  # characters in one CSV field
MAX_LINE = 1024 * 1024  # characters in one physical CSV line
SAMPLE = 1024 * 1024  # bytes read to detect the encoding and the delimiter
MAX_XLSX_PART = 256 * 1024 * 1024  # unpacked bytes of an XLSX part read whole (shared strings)
DELIMITERS = (";", ",", "\t", "|")

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # legacy .xls, .doc


class Table:
    """The rows of one import file.

    Attributes:
        headers: the header row, stripped.
        format: "csv" or "xlsx".
        encoding, delimiter: how a CSV file was read (None for XLSX).
        total: the progress total (bytes for CSV, rows for XLSX).
        line_num: the line (CSV) or row (XLSX) number of the last row read.
    """

    def __init__(self, *, headers: list[str], rows: Iterator[list[str]], fmt: str,
                 total: int, position, source, encoding: str | None = None,
                 delimiter: str | None = None, closer=None) -> None:
        self.headers = headers
        self.rows = rows
        self.format = fmt
        self.total = total
        self._position = position
        self.source = source  # has .line_num: the csv reader or an _XlsxRows
        self.encoding = encoding
        self.delimiter = delimiter
        self._closer = closer

    @property
    def line_num(self) -> int:
        return self.source.line_num

    def position(self) -> int:
        """How far the reading got, in the unit of :attr:`total`."""
        return self._position()

    def close(self) -> None:
        if self._closer is not None:
            self._closer()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_table(path: str | Path, sheet: str | None = None) -> Table:
    """Open a CSV or XLSX file for reading, its header row already read.

    Raises:
        ImportFileError: the file is empty, binary, of an unsupported kind, has no
            such sheet, or its header row is unusable.
    """
    path = Path(path)
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the Table
    except OSError as exc:
        raise ImportFileError(f"cannot open {path.name}: {exc.strerror}") from None
    head = raw.read(8)
    if head.startswith(_ZIP):
        raw.close()
        return _open_xlsx(path, sheet)
    if head.startswith(_OLE):
        raw.close()
        raise ImportFileError("legacy Excel (.xls) files are not supported: save it as XLSX or CSV")
    if sheet is not None:
        raw.close()
        raise ImportFileError("--sheet applies to XLSX files only; this file is CSV")
    try:
        return _open_csv(raw, path)
    except BaseException:
        raw.close()
        raise


def _open_csv(raw, path: Path) -> Table:
    size = os.fstat(raw.fileno()).st_size
    raw.seek(0)
    sample = raw.read(SAMPLE)
    raw.seek(0)
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="replace")
    if not text.strip("\ufeff \t\r\n"):
        raise ImportFileError("the file is empty")
    if "\x00" in text:
        raise ImportFileError("this is a binary file, not CSV or XLSX")
    delimiter = sniff_delimiter(text)
    stream = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
    # The limit is process-wide; set it every time so that another caller cannot loosen it.
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(_bounded_lines(stream), delimiter=delimiter)
    rows = _checked(reader)
    headers = _header(rows)
    return Table(headers=headers, rows=rows, fmt="csv", total=size, position=raw.tell,
                 source=reader, encoding=encoding, delimiter=delimiter, closer=stream.close)


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 when they decode, else Windows-1251."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # final=False: the sample may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, and equal, columns."""
    lines = text.splitlines(keepends=True)[:50]
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may cut the last line short
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=delimiter) if any(r)]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        consistent = sum(1 for w in widths if w == widths[0])
        score = (consistent, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _bounded_lines(stream) -> Iterator[str]:
    line_no = 0
    try:
        while True:
            line = stream.readline(MAX_LINE)
            if not line:
                return
            line_no += 1
            if len(line) == MAX_LINE and not line.endswith(("\n", "\r")):
                raise ImportFileError(
                    f"line {line_no} is longer than {MAX_LINE:,} characters: not a usable CSV file"
                )
            yield line
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"line {line_no + 1}: the file mixes encodings ({exc.reason}); save it as UTF-8"
        ) from None


def _checked(reader) -> Iterator[list[str]]:
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise ImportFileError(
                    f"line {reader.line_num} has {len(row):,} columns; at most {MAX_COLUMNS} "
                    "are read"
                )
            yield row
    except csv.Error as exc:
        raise ImportFileError(f"line {reader.line_num}: unreadable CSV ({exc})") from None


def _header(rows: Iterator[list[str]]) -> list[str]:
    for row in rows:
        headers = [h.strip().lstrip("\ufeff").strip() for h in row]
        if any(headers):
            return headers
    raise ImportFileError("the file is empty")


class _XlsxRows:
    """Rows of a read-only worksheet as lists of strings, counting the row number."""

    def __init__(self, worksheet) -> None:
        self.line_num = 0
        self._rows = worksheet.iter_rows(values_only=True)

    def __iter__(self) -> Iterator[list[str]]:
        for values in self._rows:
            self.line_num += 1
            width = len(values)
            while width and values[width - 1] is None:
                width -= 1
            if width > MAX_COLUMNS:
                raise ImportFileError(
                    f"row {self.line_num} has {width:,} columns; at most {MAX_COLUMNS} are read"
                )
            yield [_cell_text(v) for v in values[:width]]


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


def _check_zip(path: Path) -> None:
    """Refuse an archive whose parts would unpack to more than openpyxl should hold.

    Worksheets are streamed, but the shared strings part is read whole: a zip
    bomb there would take the worker's memory.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(f"not a readable XLSX file ({exc})") from None
    for part in parts:
        if part.file_size > MAX_XLSX_PART and not part.filename.startswith("xl/worksheets/"):
            raise ImportFileError(
                f"not a usable XLSX file: its part {part.filename} unpacks to "
                f"{part.file_size:,} bytes"
            )


def _open_xlsx(path: Path, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    _check_zip(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"not a readable XLSX file ({exc})") from None
    except Exception as exc:  # openpyxl raises its own errors for foreign zip files
        raise ImportFileError(f"not a readable XLSX file ({type(exc).__name__})") from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise ImportFileError(
                f"no sheet named {sheet!r}; the sheets are: {', '.join(workbook.sheetnames)}"
            )
        total = worksheet.max_row or 0
        # A forged dimension would pad every row to it; read the cells that exist.
        worksheet.reset_dimensions()
        source = _XlsxRows(worksheet)
        rows = iter(source)
        headers = _header(rows)
    except BaseException:
        with contextlib.suppress(Exception):
            workbook.close()
        raise
    return Table(headers=headers, rows=rows, fmt="xlsx", total=total,
                 position=lambda: source.line_num, source=source, closer=workbook.close)
