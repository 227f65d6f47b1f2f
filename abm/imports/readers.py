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

import codecs
import contextlib
import csv
import io
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

from abm.imports import encodings, xlsx
from abm.imports.encodings import CONTROL, Encoding
from abm.imports.results import ImportFileError
from abm.imports.xlsx import MAX_COLUMNS, XlsxRows, control_reason

MAX_FIELD = 128 * 1024  # characters in one CSV field
MAX_LINE = 1024 * 1024  # characters in one physical CSV line
MAX_HEADER_SEARCH = 1000  # rows read to find the header row
SAMPLE = 1024 * 1024  # bytes read to detect the encoding and the delimiter
DELIMITERS = (";", ",", "\t", "|")
# Every byte but the control characters (tab, line feed and carriage return are text).
_NOT_CONTROL = bytes(b for b in range(256) if b in b"\t\n\r" or 0x1f < b != 0x7f)
# Bytes the encoding cannot read come out of the decoder as these (see _undecodable).
_UNDECODABLE = re.compile("[\udc00-\udcff]")
_SUSPECT = re.compile(CONTROL.pattern[:-1] + "\udc00-\udcff]")
_CURRENT = threading.local()  # the _ControlWatch of the CSV file this thread opened last


def _undecodable(exc: UnicodeDecodeError) -> tuple[str, int]:
    """The decoding error handler of CSV files: bytes the encoding cannot read become lone
    surrogates, and the file's lines are searched from then on, so that the line holding
    them is named exactly (the decoder works a chunk ahead of the lines)."""
    watch = getattr(_CURRENT, "watch", None)
    if watch is not None:
        watch.seen = True
    return "".join(chr(0xDC00 + b) for b in exc.object[exc.start:exc.end]), exc.end


codecs.register_error("abm-undecodable", _undecodable)

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
        raw = _ControlWatch(io.FileIO(path))
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
        return _open_csv(raw, path, encoding, confirmed)
    except BaseException:
        raw.close()
        raise


class _ControlWatch(io.BufferedReader):
    """The file's bytes, watched for control characters as the text layer reads them.

    ``seen`` turns true with the first chunk holding one: from then on each line is
    searched (a clean file pays one ``bytes.translate`` per chunk, not a search per
    line). A text wrapper decodes a whole chunk before it returns the chunk's first
    line, so no line read after ``seen`` turned true can have escaped the search.
    Meaningful for encodings that write control characters as single ASCII bytes
    (UTF-8 and the 8-bit ones); for UTF-16, ``seen`` is set from the start.
    """

    seen = False

    def read1(self, size: int = -1) -> bytes:
        data = super().read1(size)
        if not self.seen and data.translate(None, _NOT_CONTROL):
            self.seen = True
        return data

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if not self.seen and data.translate(None, _NOT_CONTROL):
            self.seen = True
        return data


def _open_csv(raw: _ControlWatch, path: Path, encoding: str | None, confirmed: bool) -> Table:
    size = os.fstat(raw.fileno()).st_size
    raw.seek(0)
    sample = raw.read(SAMPLE)
    raw.seek(0)
    raw.seen = False  # the sample was read for detection, not yet as text
    told = encodings.given(sample, encoding) if encoding else encodings.detect(sample)
    text = sample.decode(told.name, errors="replace")
    if not text.strip("\ufeff \t\r\n"):
        raise ImportFileError("the file is empty")
    if told.code == "binary":
        raise ImportFileError("this is a binary file, not CSV or XLSX")
    if told.code == "undecodable":
        raise ImportFileError(f"{path.name}: {told.reason}; choose another encoding")
    if not (told.plausible or confirmed or not told.detected):
        raise ImportFileError(f"{path.name}: {told.reason}. If that is right, confirm the "
                              f"encoding (--encoding {told.name}, or on the preview)")
    if codec_is_wide(told.name):
        raw.seen = True  # control bytes are no sign in UTF-16: search every line
    delimiter = sniff_delimiter(text)
    _CURRENT.watch = raw
    stream = io.TextIOWrapper(raw, encoding=told.name, newline="", errors="abm-undecodable")
    # The limit is process-wide; set it every time so that another caller cannot loosen it.
    csv.field_size_limit(MAX_FIELD)
    lines = _CsvLines(stream, raw, path.name, told.name)
    reader = csv.reader(lines, delimiter=delimiter)
    skipped: list = []
    rows = _checked(reader, lines, skipped)
    headers = _header(rows, reader, skipped, path.name)
    return Table(headers=headers, rows=rows, fmt="csv", total=size, position=raw.tell,
                 source=reader, skipped=skipped, told=told, delimiter=delimiter,
                 closer=stream.close)


