"""Importing order lines: upserts on the natural key, names creating rows, errors per row."""

from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from abm.accounts.models import Account
from abm.imports import orders
from abm.imports.results import ImportFileError
from abm.sales.models import OrderLine, Product
from tests.imports.conftest import aggregates, order_lines

HEADER = "document;line;date;account;sku;quantity;revenue;margin\n"


def test_order_lines_are_imported_with_their_accounts_products_and_month(
        session, accounts, write_file, do_import):
    result = do_import(write_file(HEADER + "D1;1;2026-10-31;C1;P1;2;100.50;20\n"
                                           "D1;2;2026-10-31;C1;P2;1;10;\n"))
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert order_lines(session) == [
        ("D1", date(2026, 10, 31), 1, "C1", "Alpha", "P1", 2.0, 100.5, 20.0, "EUR",
         date(2026, 10, 1)),
        ("D1", date(2026, 10, 31), 2, "C1", "Alpha", "P2", 1.0, 10.0, None, "EUR",
         date(2026, 10, 1)),
    ]


def test_importing_the_same_file_twice_changes_nothing(session, accounts, write_file, do_import):
    path = write_file(HEADER + "D1;1;2026-10-31;C1;P1;2;100.50;20\nD2;1;2026-11-02;C2;P2;1;5;1\n")
    do_import(path)
    before = order_lines(session), aggregates(session)
    again = do_import(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (order_lines(session), aggregates(session)) == before


def test_a_corrected_file_updates_only_the_changed_lines(session, accounts, write_file, do_import):
    do_import(write_file(HEADER + "D1;1;2026-10-31;C1;P1;2;100;20\nD1;2;2026-10-31;C1;P2;1;5;1\n"))
    result = do_import(write_file(HEADER + "D1;1;2026-10-31;C1;P1;3;150;30\n"
                                           "D1;2;2026-10-31;C1;P2;1;5;1\n"))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert [r[6:9] for r in order_lines(session)] == [(3.0, 150.0, 30.0), (1.0, 5.0, 1.0)]


def test_columns_absent_from_a_file_keep_their_values(session, accounts, write_file, do_import):
    do_import(write_file(HEADER + "D1;1;2026-10-31;C1;P1;2;100;20\n"))
    result = do_import(write_file("document;line;date;account;revenue\nD1;1;2026-10-31;C1;100\n"))
    assert result.unchanged == 1
    assert order_lines(session)[0][5:9] == ("P1", 2.0, 100.0, 20.0)


def test_lines_without_a_document_get_a_derived_key_that_survives_reimport(
        session, accounts, write_file, do_import):
    path = write_file("date;account;sku;revenue\n2026-10-31;C1;P1;10\n2026-10-31;C1;P1;10\n"
                      "2026-10-31;C2;P1;10\n")
    first = do_import(path)
    again = do_import(path)
    assert first.created == 3
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    docs = [(r[0], r[2]) for r in order_lines(session)]
    assert all(doc.startswith("~") for doc, _ in docs)
    assert sorted(n for _, n in docs) == [1, 1, 2]  # the two identical lines are two shipments


def test_lines_without_a_line_number_are_numbered_within_their_document(
        session, accounts, write_file, do_import):
    do_import(write_file("document;date;account;revenue\nD1;2026-10-31;C1;1\nD2;2026-10-31;C1;2\n"
                         "D1;2026-10-31;C1;3\n"))
    assert [(r[0], r[2], r[7]) for r in order_lines(session)] == [
        ("D1", 1, 1.0), ("D1", 2, 3.0), ("D2", 1, 2.0)]


def test_an_unknown_account_and_product_with_names_are_created(session, write_file, do_import):
    path = write_file("Документ;Дата;ИНН;Контрагент;Артикул;Номенклатура;Сумма\n"
                      "D1;31.10.2026;7701;ООО Ромашка;A1;Гвозди;10\n"
                      "D2;31.10.2026;7701;ООО Ромашка;A1;Гвозди;20\n")
    result = do_import(path)
    assert (result.created, result.accounts_created, result.products_created) == (2, 1, 1)
    account = session.scalar(select(Account).filter_by(external_id="7701"))
    assert account.name == "ООО Ромашка"
    assert session.scalar(select(Product.name).filter_by(sku="A1")) == "Гвозди"
    assert do_import(path).accounts_created == 0


def test_accounts_named_only_by_name_are_found_again(session, write_file, do_import):
    path = write_file("Дата;Клиент;Сумма;Документ\n31.10.2026;ООО Ромашка;10;D1\n")
    do_import(path)
    do_import(write_file("Дата;Клиент;Сумма;Документ\n01.11.2026;ООО Ромашка;10;D2\n"))
    assert session.scalar(select(func.count()).select_from(Account)) == 1
    assert session.scalar(select(func.count()).select_from(OrderLine)) == 2


def test_an_unknown_account_code_without_a_name_is_reported(session, accounts, write_file,
                                                           do_import):
    result = do_import(write_file("document;date;account code;revenue\nD1;2026-10-31;C9;10\n"))
    assert result.created == 0
    assert result.errors == [{"line": 2, "column": "account code", "value": "C9",
                              "reason": "unknown account and no account name to create it"}]


def test_an_unknown_product_without_a_name_is_reported(session, accounts, write_file, do_import):
    result = do_import(write_file(HEADER + "D1;1;2026-10-31;C1;P9;1;10;\n"))
    assert result.errors == [{"line": 2, "column": "sku", "value": "P9",
                              "reason": "unknown product and no product name to create it"}]


@pytest.mark.parametrize(("row", "column", "value", "reason"), [
    ("D1;1;2026-10-31;C1;P1;1;abc;", "revenue", "abc", "not a number"),
    ("D1;1;31.02.2026;C1;P1;1;10;", "date", "31.02.2026", "no such day"),
    ("D1;1;someday;C1;P1;1;10;", "date", "someday",
     "not a date (use 2026-10-31, 20261031, 31.10.2026 or 31/10/2026)"),
    ("D1;1;;C1;P1;1;10;", "date", "", "missing value"),
    ("D1;1;2026-10-31;C1;P1;1;;", "revenue", "", "missing value"),
    ("D1;1;2026-10-31;C1;P1;1;-10;", "revenue", "-10", "negative value not allowed"),
    ("D1;1;2026-10-31;C1;P1;-1;10;", "quantity", "-1", "negative value not allowed"),
    ("D1;1;2026-10-31;C1;P1;1;10;x", "margin", "x", "not a number"),
    ("D1;x;2026-10-31;C1;P1;1;10;", "line", "x", "not a number"),
    ("D1;-1;2026-10-31;C1;P1;1;10;", "line", "-1", "negative line number"),
    ("D1;1;2026-10-31;;P1;1;10;", "account", "", "missing value"),
    ("D1;1;2026-10-31;C1;P1;1;1e300;", "revenue", "1e300", "not a finite number"),
    ("D" * 101 + ";1;2026-10-31;C1;P1;1;10;", "document", "D" * 101,
     "longer than 100 characters"),
])
def test_each_bad_value_is_reported_with_line_column_value_and_reason(
        session, accounts, write_file, do_import, row, column, value, reason):
    result = do_import(write_file(HEADER + "D0;1;2026-10-31;C1;P1;1;10;\n" + row + "\n"))
    assert result.created == 1
    assert [{key: e[key] for key in ("line", "column", "value", "reason")}
            for e in result.errors] == [{"line": 3, "column": column, "value": value,
                                         "reason": reason}]


def test_a_key_twice_in_one_file_is_reported_once_the_first_kept(
        session, accounts, write_file, do_import):
    result = do_import(write_file(HEADER + "D1;1;2026-10-31;C1;P1;1;10;\n"
                                           "D1;1;2026-10-31;C1;P1;1;99;\n"))
    assert result.created == 1
    assert result.errors[0]["line"] == 3
    assert result.errors[0]["reason"] == "duplicate key (document, date, line) in the file"
    assert order_lines(session)[0][7] == 10.0


def test_a_duplicate_key_in_a_later_batch_is_reported(
        session, accounts, write_file, do_import, monkeypatch):
    monkeypatch.setattr(orders, "BATCH", 2)
    rows = [f"D{i};1;2026-10-31;C1;P1;1;{i};" for i in range(5)] + ["D1;1;2026-10-31;C2;P1;1;7;"]
    result = do_import(write_file(HEADER + "\n".join(rows) + "\n"))
    assert result.created == 5
    assert [(e["line"], e["value"]) for e in result.errors] == [(7, "D1")]


def test_error_lines_count_physical_lines_of_multi_line_fields(
        session, accounts, write_file, do_import):
    text = ("document;date;account;revenue;note\n"
            'D1;2026-10-31;C1;1;"a\nlong\nnote"\nD2;2026-10-31;C1;bad;x\n')
    result = do_import(write_file(text))
    assert result.errors[0]["line"] == 5


def test_strict_imports_nothing_when_a_row_is_bad(session, write_file, do_import):
    result = do_import(write_file("Документ;Дата;ИНН;Контрагент;Сумма\n"
                                  "D1;31.10.2026;7701;Ромашка;10\nD2;31.10.2026;7701;Ромашка;x\n"),
                       strict=True)
    assert (result.created, result.error_count) == (0, 1)
    assert session.scalar(select(func.count()).select_from(OrderLine)) == 0
    assert session.scalar(select(func.count()).select_from(Account)) == 0


def test_strict_imports_a_clean_file(session, accounts, write_file, do_import):
    result = do_import(write_file(HEADER + "D1;1;2026-10-31;C1;P1;1;10;\n"), strict=True)
    assert (result.created, result.error_count) == (1, 0)


def test_a_file_with_a_header_but_no_rows_is_refused(session, write_file, do_import):
    with pytest.raises(ImportFileError, match="the file has a header but no rows"):
        do_import(write_file(HEADER))


def test_lines_in_the_workspace_currency_are_stored_as_they_are(session, accounts, write_file,
                                                               do_import):
    do_import(write_file("document;date;account;revenue;currency\nD1;2026-10-31;C1;1;eur\n"
                         "D2;2026-10-31;C1;2;\n"))
    assert [r[7:10] for r in order_lines(session)] == [(1.0, None, "EUR"), (2.0, None, "EUR")]
    assert session.scalars(select(OrderLine.original_currency)).all() == [None, None]


def test_a_windows_1251_export_with_decimal_commas_is_imported(session, write_file, do_import):
    text = ("Документ;Дата;Контрагент;Номенклатура;Количество;Сумма;Маржа\n"
            "Реализация 1;31.10.2026 0:00:00;ООО Ромашка;Гвозди;1 000;12 345,67 руб.;1 000,5\n")
    result = do_import(write_file(text, encoding="cp1251"))
    assert result.created == 1, result.errors
    line = order_lines(session)[0]
    assert (line[0], line[1], line[4], line[6], line[7], line[8]) == (
        "Реализация 1", date(2026, 10, 31), "ООО Ромашка", 1000.0, 12345.67, 1000.5)


def test_an_xlsx_export_is_imported(session, accounts, tmp_path, do_import):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Продажи"
    sheet.append(["Документ", "Дата", "ИНН", "Артикул", "Сумма"])
    sheet.append(["D1", date(2026, 10, 31), "C1", "P1", 12.5])
    sheet.append(["D2", "01.11.2026", "C2", "P2", "7,25"])
    path = tmp_path / "sales.xlsx"
    workbook.save(path)
    result = do_import(path, sheet="Продажи")
    assert result.created == 2, result.errors
    assert [(r[0], r[1], r[3], r[7]) for r in order_lines(session)] == [
        ("D1", date(2026, 10, 31), "C1", 12.5), ("D2", date(2026, 11, 1), "C2", 7.25)]


def test_seen_keys_remember_every_batch_across_capped_merges(monkeypatch):
    from abm.imports import keys

    monkeypatch.setattr(keys, "MAX_MERGED", 8)
    seen = keys.SeenKeys()
    for start in range(0, 60, 3):
        batch = list(range(start, start + 3))
        assert not seen.seen_before(batch).any()
        seen.add(batch)
    assert len(seen) == 60
    assert seen.seen_before([0, 31, 59, 60, -1]).tolist() == [True, True, True, False, False]
