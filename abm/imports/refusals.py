"""Why a file cannot be imported: a code and its parameters, worded in English here and in
the reader's language by the pages and the command line.

A refusal (:class:`~abm.imports.results.ImportFileError`) keeps its code and parameters
so that what stores it (a failed run, an import that stopped part-way) can have it
worded again later, for whoever reads it. Parameters are plain data (they cross to the
reading child process and into JSON): text, numbers, lists (shown joined) and nested
reasons of this catalogue (:func:`reason`). A whole number is a figure, shown with the
reader's digit grouping, unless it names a place in the file (:data:`PLACES`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, do not translate here"
    """Mark a message for the translation catalogue. Services know no Flask: the web and
    the command line translate :data:`MESSAGES` when they show a refusal."""
    return message


MESSAGES = {
    # The file as a whole
    "cannot_open": N_("cannot open %(file)s: %(reason)s"),
    "unsupported": N_("upload a file ending in %(suffixes)s"),
    "empty": N_("the file is empty"),
    "no_rows": N_("the file has a header but no rows"),
    "binary_file": N_("this is a binary file, not CSV or XLSX"),
    "xls": N_("legacy Excel (.xls) files are not supported: save it as XLSX or CSV"),
    "sheet_in_csv": N_("--sheet applies to XLSX files only; this file is CSV"),
    "control_in_header": N_("%(file)s, line %(line)s, column %(column)s: %(reason)s, before "
                            "or in the header row"),
    "no_header": N_("%(file)s: no header row in the first %(limit)s rows"),
    # Its text
    "unknown_encoding": N_("unknown encoding '%(encoding)s'; for example: %(choices)s"),
    "encoding_unreadable": N_("%(file)s: %(reason)s; choose another encoding"),
    "encoding_implausible": N_("%(file)s: %(reason)s. If that is right, confirm the encoding "
                               "(--encoding %(encoding)s, or on the preview)"),
    "mixed_encodings": N_("%(file)s, line %(line)s: the file mixes encodings (bytes not valid "
                          "in %(encoding)s); save it as UTF-8"),
    # CSV
    "line_too_long": N_("line %(line)s is longer than %(limit)s characters: not a usable CSV "
                        "file"),
    "too_many_columns": N_("line %(line)s has %(count)s columns; at most %(limit)s are read"),
    "unreadable_csv": N_("line %(line)s: unreadable CSV (%(detail)s)"),
    # XLSX: the archive
    "no_defusedxml": N_("XLSX files are read only with defusedxml installed"),
    "xlsx_unreadable": N_("%(file)s: not a readable XLSX file (%(detail)s)"),
    "xlsx_parts": N_("%(file)s: not a usable XLSX file: %(count)s parts in the archive, at "
                     "most %(limit)s"),
    "xlsx_part_name": N_("%(file)s: not a usable XLSX file: a part named %(part)s"),
    "xlsx_part_twice": N_("%(file)s: not a usable XLSX file: two parts named '%(part)s'"),
    "xlsx_zip_bomb": N_("%(file)s: not a usable XLSX file: its part %(part)s unpacks "
                        "%(ratio)s times its packed size, at most %(limit)s times (a zip bomb)"),
    "xlsx_part_size": N_("%(file)s: not a usable XLSX file: its part %(part)s unpacks to "
                         "%(size)s bytes, at most %(limit)s"),
    "xlsx_total_size": N_("%(file)s: not a usable XLSX file: it unpacks to %(size)s bytes, at "
                          "most %(limit)s"),
    "xlsx_part_dtd": N_("%(file)s: not a usable XLSX file: its part %(part)s declares a DTD "
                        "or entities"),
    "xlsx_part_tags": N_("%(file)s: not a usable XLSX file: its part %(part)s has more than "
                         "%(limit)s XML tags"),
    "xlsx_entities": N_("%(file)s: not a usable XLSX file: it declares entities"),
    # XLSX: the workbook and its sheet
    "no_worksheet": N_("%(file)s: the workbook has no worksheet"),
    "no_sheet": N_("no sheet named '%(sheet)s'; the sheets are: %(sheets)s"),
    "sheet_dtd": N_("%(file)s: sheet '%(sheet)s' declares a DTD or entities: not a usable "
                    "XLSX file"),
    "sheet_entities": N_("%(file)s: sheet '%(sheet)s' declares entities: not a usable XLSX "
                         "file"),
    "sheet_unreadable": N_("%(file)s: sheet '%(sheet)s' is not readable after row %(after)s "
                           "(%(detail)s)"),
    "huge_row": N_("%(file)s: sheet '%(sheet)s', after row %(after)s: a row of more than "
                   "%(tags)s XML tags or %(bytes)s bytes; not a usable XLSX file"),
    "too_many_rows": N_("%(file)s: sheet '%(sheet)s' has more than %(limit)s rows; at most "
                        "%(limit)s are read (split the file)"),
    "too_many_cells": N_("%(file)s: row %(row)s has %(count)s columns; at most %(limit)s are "
                         "read"),
    # What the import is asked to read
    "unknown_kind": N_("unknown import kind '%(kind)s'; the kinds are %(kinds)s"),
    "unknown_currency": N_("'%(currency)s' is not an ISO 4217 currency code (such as EUR, RUB, "
                           "USD)"),
    "bad_map_option": N_("--map '%(option)s': write FIELD=HEADER, e.g. revenue=Сумма"),
    "unknown_map_field": N_("--map %(field)s=…: %(kind)s have no field '%(field)s'; the fields "
                            "are %(fields)s"),
    "no_column": N_("--map %(field)s=%(header)s: the file has no column '%(header)s'"),
    "missing_columns": N_("missing required column: %(missing)s (the file has: %(headers)s); "
                          "map one with --map FIELD=HEADER"),
    "unknown_fields": N_("%(kind)s have no field %(unknown)s; the fields are %(fields)s"),
    "no_mapping": N_("no saved %(kind)s mapping named '%(name)s'"),
    "no_mapping_saved": N_("no saved %(kind)s mapping named '%(name)s'; saved: %(saved)s"),
    # Reasons inside a refusal (see reason())
    "undecodable": N_("byte %(byte)s is not valid %(encoding)s (%(detail)s)"),
    "binary": N_("it is full of control characters: a binary file, not CSV or XLSX"),
    "mixed_scripts": N_("read as %(encoding)s, %(mixed)s of %(words)s words mix Latin and "
                        "Cyrillic letters (e.g. '%(example)s')"),
    "mess": N_("read as %(encoding)s, its letters do not form words (mess ratio %(mess)s)"),
    "control": N_("control character %(char)s in the value"),
    "either": N_("%(first)s or %(second)s"),
    "no_headers": N_("no headers"),
}
# Numbers that name a place in the file, shown as they are (a figure is grouped: 1,000).
PLACES = frozenset({"line", "column", "row"})

Translate = Callable[[str], str]
Number = Callable[..., str]  # (value, digits=0) -> the value as the reader writes it


def _same(text: str) -> str:
    return text


def _grouped(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def reason(code: str, **params: Any) -> dict[str, Any]:
    """A reason of :data:`MESSAGES` put inside a refusal, as a parameter: worded with it."""
    return {"code": code, "params": params}


def wording(code: str, params: dict[str, Any], translate: Translate | None = None,
            number: Number | None = None, *, catalogue: Mapping[str, str] = MESSAGES) -> str:
    """The message ``code`` of ``catalogue`` with its ``params``, through ``translate`` (a
    gettext), figures written by ``number``; in English by default.

    Raises:
        KeyError: an unknown code, or a parameter its message lacks (stored by an older
            version).
    """
    say, figure = translate or _same, number or _grouped

    def show(key: str, value: Any) -> str:
        if isinstance(value, dict):
            return wording(value["code"], value.get("params") or {}, say, figure)
        if isinstance(value, list | tuple):
            return ", ".join(show(key, item) for item in value)
        if isinstance(value, bool) or (isinstance(value, int) and key in PLACES):
            return str(value)
        if isinstance(value, int):
            return figure(value)
        if isinstance(value, float):
            return figure(value, 2)
        return str(value)

    return say(catalogue[code]) % {key: show(key, value) for key, value in params.items()}
