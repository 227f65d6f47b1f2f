"""The lines of a CSV file: bounded in length, watched for control characters and for
bytes its encoding cannot read.

A clean file pays one ``bytes.translate`` per chunk of the file; only a file that shows
a control character (or a byte its encoding cannot read) has each of its lines
searched from then on. A row holding a control character is noted for the importer to
report as a bad row (line, column, reason), never handed on: PostgreSQL refuses NUL in
text, and no name should carry one. A line holding bytes the encoding cannot read stops
the reading, naming that line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
from collections.abc import Iterator

from abm.imports.encodings import CONTROL
from abm.imports.results import ImportFileError
from abm.imports.xlsx import MAX_COLUMNS, control_reason

MAX_LINE = 1024 * 1024  # characters in one physical CSV line

# Every byte but the control characters (tab, line feed and carriage return are text).
_NOT_CONTROL = bytes(b for b in range(256) if b in b"\t\n\r" or 0x1f < b != 0x7f)
# Bytes the encoding cannot read come out of the decoder as these (see _undecodable).
_UNDECODABLE = re.compile("[\udc00-\udcff]")
_SUSPECT = re.compile(CONTROL.pattern[:-1] + "\udc00-\udcff]")
_CURRENT = threading.local()  # the ControlWatch of the CSV file this thread opened last


def _undecodable(exc: UnicodeError) -> tuple[str, int]:
    """The decoding error handler of CSV files: bytes the encoding cannot read become lone
    surrogates, and the file's lines are searched from then on, so that the line holding
    them is named exactly (the decoder works a chunk ahead of the lines)."""
    if not isinstance(exc, UnicodeDecodeError):  # registered for decoding only
        raise exc
    raw = getattr(_CURRENT, "watch", None)
    if raw is not None:
        raw.seen = True
    return "".join(chr(0xDC00 + b) for b in exc.object[exc.start:exc.end]), exc.end


codecs.register_error("abm-undecodable", _undecodable)


def mark_decoding_errors_of(raw: ControlWatch) -> None:
    """Make ``raw`` the file whose lines the decoding errors of this thread mark."""
    _CURRENT.watch = raw


class ControlWatch(io.BufferedReader):
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


def codec_is_wide(name: str) -> bool:
    """Whether the codec writes an ASCII character in more than one byte (UTF-16, UTF-32)."""
    return codecs.lookup(name).name.startswith(("utf-16", "utf-32"))


class CsvLines:
    """The physical lines of a CSV file, each at most :data:`MAX_LINE` characters.

    ``dirty`` turns true when a line holding a control character was read: the csv
    reader reads the lines of one row at a time, so it belongs to the row it returns next.
    A line holding bytes the encoding cannot read stops the reading.
    """

    def __init__(self, stream, watch: ControlWatch, file: str, encoding: str) -> None:
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
                raise ImportFileError("line_too_long", line=line_no, limit=MAX_LINE)
            if watch.seen and search(line):
                if _UNDECODABLE.search(line):
                    raise ImportFileError("mixed_encodings", file=self._file, line=line_no,
                                          encoding=self._encoding)
                self.dirty = True
            yield line


def checked_rows(reader, lines: CsvLines, skipped: list) -> Iterator[list[str]]:
    """The rows of the csv ``reader`` over ``lines``, each of at most :data:`MAX_COLUMNS`
    columns; a row holding a control character goes to ``skipped`` instead."""
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise ImportFileError("too_many_columns", line=reader.line_num, count=len(row),
                                      limit=MAX_COLUMNS)
            if lines.dirty:
                lines.dirty = False
                if _skip_control(row, reader.line_num, skipped):
                    continue
            yield row
    except csv.Error as exc:
        raise ImportFileError("unreadable_csv", line=reader.line_num, detail=str(exc)) from None


def _skip_control(row: list[str], line: int, skipped: list) -> bool:
    """Note the row in ``skipped`` if a value holds a control character."""
    for index, value in enumerate(row):
        match = CONTROL.search(value)
        if match is not None:
            skipped.append((line, index, value, control_reason(match.group())))
            return True
    return False