def codec_is_wide(name: str) -> bool:
    """Whether the codec writes an ASCII character in more than one byte (UTF-16, UTF-32)."""
    import codecs

    return codecs.lookup(name).name.startswith(("utf-16", "utf-32"))


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


class _CsvLines:
    """The physical lines of a CSV file, each at most :data:`MAX_LINE` characters.

    ``dirty`` turns true when a line holding a control character was read: the csv
    reader reads the lines of one row at a time, so it belongs to the row it returns next.
    A line holding bytes the encoding cannot read stops the reading.
    """

    def __init__(self, stream, watch: _ControlWatch, file: str, encoding: str) -> None:
        self._stream = stream
        self._watch = watch
        self._file = file
        self._encoding = encoding
        self.dirty = False

    def __iter__(self) -> Iterator[str]:
        line_no = 0
        readline, watch, search = self._stream.readline, self._watch, _SUSPECT.search
        while True:
            line = readline(MAX_LINE)
            if not line:
                return
            line_no += 1
            if len(line) == MAX_LINE and not line.endswith(("\n", "\r")):
                raise ImportFileError(f"line {line_no} is longer than {MAX_LINE:,} "
                                      "characters: not a usable CSV file")
            if watch.seen and search(line):
                if _UNDECODABLE.search(line):
                    raise ImportFileError(
                        f"{self._file}, line {line_no}: the file mixes encodings (bytes not "
                        f"valid in {self._encoding}); save it as UTF-8")
                self.dirty = True
            yield line


def _checked(reader, lines: _CsvLines, skipped: list) -> Iterator[list[str]]:
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise ImportFileError(
                    f"line {reader.line_num} has {len(row):,} columns; at most {MAX_COLUMNS} "
                    "are read"
                )
            if lines.dirty:
                lines.dirty = False
                if _skip_control(row, reader.line_num, skipped):
                    continue
            yield row
    except csv.Error as exc:
        raise ImportFileError(f"line {reader.line_num}: unreadable CSV ({exc})") from None


def _skip_control(row: list[str], line: int, skipped: list) -> bool:
    """Note the row in ``skipped`` if a value holds a control character."""
    for index, value in enumerate(row):
        match = CONTROL.search(value)
        if match is not None:
            skipped.append((line, index, value, control_reason(match.group())))
            return True
    return False


def _header(rows: Iterator[list[str]], source, skipped: list, file: str) -> list[str]:
    for row in rows:
        if skipped:
            line, index, _, reason = skipped[0]
            raise ImportFileError(f"{file}, line {line}, column {index + 1}: {reason}, "
                                  "before or in the header row")
        headers = [h.strip().lstrip("\ufeff").strip() for h in row]
        if any(headers):
            return headers
        if source.line_num >= MAX_HEADER_SEARCH:
            raise ImportFileError(f"{file}: no header row in the first "
                                  f"{MAX_HEADER_SEARCH:,} rows")
    if skipped:
        line, index, _, reason = skipped[0]
        raise ImportFileError(f"{file}, line {line}, column {index + 1}: {reason}, "
                              "before or in the header row")
    raise ImportFileError("the file is empty")


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
    for line, index, value, reason in table.skipped:
        result.rows += 1
        column = headers[index] if index < len(headers) and headers[index] else f"#{index + 1}"
        char = CONTROL.search(value).group()
        # The value is shown (and stored with the run) with its control characters escaped.
        shown = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
        result.add_error(line, column, shown, reason, "control", {"char": f"U+{ord(char):04X}"})
    table.skipped.clear()
