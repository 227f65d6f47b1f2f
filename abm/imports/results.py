"""What an import reports: counts, row errors, and the errors that stop a whole file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

from abm.imports import row_reasons
from abm.imports.refusals import Number, Translate, wording

MAX_REPORTED_ERRORS = 1000  # a file of bad rows must not turn the report into a second file


class ImportFileError(Exception):
    """The file as a whole cannot be imported (empty, binary, missing column...).

    ``str(error)`` is the English message (the API, the logs, what is stored); ``code``
    (a key of :data:`abm.imports.refusals.MESSAGES`) and ``params`` word it in the
    reader's language: :meth:`message`.
    """

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(wording(code, params))

    def message(self, translate: Translate | None = None, number: Number | None = None) -> str:
        """The message through ``translate`` (a gettext), its figures written by ``number``."""
        return wording(self.code, self.params, translate, number)

    def naming(self, name: str | None) -> ImportFileError:
        """The same refusal saying ``name`` (what the user calls the file: the path given,
        the name of the upload) where it names the file; itself when ``name`` is None."""
        if not name or "file" not in self.params:
            return self
        return _refusal(type(self), self.code, self.params | {"file": name})

    def as_data(self) -> dict[str, Any]:
        """The code and parameters as plain data: what a failed run keeps of its refusal
        (see :func:`abm.runs.services.tracked`), besides the English message."""
        return {"error_code": self.code, "error_params": self.params}

    def __reduce__(self):
        return _refusal, (type(self), self.code, self.params)


def _refusal(cls: type[ImportFileError], code: str, params: dict) -> ImportFileError:
    return cls(code, **params)


class RowProblem(Exception):
    """One value of one row is unusable; the row is reported and skipped.

    ``reason`` is English (the API, what is stored): a phrase of
    :data:`abm.imports.row_reasons.PHRASES`, or the message of its ``code`` with its
    ``params`` (:meth:`coded`), which the pages and the command line word again in their
    reader's language (:func:`abm.imports.row_reasons.row_reason`).
    """

    def __init__(self, field: str, value: str, reason: str, *, code: str | None = None,
                 params: dict | None = None) -> None:
        super().__init__(reason)
        self.field = field
        self.value = value
        self.reason = reason
        self.code = code
        self.params = params

    @classmethod
    def coded(cls, field: str, value: str, code: str, **params: Any) -> RowProblem:
        """The problem ``code`` of :data:`abm.imports.row_reasons.MESSAGES`, with its
        ``params``."""
        return cls(field, value, row_reasons.english(code, **params), code=code, params=params)

    @classmethod
    def refused(cls, field: str, value: str, refusal: Exception) -> RowProblem:
        """The row refused by another domain's rule (a
        :class:`~abm.workspace.refusals.Refusal`): its English message, and its template and
        values for the reader's language."""
        code, params = row_reasons.refused(refusal)
        return cls(field, value, str(refusal), code=code, params=params)


class RowError(TypedDict):
    """A bad row as reported: plain data, because it travels from a reading child process
    and is stored with the run. ``code`` and ``params`` are there when the reason carries
    a value (see :mod:`abm.imports.row_reasons`)."""

    line: int
    column: str
    value: str
    reason: str
    code: NotRequired[str]
    params: NotRequired[dict[str, Any]]


@dataclass
class ImportResult:
    """The outcome of one import.

    Attributes:
        created, updated, unchanged: rows of the file's kind by what the import did.
        errors: the first :data:`MAX_REPORTED_ERRORS` bad rows (line, column, value, reason).
        error_count: how many bad rows there were in all.
        rows: data rows read.
        accounts_created, products_created: rows created because order lines named them.
        encoding, encoding_confidence, encoding_detected: how a CSV file's text was read
            (its codec, 0 to 1, detected or given); None for XLSX.
        stopped: why the reading stopped part-way, after rows were committed (they
            stay; the rest of the file was not read), in English. None: the whole file
            was read. ``stopped_code`` and ``stopped_params`` say the same for the pages
            (see :class:`ImportFileError`).
    """

    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    accounts_created: int = 0
    products_created: int = 0
    strict: bool = False
    encoding: str | None = None
    encoding_confidence: float | None = None
    encoding_detected: bool | None = None
    stopped: str | None = None
    stopped_code: str | None = None
    stopped_params: dict[str, Any] | None = None

    @property
    def changed_data(self) -> bool:
        """Whether the import wrote anything (then the analytics need a refresh)."""
        return bool(self.created or self.updated or self.accounts_created
                    or self.products_created)

    def add_error(self, line: int, column: str, value: str, reason: str,
                  code: str | None = None, params: dict | None = None) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            if len(value) > 200:
                value = value[:200] + "…"
            error: RowError = {"line": line, "column": column, "value": value, "reason": reason}
            if code is not None:
                error |= {"code": code, "params": params or {}}
            self.errors.append(error)

    def add_problem(self, line: int, column: str, problem: RowProblem) -> None:
        """Report the bad row of ``problem`` at ``line``, in ``column`` (the file's header)."""
        self.add_error(line, column, problem.value, problem.reason, problem.code, problem.params)

    def naming(self, name: str | None) -> ImportResult:
        """Itself, its stop (if the reading stopped part-way) saying ``name`` for the file
        (see :meth:`ImportFileError.naming`)."""
        if self.stopped_code is not None and name:
            stop = ImportFileError(self.stopped_code, **(self.stopped_params or {})).naming(name)
            self.stopped, self.stopped_params = str(stop), stop.params
        return self

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rows": self.rows,
            "error_count": self.error_count,
            "errors": list(self.errors),
            "accounts_created": self.accounts_created,
            "products_created": self.products_created,
            "strict": self.strict,
            "encoding": self.encoding,
            "encoding_confidence": self.encoding_confidence,
            "encoding_detected": self.encoding_detected,
            "stopped": self.stopped,
            "stopped_code": self.stopped_code,
            "stopped_params": self.stopped_params,
        }
