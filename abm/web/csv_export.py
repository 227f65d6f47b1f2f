"""CSV downloads that a spreadsheet opens safely.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by spreadsheet programs as a formula; an account name like
``=HYPERLINK(...)`` imported from a client's file would then run on the
reader's machine. Such text cells get a leading apostrophe, which spreadsheets
show as plain text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from flask import Response, request, stream_with_context
from flask_login import current_user

from abm.audit import services as audit
from abm.db import get_session

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` unchanged, except text that a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
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


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]):
    """A streamed CSV download (rows are read while the response is written).

    Every export is written to the audit log first: who took which data, from where.
    """
    audit_export(filename)
    return Response(
        stream_with_context(csv_lines(header, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def audit_export(filename: str) -> None:
    """Record (and commit) an export by the logged-in user of the current request."""
    session = get_session()
    audit.record(session, current_user.id, audit.EXPORT, f"file:{filename}",
                 {"path": request.path, "query": request.query_string.decode("utf-8", "replace")
                  [:500]}, address=request.remote_addr)
    session.commit()
