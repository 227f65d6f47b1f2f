"""CSV downloads that a spreadsheet opens safely.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by spreadsheet programs as a formula; an account name like
``=HYPERLINK(...)`` imported from a client's file would then run on the
reader's machine. Spreadsheets also skip leading spaces and line breaks before
such a sign, and some read the full-width forms (``＝``, ``＋``, ``－``, ``＠``)
as the ASCII ones. Such text cells get a leading apostrophe, which spreadsheets
show as plain text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence

from flask import Response, request, stream_with_context
from flask_login import current_user
from sqlalchemy.orm import Session

from abm.audit import services as audit
from abm.db import get_db

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# What a spreadsheet skips before it looks for a formula sign.
IGNORED_LEAD = " \u00a0\u3000\t\r\n\v\f"


def safe_cell(value: object) -> object:
    """``value`` unchanged, except text that a spreadsheet would read as a formula."""
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS)
                                   or value.lstrip(IGNORED_LEAD).startswith(FORMULA_STARTS)):
        return "'" + value
    return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The CSV text, a line at a time: a header, then each row with safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a BOM, so that spreadsheet programs read UTF-8 (Cyrillic names)
    writer.writerow(header)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(v) for v in row])
        yield buffer.getvalue()


Rows = Iterable[Sequence[object]]


def csv_response(filename: str, header: Sequence[str], rows: Callable[[Session], Rows] | Rows):
    """A streamed CSV download: rows are read while the response is written.

    The rows are read in a read-only unit of work of their own that begins when
    the first row is wanted and ends with the stream, whether the client reads
    it to the end or goes away: the request's own session has ended by then
    (Flask ends it before the first row is written), so rows must not use it.

    Every export is written to the audit log first: who took which data, from where.

    Args:
        filename: the name the browser saves the file under.
        header: the first line.
        rows: a function of a session that returns the rows (read from the
            database), or rows already in memory.
    """
    audit_export(filename)
    database = get_db()

    def lines() -> Iterator[str]:
        if not callable(rows):
            yield from csv_lines(header, rows)
            return
        with database.unit_of_work(read_only=True) as session:
            yield from csv_lines(header, rows(session))

    return Response(
        stream_with_context(lines()),  # rows may be translated: the request is theirs
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def audit_export(filename: str) -> None:
    """Record an export by the logged-in user of the current request, in a unit of its own
    (the download is a GET: the request itself only reads)."""
    with get_db().unit_of_work() as session:
        audit.record(session, current_user.id, audit.EXPORT, f"file:{filename}",
                     {"path": request.path,
                      "query": request.query_string.decode("utf-8", "replace")[:500]},
                     address=request.remote_addr)
