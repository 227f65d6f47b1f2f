"""Accounts, contacts, products and receivables: upserts on their natural keys.

These files have thousands of rows, not millions, so they go through SQLAlchemy
bulk statements in batches: one query finds the existing rows of a batch by key,
then one bulk INSERT and one bulk UPDATE (by primary key) write it. Only the
columns the file carries are compared and written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import Row, insert, select, tuple_, update
from sqlalchemy.orm import Session

from abm.accounts.emails import InvalidEmail, normalise_email
from abm.accounts.folding import fold
from abm.accounts.models import Account, AccountKind, Contact
from abm.imports import loyalty_columns
from abm.imports.columns import fields_of
from abm.imports.contact_values import check_phone, parse_gender, parse_language, parse_role
from abm.imports.directory import Directory
from abm.imports.parsing import ValueProblem, parse_bool, parse_date, parse_int, parse_number
from abm.imports.readers import Table, report_skipped
from abm.imports.results import ImportFileError, ImportResult, RowProblem
from abm.sales.models import Product, Receivable
from abm.sales.price_models import ProductPrice
from abm.sales.prices import PriceError, add_price

BATCH = 2_000
_PARSERS: dict[str, Callable[[str], Any]] = {
    "number": parse_number, "int": parse_int, "date": parse_date, "bool": parse_bool,
}
_MODELS = {"accounts": Account, "contacts": Contact, "products": Product,
           "receivables": Receivable, "prices": ProductPrice}
_KIND_WORDS = {"customer": "customer", "client": "customer", "клиент": "customer",
               "покупатель": "customer", "prospect": "prospect", "lead": "prospect",
               "потенциальный": "prospect", "лид": "prospect"}
_NON_NEGATIVE = {"employees", "price", "amount", "paid_amount"}
_MONEY = {"price", "amount", "paid_amount"}


def record_batches(table: Table, columns: dict[str, int], kind: str, result: ImportResult,
                   directory: Directory, *, currency: str = "EUR",
                   keep_gender: bool = False) -> Iterator[list[tuple[int, dict]]]:
    """Parse rows into (line, record) batches of model column values, reporting bad rows.

    ``currency`` is the currency of a receivable whose row names none;
    ``keep_gender``: whether the workspace keeps contacts' gender (else a row that
    gives one is refused, so that nothing the workspace chose not to keep is written).
    """
    fields = fields_of(kind)
    model = _MODELS[kind]
    finish = _FINISH[kind]
    headers = table.headers
    header_of = {name: headers[index] for name, index in columns.items()}
    keys: set = set()
    batch: list[tuple[int, dict]] = []
    try:
        for row in table.rows:
            if table.skipped:
                report_skipped(table, result)
            if not any(row):
                continue
            result.rows += 1
            line = table.line_num
            try:
                record = {}
                for name, index in columns.items():
                    text = row[index].strip() if index < len(row) else ""
                    record[name] = _value(fields[name], model, text)
                record = finish(record, directory)
                if not keep_gender and record.get("gender") is not None:
                    raise RowProblem("gender", str(record["gender"].value),
                                     "the workspace does not keep contacts' gender (a setting)")
                if kind in ("receivables", "prices"):
                    record.setdefault("currency", currency)
                key = _key(kind, record)
                if key in keys:
                    raise RowProblem(_KEY_FIELD[kind], str(key[-1]), "duplicate key in the file")
            except RowProblem as problem:
                result.add_problem(line, header_of.get(problem.field, problem.field), problem)
                continue
            keys.add(key)
            batch.append((line, record))
            if len(batch) >= BATCH:
                yield batch
                batch = []
    except ImportFileError:
        if batch:  # the rows read before the file turned unusable (see order_batches)
            yield batch
        raise
    if table.skipped:
        report_skipped(table, result)
    if batch:
        yield batch


def _value(field, model, text: str):
    if not text:
        if field.required:
            raise RowProblem(field.name, text, "missing value")
        return None
    parser = _PARSERS.get(field.type)
    value: Any
    try:
        value = parser(text) if parser else text
    except ValueProblem as exc:
        raise RowProblem(field.name, text, str(exc)) from None
    if field.name in _NON_NEGATIVE and value < 0:
        raise RowProblem(field.name, text, "negative value not allowed")
    if field.name in _MONEY:
        value = round(value, 2)
    if model is Contact and field.name in _CONTACT_WORDS:  # a word, read as a value after
        return value
    column = model.__table__.c.get(field.name)
    length = getattr(column.type, "length", None) if column is not None else None
    if length and isinstance(value, str) and len(value) > length:
        raise RowProblem.coded(field.name, text, "too_long", limit=length)
    return value


def _finish_account(record: dict, _directory: Directory) -> dict:
    loyalty_columns.take_cells(record)
    if record.get("kind") is not None:
        kind = _KIND_WORDS.get(record["kind"].casefold())
        if kind is None:
            raise RowProblem("kind", record["kind"], "not customer or prospect")
        record["kind"] = AccountKind(kind)
    if record.get("country") is not None:
        if len(record["country"]) != 2:
            raise RowProblem("country", record["country"], "not a two-letter country code")
        record["country"] = record["country"].upper()
    if record.get("name") is not None:  # the bulk UPDATE bypasses the model, which folds it
        record["name_folded"] = fold(record["name"])
    return _drop_defaulted(record, Account)


def _finish_contact(record: dict, directory: Directory) -> dict:
    code, name = record.pop("account", None) or "", record.pop("account_name", None) or ""
    if not code and not name:
        raise RowProblem("account", "", "missing value")
    # A contacts file names accounts that exist: a typo must not create one.
    found = directory.find_account(code, name)
    if found is None:
        raise RowProblem("account" if code else "account_name", code or name,
                         "unknown account")
    record["account_id"] = found
    email = record.get("email")
    if email is not None:
        try:
            record["email"] = normalise_email(email)
        except InvalidEmail as exc:
            raise RowProblem.coded("email", email, "email", detail=str(exc)) from None
    if record.get("external_id") is None and email is None:
        raise RowProblem("email", "", "a contact needs an external id or an email")
    for name, parse in _CONTACT_WORDS.items():
        if record.get(name) is not None:
            record[name] = parse(record[name])
    if record.get("consent_on") is not None and record["consent_on"] > date.today():
        raise RowProblem("consent_on", record["consent_on"].isoformat(), "a date in the future")
    if record.get("birthday") is not None and not (
            date(1900, 1, 1) <= record["birthday"] <= date.today()):
        raise RowProblem("birthday", record["birthday"].isoformat(),
                         "not a birthday (between 1900 and today)")
    return _drop_defaulted(record, Contact)


_CONTACT_WORDS: dict[str, Callable[[str], Any]] = {
    "role": parse_role, "language": parse_language, "gender": parse_gender, "phone": check_phone}


def _finish_product(record: dict, _directory: Directory) -> dict:
    return _drop_defaulted(record, Product)


def _finish_price(record: dict, _directory: Directory) -> dict:
    if record.get("currency") is not None:
        if len(record["currency"]) != 3 or not record["currency"].isalpha():
            raise RowProblem("currency", record["currency"], "not a three-letter currency code")
        record["currency"] = record["currency"].upper()
    if record.get("valid_to") is not None and record["valid_to"] < record["valid_from"]:
        raise RowProblem("valid_to", record["valid_to"].isoformat(),
                         "comes before the valid from date")
    return record


def _finish_receivable(record: dict, directory: Directory) -> dict:
    record["account_id"] = directory.account(record.pop("account", None) or "",
                                             record.pop("account_name", None) or "")
    if record.get("currency") is not None:
        if len(record["currency"]) != 3:
            raise RowProblem("currency", record["currency"], "not a three-letter currency code")
        record["currency"] = record["currency"].upper()
    return _drop_defaulted(record, Receivable)


def _drop_defaulted(record: dict, model) -> dict:
    """An empty cell of a NOT NULL column with a default keeps the current (or default) value."""
    table = model.__table__
    return {k: v for k, v in record.items()
            if v is not None or k not in table.c or table.c[k].nullable}


_FINISH = {"accounts": _finish_account, "contacts": _finish_contact,
           "products": _finish_product, "receivables": _finish_receivable,
           "prices": _finish_price}
_KEY_FIELD = {"accounts": "external_id", "contacts": "email", "products": "sku",
              "receivables": "document", "prices": "valid_from"}


def _key(kind: str, record: dict) -> tuple:
    if kind == "accounts":
        return ("external_id", record["external_id"])
    if kind == "products":
        return ("sku", record["sku"])
    if kind == "receivables":
        return ("account", record["account_id"], record["document"])
    if kind == "prices":
        return ("price", record["sku"], record["currency"], record["valid_from"])
    if record.get("external_id") is not None:
        return ("external_id", record["external_id"])
    return ("email", record["account_id"], record["email"])


def write_records(session: Session, kind: str, batch: list[tuple[int, dict]],
                  result: ImportResult) -> None:
    """Upsert one batch and count it in ``result``."""
    if kind == "prices":
        write_prices(session, batch, result)
        return
    model = _MODELS[kind]
    wanted: list = []
    if kind == "accounts":
        batch, wanted = loyalty_columns.checked(session, batch, result)
    existing = _existing(session, kind, [_key(kind, r) for _, r in batch])
    inserts, updates = [], []
    for _, record in batch:
        current = existing.get(_key(kind, record))
        if current is None:
            inserts.append(record)
        elif any(getattr(current, k) != v for k, v in record.items()):
            updates.append({"id": current.id, **record})
        else:
            result.unchanged += 1
    if inserts:
        session.execute(insert(model), inserts)
    if updates:
        session.execute(update(model), updates)
    result.created += len(inserts)
    result.updated += len(updates)
    loyalty_columns.record_memberships(session, wanted)


def _existing(session: Session, kind: str, keys: list[tuple]) -> dict[tuple, Row[Any]]:
    """The current rows (plain rows, not ORM objects) of these keys."""
    table = _MODELS[kind].__table__
    found: dict[tuple, Row[Any]] = {}
    by_id = [k[1] for k in keys if k[0] in ("external_id", "sku")]
    if by_id:
        column = table.c.sku if kind == "products" else table.c.external_id
        for row in session.execute(select(table).where(column.in_(by_id))):
            found[(column.key, getattr(row, column.key))] = row
    pairs = [k[1:] for k in keys if k[0] in ("email", "account")]
    if pairs:
        label = "account" if kind == "receivables" else "email"
        second = table.c.document if kind == "receivables" else table.c.email
        stmt = select(table).where(tuple_(table.c.account_id, second).in_(pairs))
        for row in session.execute(stmt):
            found[(label, row.account_id, getattr(row, second.key))] = row
    return found


def write_prices(session: Session, batch: list[tuple[int, dict]], result: ImportResult) -> None:
    """Add each price through the one write path of prices (it closes the open price before
    it and refuses overlaps); a refused row is a row error and writes nothing."""
    skus = {record["sku"] for _, record in batch}
    ids = dict(session.execute(select(Product.sku, Product.id)
                               .where(Product.sku.in_(skus))).all())
    for line, record in batch:
        product_id = ids.get(record["sku"])
        if product_id is None:
            result.add_error(line, "sku", record["sku"], "unknown product")
            continue
        try:
            with session.begin_nested():
                add_price(session, product_id=product_id, price=record["price"],
                          currency=record["currency"], valid_from=record["valid_from"],
                          valid_to=record.get("valid_to"))
        except PriceError as exc:  # worded in the reader's language from its template
            result.add_problem(line, "valid_from", RowProblem.refused(
                "valid_from", record["valid_from"].isoformat(), exc))
            continue
        result.created += 1
