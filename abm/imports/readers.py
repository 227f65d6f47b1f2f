"""Reading accounting exports as a stream of rows of strings: CSV (sniffed) and XLSX.

Nothing here holds the whole file: CSV goes through the C ``csv`` module line by
line, XLSX through openpyxl's read-only (streaming) worksheet (:mod:`abm.imports.xlsx`
bounds what its archive and XML may cost). Hostile input is bounded: a line, a field
and a row's column count all have a ceiling, and crossing one stops the import with a
clear message instead of eating memory. The encoding of a CSV file is told or
detected, and judged (:mod:`abm.imports.encodings`). A row holding a control character
(NUL...) is not yielded: it waits in :attr:`Table.skipped` for the importer to report
it as a bad row.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

from abm.imports import encodings, xlsx
from abm.imports.csv_lines import (
    ControlWatch,
    CsvLines,
    checked_rows,
    codec_is_wide,
    mark_decoding_errors_of,
)
from abm.imports.encodings import CONTROL, Encoding
from abm.imports.refusals import reason
from abm.imports.results import ImportFileError
from abm.imports.xlsx import XlsxRows

MAX_FIELD = 128 * 1024  # characters in one CSV field
MAX_HEADER_SEARCH = 1000  # rows read to find the header row
SAMPLE = 1024 * 1024  # bytes read to detect the encoding and the delimiter
DELIMITERS = (";", ",", "\t", "|")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # legacy .xls, .doc


class Table:
    """The rows of one import file.

    Attributes:
        headers: the header row, stripped.
        format: "csv" or "xlsx".
        encoding, delimiter: how a CSV file was read (None for XLSX).
        told: the encoding with its confidence and judgement (None for XLSX).
        total: the progress total (bytes for CSV, rows for XLSX).
        line_num: the line (CSV) or row (XLSX) number of the last row read.
        skipped: rows not yielded because they hold a control character, as
            (line, column index, value, reason); the importer reports and clears them.
    """

    def __init__(self, *, headers: list[str], rows: Iterator[list[str]], fmt: str,
                 total: int, position, source, skipped: list, told: Encoding | None = None,
                 delimiter: str | None = None, closer=None) -> None:
        self.headers = headers
        self.rows = rows
        self.format = fmt
        self.total = total
        self._position = position
        self.source = source  # has .line_num: the csv reader or an XlsxRows
        self.skipped = skipped
        self.told = told
        self.encoding = told.name if told is not None else None
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


def open_table(path: str | Path, sheet: str | None = None, *, encoding: str | None = None,
               confirmed: bool = False) -> Table:
    """Open a CSV or XLSX file for reading, its header row already read.

    Args:
        encoding: the encoding of a CSV file (default: detected).
        confirmed: the user saw the text and confirmed the encoding: a text that reads
            implausibly is read all the same. An ``encoding`` given is confirmed too.

    Raises:
        ImportFileError: the file is empty, binary, of an unsupported kind, its text
            reads implausibly in the detected encoding (unconfirmed), has no such
            sheet, or its header row is unusable.
    """
    path = Path(path)
    try:
        raw = ControlWatch(io.FileIO(path))
    except OSError as exc:
        raise ImportFileError("cannot_open", file=path.name,
                              reason=exc.strerror or type(exc).__name__) from None
    head = raw.read(8)
    if head.startswith(_ZIP):
        raw.close()
        return _open_xlsx(path, sheet)
    if head.startswith(_OLE):
        raw.close()
        raise ImportFileError("xls")
    if sheet is not None:
        raw.close()
        raise ImportFileError("sheet_in_csv")
    try:
        return _open_csv(raw, path, encoding, confirmed)
    except BaseException:
        raw.close()
        raise


def _open_csv(raw: ControlWatch, path: Path, encoding: str | None, confirmed: bool) -> Table:
    size = os.fstat(raw.fileno()).st_size
    raw.seek(0)
    sample = raw.read(SAMPLE)
    raw.seek(0)
    raw.seen = False  # the sample was read for detection, not yet as text
    told = encodings.given(sample, encoding) if encoding else encodings.detect(sample)
    text = sample.decode(told.name, errors="replace")
    if not text.strip("\ufeff \t\r\n"):
        raise ImportFileError("empty")
    if told.code == "binary":
        raise ImportFileError("binary_file")
    if told.code == "undecodable":
        raise ImportFileError("encoding_unreadable", file=path.name, reason=told.why())
    if not (told.plausible or confirmed or not told.detected):
        raise ImportFileError("encoding_implausible", file=path.name, reason=told.why(),
                              encoding=told.name)
    if codec_is_wide(told.name):
        raw.seen = True  # control bytes are no sign in UTF-16: search every line
    delimiter = sniff_delimiter(text)
    mark_decoding_errors_of(raw)
    stream = io.TextIOWrapper(raw, encoding=told.name, newline="", errors="abm-undecodable")
    # The limit is process-wide; set it every time so that another caller cannot loosen it.
    csv.field_size_limit(MAX_FIELD)
    lines = CsvLines(stream, raw, path.name, told.name)
    reader = csv.reader(lines, delimiter=delimiter)
    skipped: list = []
    rows = checked_rows(reader, lines, skipped)
    headers = _header(rows, reader, skipped, path.name)
    return Table(headers=headers, rows=rows, fmt="csv", total=size, position=raw.tell,
                 source=reader, skipped=skipped, told=told, delimiter=delimiter,
                 closer=stream.close)


def detect_encoding(sample: bytes) -> str:
    """The encoding :func:`open_table` reads a file beginning with ``sample`` in."""
    return encodings.detect(sample).name


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


def _header(rows: Iterator[list[str]], source, skipped: list, file: str) -> list[str]:
    for row in rows:
        if skipped:
            raise _control_in_header(skipped[0], file)
        headers = [h.strip().lstrip("\ufeff").strip() for h in row]
        if any(headers):
            return headers
        if source.line_num >= MAX_HEADER_SEARCH:
            raise ImportFileError("no_header", file=file, limit=MAX_HEADER_SEARCH)
    if skipped:
        raise _control_in_header(skipped[0], file)
    raise ImportFileError("empty")


def _control_in_header(skipped: tuple[int, int, str, str], file: str) -> ImportFileError:
    """The refusal of a file whose header row, or a row before it, holds a control
    character (``skipped``: as in :attr:`Table.skipped`)."""
    line, index, value, _ = skipped
    return ImportFileError("control_in_header", file=file, line=line, column=index + 1,
                           reason=reason("control", char=_control_char(value)))


def _control_char(value: str) -> str:
    """The first control character of ``value``, as U+0000."""
    found = CONTROL.search(value)  # skipped for holding one
    return f"U+{ord(found.group() if found else chr(0)):04X}"


def _open_xlsx(path: Path, sheet: str | None) -> Table:
    workbook, worksheet = xlsx.open_workbook(path, sheet)
    try:
        total = worksheet.max_row or 0
        # A forged dimension would pad every row to it; read the cells that exist.
        worksheet.reset_dimensions()
        source = XlsxRows(worksheet, path.name)
        rows = iter(source)
        headers = _header(rows, source, source.skipped, path.name)
    except BaseException:
        with contextlib.suppress(Exception):
            workbook.close()
        raise
    return Table(headers=headers, rows=rows, fmt="xlsx", total=total,
                 position=lambda: source.line_num, source=source, skipped=source.skipped,
                 closer=workbook.close)


def report_skipped(table: Table, result) -> None:
    """Report the rows the reader skipped for a control character as bad rows of ``result``
    (an :class:`~abm.imports.results.ImportResult`), and forget them."""
    headers = table.headers
    for line, index, value, why in table.skipped:
        result.rows += 1
        column = headers[index] if index < len(headers) and headers[index] else f"#{index + 1}"
        # The value is shown (and stored with the run) with its control characters escaped.
        shown = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
        result.add_error(line, column, shown, why, "control", {"char": _control_char(value)})
    table.skipped.clear()
