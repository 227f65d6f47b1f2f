"""Order lines: the one import that meets millions of rows, written for speed.

The loop below is the hot path. It keeps per-line Python work to a handful of
C calls: one ``itemgetter`` for the fields, dict lookups for dates, accounts
and products, ``float``/``int`` for the numbers, and slower, human-form
parsers only when those fail. Everything else (SQL, duplicate checks across
batches) happens once per batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from operator import itemgetter

from abm.currencies.conversion import Rates
from abm.imports.keys import SeenKeys
from abm.imports.lookup import Lookup
from abm.imports.parsing import MAX_AMOUNT, ValueProblem, parse_date, parse_int, parse_number
from abm.imports.readers import Table, report_skipped
from abm.imports.results import ImportFileError, ImportResult, RowProblem

BATCH = 50_000
FIELDS = ("document", "line_no", "date", "account", "account_name", "sku", "product_name",
          "quantity", "revenue", "margin", "currency")
# The order of the values handed to the database writers. A line in the workspace currency
# is a tuple of the first ten (PLAIN_COLUMNS); a converted one has all of them. Three
# values fewer for nearly every line: binding them cost a fifth of SQLite's insert.
COLUMNS = ("account_id", "product_id", "document", "line_no", "date", "month", "quantity",
           "revenue", "margin", "currency", "original_currency", "original_revenue",
           "original_margin")
PLAIN_COLUMNS = COLUMNS[:10]


def updatable_columns(columns: dict[str, int]) -> list[str]:
    """The order line columns a file may change: those it carries (date is part of the key).

    Every file has a currency (its column's, or the one chosen for the file), so the
    amounts' currency and the originals of a converted line are always written.
    """
    present = ["account_id", "revenue", "currency", "original_currency", "original_revenue"]
    if "sku" in columns or "product_name" in columns:
        present.append("product_id")
    present += [c for c in ("quantity", "margin") if c in columns]
    if "margin" in columns:
        present.append("original_margin")
    return present


def order_batches(table: Table, columns: dict[str, int], result: ImportResult,
                  directory: Lookup, *, currency: str = "EUR",
                  rates: Rates | None = None) -> Iterator[list[tuple]]:
    """Parse the file into batches of order line tuples (in :data:`COLUMNS` order).

    Bad rows go to ``result`` with their line, column and reason; a line whose
    key (document, date, line_no) appeared earlier in the file is one of them.

    Args:
        currency: the currency of a line whose file has no currency column (or an
            empty cell there).
        rates: the rates to the workspace currency (``rates.base``); a line in
            another currency is converted at the rate of its day, or refused when
            there is none. Default: no rates, ``currency`` is the workspace's.
    """
    rates = rates or Rates(currency, {})
    base, rate_on = rates.base, rates.rate
    headers = table.headers
    width = len(headers)
    currency_cell = columns.get("currency", width)  # past the end: the "" appended
    get = itemgetter(*(columns.get(name, width) for name in FIELDS))
    header_of = {name: headers[index] for name, index in columns.items()}
    dates: dict[str, tuple[str, str]] = {}
    seen = SeenKeys()
    occurrences: dict[tuple, int] = {}
    source = table.source
    account_id, product_id = directory.account, directory.product
    accounts, products = directory.accounts, directory.products
    has_products = "sku" in columns or "product_name" in columns

    batch: list[tuple] = []
    hashes: list[int] = []
    lines: list[int] = []
    batch_hashes: set[int] = set()
    skipped = table.skipped
    try:
        for row in table.rows:
            if skipped:
                report_skipped(table, result)
            if len(row) != width:
                if not any(row):
                    continue  # blank line
                row = (row + [""] * width)[:width]
            row.append("")
            result.rows += 1
            doc, ln, ds, acc, acc_name, sku, p_name, qty, rev, mar, cur = get(row)
            try:
                day = dates.get(ds)
                if day is None:
                    day = dates[ds] = _day(ds)
                try:
                    revenue = float(rev)
                except ValueError:
                    revenue = _number("revenue", rev)
                if not 0.0 <= revenue < MAX_AMOUNT:
                    raise RowProblem("revenue", rev, _sign_reason(revenue))
                if qty:
                    try:
                        quantity = float(qty)
                    except ValueError:
                        quantity = _number("quantity", qty)
                    if not 0.0 <= quantity < MAX_AMOUNT:
                        raise RowProblem("quantity", qty, _sign_reason(quantity))
                else:
                    quantity = 0.0
                if mar:
                    try:
                        margin = float(mar)
                    except ValueError:
                        margin = _number("margin", mar)
                    if not -MAX_AMOUNT < margin < MAX_AMOUNT:
                        raise RowProblem("margin", mar, "not a finite number")
                else:
                    margin = None
                if cur:
                    if len(cur) != 3:
                        raise RowProblem("currency", cur, "not a three-letter currency code")
                    cur = cur.upper()
                else:
                    cur = currency
                if cur == base:
                    converted = None
                else:
                    rate = rate_on(cur, day[0])
                    if rate is None:
                        raise _no_rate(cur, base, day[0], None if row[currency_cell] else rev)
                    converted = (cur, revenue, margin)
                    revenue = _converted("revenue", rev, revenue, rate)
                    if margin is not None:
                        margin = _converted("margin", mar, margin, rate)
                if not doc:
                    doc, line_no = _derived_key(row, occurrences)
                elif ln:
                    try:
                        line_no = int(ln)
                    except ValueError:
                        line_no = _int("line_no", ln)
                    if line_no < 0:
                        raise RowProblem("line_no", ln, "negative line number")
                else:
                    # No line number: the n-th line of this document in the file.
                    line_no = occurrences[doc, day] = occurrences.get((doc, day), 0) + 1
                if len(doc) > 100:
                    raise RowProblem.coded("document", doc, "too_long", limit=100)
                key = hash((doc, day, line_no))
                if key in batch_hashes:
                    raise RowProblem("document", doc, "duplicate key (document, date, line) in "
                                     "the file")
                aid = accounts.get(acc) if acc else None
                if aid is None:
                    aid = account_id(acc, acc_name)
                if has_products:
                    pid = products.get(sku) if sku else None
                    if pid is None:
                        pid = product_id(sku, p_name)
                else:
                    pid = None
            except RowProblem as problem:
                result.add_problem(source.line_num, header_of.get(problem.field, problem.field),
                                   problem)
                continue
            batch_hashes.add(key)
            hashes.append(key)
            lines.append(source.line_num)
            if converted is None:
                batch.append((aid, pid, doc, line_no, day[0], day[1], quantity, revenue, margin,
                              base))
            else:
                batch.append((aid, pid, doc, line_no, day[0], day[1], quantity, revenue, margin,
                              base, *converted))
            if len(batch) >= BATCH:
                yield _drop_seen(batch, hashes, lines, seen, result, header_of)
                batch, hashes, lines = [], [], []
                batch_hashes.clear()
    except ImportFileError:
        # The rows read before the file turned unusable are imported all the same: the
        # import stops (or is refused) after them, and says so.
        if skipped:
            report_skipped(table, result)
        if batch:
            yield _drop_seen(batch, hashes, lines, seen, result, header_of)
        raise
    if skipped:
        report_skipped(table, result)
    if batch:
        yield _drop_seen(batch, hashes, lines, seen, result, header_of)


def _drop_seen(batch, hashes, lines, seen: SeenKeys, result: ImportResult, header_of) -> list:
    """Remove (and report) the lines whose key an earlier batch of the file had."""
    mask = seen.seen_before(hashes)
    if mask.any():
        keep_batch, keep_hashes = [], []
        for row, key, line, dup in zip(batch, hashes, lines, mask.tolist(), strict=True):
            if dup:
                result.add_error(line, header_of.get("document", "document"), row[2],
                                 "duplicate key (document, date, line) in the file")
            else:
                keep_batch.append(row)
                keep_hashes.append(key)
        batch, hashes = keep_batch, keep_hashes
    seen.add(hashes)
    return batch


def _day(text: str) -> tuple[str, str]:
    try:
        day = parse_date(text)
    except ValueProblem as exc:
        raise RowProblem("date", text, str(exc)) from None
    return day.isoformat(), day.replace(day=1).isoformat()


def _number(field: str, text: str) -> float:
    try:
        return parse_number(text)
    except ValueProblem as exc:
        raise RowProblem(field, text, str(exc)) from None


def _int(field: str, text: str) -> int:
    try:
        return parse_int(text)
    except ValueProblem as exc:
        raise RowProblem(field, text, str(exc)) from None


def _no_rate(currency: str, base: str, day: str, revenue_text: str | None) -> RowProblem:
    """The problem of a line whose currency has no rate on its day: reported on its currency
    cell, or on its amount when the currency is the one chosen for the whole file."""
    field, value = ("currency", currency) if revenue_text is None else ("revenue", revenue_text)
    return RowProblem.coded(field, value, "no_rate", **{"from": currency, "to": base,
                                                        "day": day})


def _converted(field: str, text: str, amount: float, rate: float) -> float:
    value = round(amount * rate, 2)
    if not -MAX_AMOUNT < value < MAX_AMOUNT:
        raise RowProblem(field, text, "number too large once converted")
    return value


def _sign_reason(value: float) -> str:
    return "negative value not allowed" if value < 0 else "not a finite number"


def _derived_key(row: list[str], occurrences: dict[tuple, int]) -> tuple[str, int]:
    """A document for a line that has none: a digest of its content, and its occurrence.

    Two identical lines in one file are two shipments; the occurrence number
    keeps them apart and makes the same file give the same keys every time.
    """
    digest = hashlib.blake2b("\x1f".join(row).encode(), digest_size=10).hexdigest()
    document = f"~{digest}"
    occurrence = occurrences[document, None] = occurrences.get((document, None), 0) + 1
    return document, occurrence
