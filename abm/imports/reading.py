"""Reading a big file of order lines in a child process, while the importing process writes.

Parsing and converting a line costs the importing process as much as writing it:
in one process the two add up. Here a child process reads and converts the file
(:func:`~abm.imports.orders.order_batches`, the same code as in one process) and
sends each batch through a pipe; the importing process writes a batch while the
child reads the next one. A send waits until the importer takes the batch, so
at most one batch is in the pipe and one being read: memory stays bounded.

The child has no database. It knows the accounts and products the importer's
:class:`~abm.imports.directory.Directory` loaded; a line naming one it does not
know gets a placeholder id (a negative number), and the batch carries the code and
name behind each new placeholder. The importer asks its directory for the real id
(finding it by name, or creating it), in the order the child met them, and puts
the ids in the lines before writing them. Bad rows, line numbers and progress come
from the child, exact, with each batch.

One difference with reading in one process: a product the child first meets by name
only, then by a SKU equal to that name, is the same product for the child even if the
database found the name on a product with another SKU (a file that does that is
ambiguous either way).
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import traceback
from collections.abc import Generator
from multiprocessing.connection import Connection
from pathlib import Path

from abm.currencies.conversion import Rates
from abm.imports import orders
from abm.imports.lookup import Lookup
from abm.imports.orders import order_batches
from abm.imports.readers import open_table
from abm.imports.results import ImportFileError, ImportResult

# Files from this size up are read in a child process: below it, starting the
# child's interpreter (about half a second) costs more than the overlap gains.
CHILD_MIN_BYTES = 8_000_000  # CSV: about 250,000 order lines
CHILD_MIN_ROWS = 250_000  # XLSX
POLL_SECONDS = 0.5  # how often a waiting importer checks that the child still runs


class ReaderFailed(RuntimeError):
    """The child process that reads the file stopped or failed (not a problem of the file)."""


def reads_in_child(table) -> bool:
    """Whether this table is big enough for :func:`order_batches_from_child`."""
    if table.format == "csv":
        return table.total >= CHILD_MIN_BYTES
    return table.total >= CHILD_MIN_ROWS


def order_batches_from_child(path: str | Path, sheet: str | None, columns: dict[str, int],
                             result: ImportResult, directory, *, currency: str,
                             rates: Rates | None = None, encoding: str | None = None
                             ) -> Generator[tuple[list[tuple], int], None, None]:
    """The batches of :func:`~abm.imports.orders.order_batches`, read in a child process.

    Yields (batch, position): the lines with real account and product ids, and how far
    the child had read when it sent them (the unit of ``Table.total``). ``result``
    gets the rows read and the bad rows as the batches arrive. ``encoding``: the one
    the importer read the file in (the child reads it so, without judging it again).

    Raises:
        ImportFileError: the child found the file unusable (the same message as in
            one process).
        ReaderFailed: the child failed otherwise, or stopped without a word.
    """
    child, receiver = _start((str(path), sheet, encoding, columns, currency, rates,
                              directory.accounts, directory.products, orders.BATCH))
    ids: dict[int, int | None] = {}  # placeholder -> real id
    try:
        while True:
            message = _receive(receiver, child)
            kind = message[0]
            if kind == "file":
                raise ImportFileError(message[1], **message[2])
            if kind == "failed":
                raise ReaderFailed(f"reading the file failed in its process:\n{message[1]}")
            _, batch, new, rows, error_count, errors, position = message
            result.rows, result.error_count = rows, error_count
            result.errors.extend(errors)
            if kind == "done":
                return
            for what, placeholder, code, name in new:
                find = directory.account if what == "account" else directory.product
                ids[placeholder] = find(code, name)
            yield (_with_ids(batch, ids) if ids else batch), position
    finally:
        if child.poll() is None:
            child.terminate()  # the import stopped first: the rest of the file is not wanted
        child.wait()
        receiver.close()


def _start(arguments: tuple) -> tuple[subprocess.Popen, Connection]:
    """Start ``python -m abm.imports.reading``: a fresh interpreter that imports only this
    module, whatever the importer's main script is (multiprocessing's spawn would import
    that script again in the child), and holds none of the importer's connections."""
    read_end, write_end = os.pipe()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "abm.imports.reading", str(write_end)],
            stdin=subprocess.PIPE, pass_fds=(write_end,),
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)  # the child's end: once the child exits, a read here ends
    receiver = Connection(read_end, writable=False)
    assert child.stdin is not None  # opened with stdin=PIPE
    try:
        with child.stdin:
            pickle.dump(arguments, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
    except BrokenPipeError:
        pass  # the child stopped at once: the first receive says how
    return child, receiver


def _receive(receiver: Connection, child: subprocess.Popen) -> tuple:
    while not receiver.poll(POLL_SECONDS):
        if child.poll() is not None and not receiver.poll(0):
            raise ReaderFailed(f"the process reading the file stopped (exit code "
                               f"{child.returncode}) before it finished")
    try:
        return receiver.recv()
    except (EOFError, OSError):
        child.wait()
        raise ReaderFailed(f"the process reading the file stopped (exit code "
                           f"{child.returncode}) before it finished") from None


def _with_ids(batch: list[tuple], ids: dict[int, int | None]) -> list[tuple]:
    get = ids.get
    return [row if row[0] > 0 and (row[1] is None or row[1] > 0)
            else (get(row[0], row[0]), get(row[1], row[1]), *row[2:])
            for row in batch]


class _Names(Lookup):
    """What :func:`order_batches` needs of a directory, without a database.

    The same rules as :class:`~abm.imports.directory.Directory` (:class:`Lookup`) for
    the codes it knows; a placeholder, noted in :attr:`new`, for the others.
    """

    def __init__(self, accounts: dict[str, int], products: dict[str, int]) -> None:
        self.accounts = accounts
        self.products = products
        self.new: list[tuple[str, int, str, str]] = []
        self._account_names: dict[str, int] = {}
        self._product_names: dict[str, int] = {}
        self._next = -2  # -1 is the directory's own placeholder (dry runs)

    def _placeholder(self, what: str, code: str, name: str) -> int:
        placeholder, self._next = self._next, self._next - 1
        self.new.append((what, placeholder, code, name))
        return placeholder

    def _account_named(self, name: str) -> int | None:
        return self._account_names.get(name)

    def _new_account(self, code: str, name: str) -> int:
        placeholder = self._placeholder("account", code, name)
        if code:
            self.accounts[code] = placeholder
        else:
            self._account_names[name] = placeholder
        return placeholder

    def _product_named(self, name: str) -> int | None:
        return self._product_names.get(name)

    def _new_product(self, sku: str, name: str) -> int:
        placeholder = self._placeholder("product", sku, name)
        self.products[sku or name[:100]] = placeholder
        if not sku:
            self._product_names[name] = placeholder
        return placeholder


def _read(sender, path: str, sheet: str | None, encoding: str | None,
          columns: dict[str, int], currency: str, rates: Rates | None,
          accounts: dict[str, int], products: dict[str, int], batch_size: int) -> None:
    """The child: read the file and send its batches, then ("done", ...), or what failed."""
    orders.BATCH = batch_size  # the importer's, which a fresh interpreter does not have
    result = ImportResult(kind="orders")
    names = _Names(accounts, products)
    sent = 0  # errors already sent
    try:
        with open_table(path, sheet, encoding=encoding, confirmed=True) as table:
            for batch in order_batches(table, columns, result, names, currency=currency,
                                       rates=rates):
                new, names.new = names.new, []
                sender.send(("batch", batch, new, result.rows, result.error_count,
                             result.errors[sent:], table.position()))
                sent = len(result.errors)
                del batch  # not kept while the next one is read
        sender.send(("done", [], [], result.rows, result.error_count, result.errors[sent:],
                     0))
    except ImportFileError as exc:
        sender.send(("file", exc.code, exc.params))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the importer stopped reading: it failed or was interrupted, and says so itself
    except Exception:
        sender.send(("failed", traceback.format_exc()))
    finally:
        sender.close()


def main() -> None:
    """The child's entry point: its arguments come pickled on stdin, batches go to the fd
    named by its one argument."""
    # Ctrl-C reaches the whole process group: the importer stops, and then stops this one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    arguments = pickle.load(sys.stdin.buffer)  # noqa: S301 - from the importer that started us
    _read(Connection(int(sys.argv[1]), readable=False), *arguments)


if __name__ == "__main__":
    main()
