"""The first rows of a file and the columns an import would read, for the upload page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from abm.imports.columns import detect_mapping, fields_of, missing_fields
from abm.imports.encodings import Encoding
from abm.imports.readers import open_table
from abm.imports.results import ImportFileError

PREVIEW_SCAN = 1000  # rows the preview reads at most, looking for rows to show


@dataclass(frozen=True, slots=True)
class Preview:
    """A file as an import would read it.

    Attributes:
        format: ``csv`` or ``xlsx``.
        encoding, delimiter: how a CSV file is read (None for XLSX).
        told: how the encoding was found and how plausible the text reads in it
            (None for XLSX).
        mapping: field -> header an import would read it from.
        missing: required fields no header was found for, each as the fields that would
            do (one, or a group of alternatives: an account's code or its name).
        fields: every field of the kind.
        rows: the first rows with a value, as text.
    """

    format: str
    encoding: str | None
    told: Encoding | None
    delimiter: str | None
    headers: list[str]
    mapping: dict[str, str]
    missing: list[tuple[str, ...]]
    fields: list[str]
    rows: list[list[str]]

    @property
    def missing_names(self) -> frozenset[str]:
        """Every field of :attr:`missing`, alternatives included (to mark on the page)."""
        return frozenset(name for group in self.missing for name in group)


def preview_file(
    path: str | Path,
    kind: str,
    *,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    rows: int = 10,
    name: str | None = None,
) -> Preview:
    """The first rows of a file and the mapping an import would use.

    The text is shown whatever its encoding reads like (the page says how plausible
    it is); at most :data:`PREVIEW_SCAN` rows are read. ``name``: what the user calls
    the file (the name of the upload), said by a refusal that names the file.

    Raises:
        ImportFileError: the file cannot be read, or ``mapping`` names a field or
            header that does not exist.
    """
    try:
        return _preview(path, kind, mapping=mapping, sheet=sheet, encoding=encoding, rows=rows)
    except ImportFileError as exc:
        raise exc.naming(name) from None


def _preview(path: str | Path, kind: str, *, mapping: dict[str, str] | None,
             sheet: str | None, encoding: str | None, rows: int) -> Preview:
    with open_table(path, sheet, encoding=encoding, confirmed=True) as table:
        columns = detect_mapping(kind, table.headers, mapping, require=False)
        first = []
        for row in table.rows:
            if any(row):
                first.append(row)
            if len(first) >= rows or table.line_num >= PREVIEW_SCAN:
                break
        return Preview(
            format=table.format, encoding=table.encoding, told=table.told,
            delimiter=table.delimiter, headers=table.headers,
            mapping={name: table.headers[index] for name, index in columns.items()},
            missing=missing_fields(kind, columns), fields=list(fields_of(kind)), rows=first,
        )
