"""Importing a file: the one entry point for the CLI, the RQ job and the upload page.

Transactions: the caller owns the session and commits. :func:`import_file`
calls ``on_batch`` after each batch but the last; the caller commits there, so an
interrupted import loses at most one batch, and re-running it skips the lines
already in (they are unchanged) and completes the rest. The last batch and the
refresh of the monthly aggregates go into the caller's final commit together.
Between batch commits the aggregates lag the order lines, and a row committed with
each batch says over which months (:mod:`abm.imports.consistency`): the final commit
deletes it, and the next import repairs the months of an import that died.

A file found unusable part-way (a line too long, a second encoding...) after batches
were committed is not refused: the import stops there, keeps what it wrote, and says
why in :attr:`ImportResult.stopped`. Refused (:class:`ImportFileError`) means nothing
was committed.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import date
from operator import itemgetter
from pathlib import Path

from sqlalchemy.orm import Session

from abm.accounts.settings import ContactSettings
from abm.audit import services as audit
from abm.currencies.codes import UnknownCurrency, currency_code
from abm.currencies.conversion import Rates
from abm.currencies.services import load_rates
from abm.imports.bulk import order_writer
from abm.imports.columns import detect_mapping, fields_of
from abm.imports.consistency import StaleMonths, repair_stale_aggregates
from abm.imports.directory import Directory
from abm.imports.orders import COLUMNS, order_batches, updatable_columns
from abm.imports.readers import Table, open_table
from abm.imports.reading import order_batches_from_child, reads_in_child
from abm.imports.records import record_batches, write_records
from abm.imports.results import ImportFileError, ImportResult
from abm.sales.services import refresh_monthly_aggregates
from abm.workspace.services import settings_of

_MONTH = itemgetter(COLUMNS.index("month"))
OnBatch = Callable[[int, int, int], None]  # (done, total, rows read so far)


def import_file(
    session: Session,
    path: str | Path,
    kind: str,
    *,
    mapping: dict[str, str] | None = None,
    strict: bool = False,
    sheet: str | None = None,
    currency: str | None = None,
    encoding: str | None = None,
    confirmed: bool = False,
    on_batch: OnBatch | None = None,
    name: str | None = None,
) -> ImportResult:
    """Import a CSV or XLSX file of ``kind`` (accounts, contacts, products, orders, receivables).

    Args:
        session: the session to write with; the caller commits.
        path: the file.
        kind: what the file holds.
        mapping: field -> header, over the built-in header aliases.
        strict: import nothing if any row is bad (the file is read twice).
        sheet: the XLSX sheet to read (default: the first).
        currency: the currency of the file's amounts when it has no currency column
            (default: the workspace's). Order lines in another currency than the
            workspace's are converted at the exchange rate of their day, or reported.
        encoding: the encoding of a CSV file (default: detected); giving it confirms it.
        confirmed: read a CSV file in the detected encoding even if its text reads
            implausibly (the user saw it on the preview).
        on_batch: called with (done, total, rows) after each batch but the last;
            commit there.
        name: what the user calls the file (the path given to the command, the name of
            the upload), said where a refusal or a stop names the file; by default the
            file's own name.

    Returns:
        The counts and the bad rows. In strict mode with bad rows, counts are zero.
        ``stopped`` says why the reading stopped part-way, if it did after a commit.

    Raises:
        ImportFileError: the file cannot be imported at all, and nothing was committed
            (one message for the user).
    """
    try:
        result = _import(session, path, kind, mapping=mapping, strict=strict, sheet=sheet,
                         currency=currency, encoding=encoding, confirmed=confirmed,
                         on_batch=on_batch)
    except ImportFileError as exc:
        raise exc.naming(name) from None
    return result.naming(name)


def _import(session: Session, path: str | Path, kind: str, *, mapping: dict[str, str] | None,
            strict: bool, sheet: str | None, currency: str | None, encoding: str | None,
            confirmed: bool, on_batch: OnBatch | None) -> ImportResult:
    fields_of(kind)
    repair_stale_aggregates(session)
    rates = load_rates(session)
    try:
        currency = currency_code(currency) if currency else rates.base
    except UnknownCurrency as exc:
        raise ImportFileError("unknown_currency", currency=exc.code) from None
    if strict:
        dry = ImportResult(kind=kind, strict=True)
        with open_table(path, sheet, encoding=encoding, confirmed=confirmed) as table:
            _told(dry, table)
            _run(session, table, kind, mapping, dry, currency=currency, rates=rates,
                 write=False)
        if dry.error_count:
            return dry
    result = ImportResult(kind=kind, strict=strict)
    with open_table(path, sheet, encoding=encoding, confirmed=confirmed) as table:
        _told(result, table)
        # The child process that reads a big file reads it as this table was read.
        _run(session, table, kind, mapping, result, currency=currency, rates=rates, write=True,
             on_batch=on_batch, source=(path, sheet, table.encoding))
    return result


def _told(result: ImportResult, table: Table) -> None:
    """Note in ``result`` how the file's text was read (CSV)."""
    if table.told is not None:
        result.encoding = table.told.name
        result.encoding_confidence = table.told.confidence
        result.encoding_detected = table.told.detected


class _Committed:
    """Whether ``on_batch`` (which commits) was called: from then on, a file found unusable
    stops the import where it is rather than refusing it."""

    def __init__(self, on_batch: OnBatch | None) -> None:
        self._on_batch = on_batch
        self.any = False

    def __call__(self, done: int, total: int, rows: int) -> None:
        if self._on_batch is not None:
            self._on_batch(done, total, rows)
            self.any = True


def _stop_or_refuse(exc: ImportFileError, committed: _Committed, result: ImportResult) -> None:
    """After a commit, a file found unusable stops the import (reported); before, it is
    refused (raised: the caller rolls back, nothing was written)."""
    if not committed.any:
        raise exc
    result.stopped = str(exc)
    result.stopped_code, result.stopped_params = exc.code, exc.params


def _run(session: Session, table: Table, kind: str, mapping, result: ImportResult, *,
         currency: str, rates: Rates, write: bool, on_batch: OnBatch | None = None,
         source: tuple[str | Path, str | None, str | None] | None = None) -> None:
    columns = detect_mapping(kind, table.headers, mapping)
    if kind == "orders" and write:
        _write_orders(session, table, columns, result, currency=currency, rates=rates,
                      on_batch=on_batch, source=source)
        return
    directory = Directory(session, create=write)
    if kind == "orders":
        batches = order_batches(table, columns, result, directory, currency=currency,
                                rates=rates)
    else:
        keep_gender = (kind == "contacts"
                       and settings_of(session, ContactSettings).greetings_by_gender)
        batches = record_batches(table, columns, kind, result, directory, currency=currency,
                                 keep_gender=keep_gender)
    first = True
    committed = _Committed(on_batch)
    try:
        for batch in batches:
            if not write:
                continue
            if not first:
                committed(table.position(), table.total, result.rows)
            first = False
            write_records(session, kind, batch, result)
    except ImportFileError as exc:
        _stop_or_refuse(exc, committed, result)
    if result.rows == 0:
        raise ImportFileError("no_rows")
    result.accounts_created = directory.accounts_created
    result.products_created = directory.products_created


def _write_orders(session: Session, table: Table, columns: dict[str, int],
                  result: ImportResult, *, currency: str, rates: Rates,
                  on_batch: OnBatch | None,
                  source: tuple[str | Path, str | None, str | None] | None) -> None:
    """Write the batches of order lines, reading the next batch while one is written.

    Reading and converting a line costs about as much as writing it; done one after the
    other, the two add up. So:

    - a big file (``source``: its path and sheet) is read in a child process
      (:mod:`abm.imports.reading`) while this process writes;
    - on PostgreSQL, each batch is written from a second thread: psycopg lets go of the
      interpreter while the server takes a COPY or runs the upsert, so that this thread
      takes in (or reads) the next batch meanwhile. SQLite's driver takes the
      interpreter back for every row and then waits its turn for it: measured, that
      thread gained nothing and held one batch more, so SQLite writes in this thread.

    One thread at a time uses the session: this one waits for the write in flight
    before it commits (``on_batch``), before the directory creates an account or a
    product, and before the refresh of the aggregates. A failed write raises at the
    next of those waits; nothing leaves this function while a write still runs, or
    with the child still reading. Each commit carries the :class:`StaleMonths` row of
    the months written so far; the final refresh deletes it.
    """
    writer = order_writer(session, updatable_columns(columns))
    overlap = session.get_bind().dialect.name == "postgresql"
    in_flight: list[Future] = []

    def settle() -> None:
        if in_flight:
            created, updated, size = in_flight.pop().result()
            result.created += created
            result.updated += updated
            result.unchanged += size - created - updated

    directory = Directory(session, before_query=settle)
    batches: Generator[tuple[list[tuple], int], None, None]
    if source is not None and reads_in_child(table):
        path, sheet, encoding = source
        batches = order_batches_from_child(path, sheet, columns, result, directory,
                                           currency=currency, rates=rates, encoding=encoding)
    else:
        batches = ((batch, table.position()) for batch in
                   order_batches(table, columns, result, directory, currency=currency,
                                 rates=rates))
    accounts: set[int] = set()
    months: list[str] = []  # the first and last month of the lines written
    first = True
    committed = _Committed(on_batch)
    pool = (ThreadPoolExecutor(1, thread_name_prefix="abm-import-writer") if overlap
            else _InThisThread())
    with pool, StaleMonths(session) as stale:
        try:
            try:
                for batch, position in batches:
                    settle()
                    if not first and on_batch is not None:
                        stale.cover(months)
                        committed(position, table.total, result.rows)
                    first = False
                    in_flight.append(pool.submit(_write_batch, writer, batch))
                    accounts.update(map(itemgetter(0), batch))
                    _widen(months, batch)
            except ImportFileError as exc:
                settle()  # what was written stays, if anything was committed
                _stop_or_refuse(exc, committed, result)
            settle()
            if result.rows == 0:
                raise ImportFileError("no_rows")
            result.accounts_created = directory.accounts_created
            result.products_created = directory.products_created
            if result.created or result.updated:
                refresh_monthly_aggregates(session, accounts | writer.moved,
                                           (date.fromisoformat(months[0]),
                                            date.fromisoformat(months[1])))
            stale.clear()
        finally:
            if in_flight:
                wait(in_flight)  # its error, if any, gives way to the one leaving now
            batches.close()  # stops a child reader that is not done
            writer.close()


class _InThisThread:
    """An executor that runs each task at once, in the caller's thread."""

    def __enter__(self) -> _InThisThread:
        return self

    def __exit__(self, *_exc) -> None:
        return None

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # handed over as a thread's would be, at result()
            future.set_exception(exc)
        return future


def _write_batch(writer, batch: list[tuple]) -> tuple[int, int, int]:
    created, updated = writer.write(batch)
    return created, updated, len(batch)


def _widen(months: list[str], batch: list[tuple]) -> None:
    """Widen [first, last] month to the batch's. A moved line keeps its date, hence its month."""
    in_batch = list(map(_MONTH, batch))
    if in_batch:
        low, high = min(in_batch), max(in_batch)
        months[:] = [min(months[0], low), max(months[1], high)] if months else [low, high]


def finish_import(session: Session, path: str | Path, result: ImportResult, *,
                  user_id: int | None = None, run_id: str | None = None) -> None:
    """What every finished import does besides writing rows, in the transaction of its
    last batch: the audit event (file, counts, who asked).

    The figures derived from the data are not touched here: once this
    transaction is committed, the caller has the analytics refreshed
    (:func:`abm.analytics.jobs.start_refresh`), which stores them all together.
    Until then the pages show the previous refresh's figures, all of one day.
    """
    counts = {k: v for k, v in result.to_dict().items()
              if k in ("kind", "rows", "created", "updated", "unchanged", "error_count")}
    audit.record(session, user_id, audit.IMPORT, f"file:{Path(path).name}",
                 {"event": "finished", "run": run_id, **counts})
