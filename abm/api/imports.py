"""Imports: upload an accounting export; a worker imports it with the importer's rules.

The same service as ``abm import`` and the upload page runs in the background:
the answer is the job run to follow at ``/api/v1/runs/{run_id}``.
"""

from __future__ import annotations

from typing import Annotated

from flask import current_app, request, url_for
from pydantic import BaseModel, ConfigDict, Field

from abm.api.core import ApiError, current_actor, operation
from abm.api.schemas import CurrencyCode, Output, Text
from abm.imports.columns import KINDS
from abm.imports.encodings import CHOICES, known_encoding
from abm.imports.jobs import start_import
from abm.imports.results import ImportFileError
from abm.imports.uploads import store_upload

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUFFIXES = {CSV: ".csv", XLSX: ".xlsx"}


class ImportOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strict: bool = Field(False, description="Import nothing if any row is bad.")
    sheet: Annotated[str, Text(100)] | None = Field(
        None, description="XLSX sheet (default: the first).")
    currency: CurrencyCode | None = Field(
        None, description="Currency of the file's amounts when it has no currency column "
        "(default: the workspace's). Lines in another currency than the workspace's are "
        "converted at the exchange rates (`/rates`), or reported as bad rows.")
    encoding: Annotated[str, Text(40)] | None = Field(
        None, description="Encoding of a CSV file (`utf-8`, `cp1251`, `koi8_r`, `cp1252`, "
        "`latin_1`...; default: detected). A detected encoding in which the text reads "
        "implausibly fails the run with the reason; giving the encoding confirms it.")


class ImportStarted(Output):
    run_id: str
    status_url: str


@operation("POST", "/imports/<kind>", summary="Import a CSV or XLSX file in the background",
           tag="imports", roles={"manager"}, query=ImportOptions, upload=(CSV, XLSX),
           response=ImportStarted, status=202)
def start(kind: str, query: ImportOptions) -> ImportStarted:
    """``kind`` is accounts, contacts, products, orders (order lines, in bulk) or receivables.

    Rows are matched on their natural keys, as with every import, so sending the
    same file twice changes nothing. An import that changed data starts the
    analytics refresh when it commits: the finished run's ``result.refresh_run_id``
    is that refresh's run, to follow at ``/api/v1/runs/{run_id}`` like this one. A file
    that cannot be imported fails its run: ``error`` says why in English, and
    ``result.error_code`` with ``result.error_params`` say the same as a stable code
    (``empty``, ``no_rows``, ``missing_columns``...) and its parameters. A request
    refused at once answers the same way: its ``message`` in English, its ``error_code``
    and ``error_params`` (400: ``empty`` for a file of no bytes, ``unknown_encoding``;
    404: ``unknown_kind``).
    """
    if kind not in KINDS:
        raise _refused(404, ImportFileError("unknown_kind", kind=kind, kinds=list(KINDS)))
    if query.encoding is not None and not known_encoding(query.encoding):
        raise _refused(400, ImportFileError("unknown_encoding", encoding=query.encoding,
                                            choices=list(CHOICES)))
    # Files are bigger than JSON bodies: the application's own limit applies.
    request.max_content_length = current_app.config["MAX_CONTENT_LENGTH"]
    try:
        upload = store_upload(current_app.extensions["abm.settings"].instance_path,
                              request.stream, SUFFIXES[request.mimetype])
    except ImportFileError as exc:
        raise _refused(400, exc) from None
    run_id = start_import(upload.path, kind, by=current_actor(), strict=query.strict,
                          sheet=query.sheet, currency=query.currency, encoding=query.encoding)
    return ImportStarted(run_id=run_id, status_url=url_for("api.runs_get", run_id=run_id))


def _refused(status: int, refusal: ImportFileError) -> ApiError:
    """The import's refusal as an API error: its English message, its code and parameters."""
    return ApiError(status, str(refusal), code=refusal.code, params=refusal.params)
