"""The import page: upload a CSV or XLSX file, confirm the columns, watch it run.

The upload is stored under the instance folder and imported by a worker (a
web request never waits on an import); the progress page reads the job's run
row and refreshes itself while the job is running, so it needs no script. Then
it follows the analytics refresh the import started, until that one is done.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from abm.currencies.codes import currency_codes
from abm.db import get_session
from abm.imports.refusals import wording
from abm.imports.row_reasons import row_reason as worded_reason
from abm.imports.uploads import (
    EmptyUpload,
    UnsupportedFile,
    find_upload,
    store_upload,
    upload_name,
)
from abm.web.auth import current_actor, role_required
from abm.web.composed import run_error
from abm.web.csv_export import csv_response
from abm.web.forms import options
from abm.web.i18n import current_currency, number
from abm.web.labels import label
from abm.web.rates import currency_choices, currency_pairs

if TYPE_CHECKING:  # the importer is loaded by the pages that use it
    from abm.imports.preview import Preview

bp = Blueprint("imports", __name__, url_prefix="/imports")

def kind_choices() -> list[tuple[str, str]]:
    return [("orders", _("Order lines (shipments)")), ("accounts", _("Accounts")),
            ("contacts", _("Contacts")), ("products", _("Products")),
            ("receivables", _("Receivables")), ("prices", _("Price list"))]


class UploadForm(FlaskForm):
    kind = SelectField(_l("What the file holds"))
    currency = SelectField(_l("Currency of the amounts"))
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


def _instance_path() -> str:
    return current_app.extensions["abm.settings"].instance_path


@bp.route("/", methods=["GET", "POST"])
@role_required("manager")
def upload():
    form = UploadForm(currency=current_currency())
    form.kind.choices = options(kind_choices())
    form.currency.choices = currency_choices(current_currency())
    if form.validate_on_submit():
        try:
            sent = form.file.data.filename or ""
            upload = store_upload(_instance_path(), form.file.data.stream, Path(sent).suffix,
                                  name=sent)
        except UnsupportedFile:
            form.file.errors.append(_("Upload a .csv or .xlsx file."))
        except EmptyUpload:
            form.file.errors.append(_("The file is empty."))
        else:
            return redirect(url_for(".preview", token=upload.token, kind=form.kind.data,
                                    currency=form.currency.data))
    status = 422 if form.is_submitted() else 200
    return render_template("imports/upload.html", form=form), status


@bp.route("/<token>", methods=["GET", "POST"])
@role_required("manager")
def preview(token: str):
    from abm.imports.encodings import CHOICES
    from abm.imports.jobs import start_import

    path = find_upload(_instance_path(), token)
    if path is None:
        abort(404)
    kind = request.values.get("kind", "orders")
    # The form's choice over the one the upload page put in the address.
    currency = (request.form.get("currency") or request.args.get("currency")
                or current_currency())
    encoding = request.values.get("encoding") or None  # None: detect
    if (kind not in dict(kind_choices()) or currency not in currency_codes()
            or encoding not in (None, *CHOICES)):
        abort(400)
    mapping = None
    if request.method == "POST":
        mapping = {name[4:]: header for name, header in request.form.items()
                   if name.startswith("map-") and header}
    file_name = upload_name(path)  # the user's, for the messages that name the file
    shown = _preview(path, kind, mapping, encoding, file_name)
    if shown is not None and shown.told is not None and shown.told.detected:
        encoding = None  # none chosen, or the chosen one could not read the file
    if request.method == "POST" and shown is not None and "show" not in request.form:
        told = shown.told
        if shown.missing:
            flash(_("Choose a column for: %(fields)s", fields=missing_columns(shown.missing)),
                  "error")
        elif told is not None and not told.plausible and not request.form.get("confirm"):
            flash(_("The text looks wrong in this encoding: choose another one, or tick the "
                    "box if the rows below read right."), "error")
        else:
            # The encoding the user saw the rows in, confirmed: the worker reads it so.
            run_id = start_import(path, kind, by=current_actor(),
                                  mapping=shown.mapping, currency=currency,
                                  encoding=shown.encoding, confirmed=told is not None,
                                  name=file_name)
            return redirect(url_for(".run", run_id=run_id))
    if shown is None and request.method == "GET":
        return redirect(url_for(".upload"))
    return render_template("imports/preview.html", token=token, kind=kind, preview=shown,
                           kinds=dict(kind_choices()), currency=currency,
                           currencies=currency_pairs(currency), encoding=encoding,
                           encodings=CHOICES,
                           encoding_warning=encoding_reason(shown.told) if shown else None,
                           missing=missing_columns(shown.missing) if shown else "")


def _preview(path: Path, kind: str, mapping, encoding: str | None,
             name: str | None) -> Preview | None:
    """The preview of the file, or None (with the reason flashed, naming the file
    ``name``). A chosen encoding that cannot read the file is said, and the file shown in
    the detected one."""
    from abm.imports.preview import preview_file
    from abm.imports.results import ImportFileError

    try:
        return preview_file(path, kind, mapping=mapping, encoding=encoding, name=name)
    except ImportFileError as exc:
        flash(exc.message(_, number), "error")
        if encoding is None:
            return None
    return _preview(path, kind, mapping, None, name)


def missing_columns(missing: list[tuple[str, ...]]) -> str:
    """The required fields no column was found for, in the user's language: each field by
    its label, a group of alternatives as "Account code or Account name"."""
    return ", ".join(_alternatives(fields) for fields in missing)


def _alternatives(fields: tuple[str, ...]) -> str:
    shown = label("import_field", fields[0])
    for other in fields[1:]:
        shown = _("%(first)s or %(second)s", first=shown, second=label("import_field", other))
    return shown


def encoding_reason(told) -> str | None:
    """Why the text reads implausibly in its encoding, in the user's language (None: it
    reads plausibly, or the file is not CSV)."""
    if told is None or told.plausible:
        return None
    params = told.params or {}
    if told.code == "mixed_scripts":
        return _("Read as %(encoding)s, %(mixed)s of %(words)s words mix Latin and Cyrillic "
                 "letters (e.g. “%(example)s”).", encoding=told.name, mixed=params["mixed"],
                 words=params["words"], example=params["example"])
    if told.code == "mess":
        return _("Read as %(encoding)s, the letters do not form words (mess ratio "
                 "%(mess)s).", encoding=told.name, mess=params["mess"])
    return told.reason


def file_error(code: str | None, params: dict | None, english: str | None) -> str | None:
    """Why a file could not be imported (or its import stopped part-way), in the user's
    language, from the code and parameters the run kept; else (an older run, a failure
    that is not the file's) the English message it stored."""
    if code is None:
        return english
    try:
        return wording(code, params or {}, _, number)
    except (KeyError, TypeError, ValueError):  # worded otherwise when it was stored
        return english


SHOWN_ERRORS = 20  # on the run page; the report has them all


def row_reason(error: dict) -> str:
    """The reason of a row error in the user's language (the CSV report too)."""
    return worded_reason(error, _, number)


def _run_or_404(run_id: str):
    from abm.runs.services import get_run

    run = get_run(get_session(), run_id)
    if run is None or not run.kind.startswith("import:"):
        abort(404)
    if run.created_by_id not in (None, current_user.id) and current_user.role.value not in (
        "admin", "manager"
    ):
        abort(404)
    return run


@bp.route("/runs/<run_id>")
@role_required("manager")
def run(run_id: str):
    from abm.runs.services import get_run

    job = _run_or_404(run_id)
    # After the import, the page follows the analytics refresh it started.
    refresh_id = (job.result or {}).get("refresh_run_id")
    refresh = get_run(get_session(), refresh_id) if refresh_id else None
    finished = all(r.status.value in ("finished", "failed") for r in (job, refresh) if r)
    result = None if job.status.value == "failed" else job.result  # see _failure()
    shown = [e | {"reason": row_reason(e)}
             for e in (result or {}).get("errors", [])[:SHOWN_ERRORS]]
    stopped = (file_error(result.get("stopped_code"), result.get("stopped_params"),
                          result.get("stopped")) if result else None)
    return render_template("imports/run.html", run=job, refresh=refresh, finished=finished,
                           result=result, errors=shown, error=_failure(job), stopped=stopped)


def _failure(job) -> str | None:
    """Why the import failed, in the user's language (None: it did not fail). A failed
    run's result holds the code and parameters of its refusal, if the file was refused."""
    if job.status.value != "failed":
        return None
    kept = job.result or {}
    return file_error(kept.get("error_code"), kept.get("error_params"), run_error(job.error))


@bp.route("/runs/<run_id>/errors.csv")
@role_required("manager")
def errors(run_id: str):
    job = _run_or_404(run_id)
    # Translated now, in the request: the rows are written while the response streams.
    rows = [[e.get("line"), e.get("column"), e.get("value"), row_reason(e)]
            for e in (job.result or {}).get("errors", [])]
    return csv_response(f"import-errors-{run_id[:8]}.csv", ["line", "column", "value", "reason"],
                        rows)
