"""XLSX files built for the tests, hostile ones included: parts replaced, added, bombed."""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from openpyxl import Workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
STRINGS_TYPE = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')

Part = bytes | Callable[[object], None] | None  # content, a writer of a stream, or removed


def workbook(path: Path, rows: Iterable[Iterable] = (("doc", "date", "sum"),
                                                      ("D1", "2026-01-01", 1))) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    book.save(path)
    return path


def rewrite(path: Path, out: Path, parts: dict[str, Part],
            duplicates: Iterable[tuple[str, bytes]] = ()) -> Path:
    """A copy of the workbook at ``path`` with ``parts`` replaced, added or (None) removed;
    ``duplicates`` are added as second members of the same name."""
    with zipfile.ZipFile(path) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info.filename, source.read(info.filename))
        for name, part in parts.items():
            if part is None:
                continue
            if callable(part):
                with target.open(name, "w", force_zip64=True) as stream:
                    part(stream)
            else:
                target.writestr(name, part)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns of a duplicate name: wanted here
            for name, data in duplicates:
                target.writestr(name, data)
    return out


def sheet_xml(rows: str, *, dimension: str | None = "A1:C2", prolog: str = "") -> bytes:
    """A worksheet part around ``rows`` (the <row> elements)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">{dim}'
            f'<sheetData>{rows}</sheetData></worksheet>').encode()


def inline_row(number: int, *values: str) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f'<row r="{number}">{cells}</row>'


HEADER_ROW = inline_row(1, "doc", "date", "sum")


def with_shared_strings(path: Path, out: Path, strings_xml: bytes | Callable,
                        sheet: bytes | None = None) -> Path:
    """The workbook with a shared strings part (declared, so that openpyxl reads it)."""
    with zipfile.ZipFile(path) as source:
        types = source.read("[Content_Types].xml").decode()
    types = types.replace("</Types>", STRINGS_TYPE + "</Types>")
    parts: dict[str, Part] = {"[Content_Types].xml": types.encode(), STRINGS: strings_xml}
    if sheet is not None:
        parts[SHEET] = sheet
    return rewrite(path, out, parts)


def repeated(chunk: bytes, size: int, head: bytes = b"", tail: bytes = b"") -> Callable:
    """A writer of ``head``, then ``chunk`` repeated to about ``size`` bytes, then ``tail``."""
    block = chunk * max(1, (1 << 20) // len(chunk))

    def write(stream) -> None:
        stream.write(head)
        written = 0
        while written < size:
            stream.write(block)
            written += len(block)
        stream.write(tail)

    return write
