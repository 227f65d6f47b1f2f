"""Headers: English and Russian aliases, explicit mappings, missing columns."""

import pytest

from abm.imports.columns import detect_mapping, parse_map_options
from abm.imports.results import ImportFileError


def test_russian_headers_of_an_accounting_export_are_recognised():
    headers = ["Документ", "Дата", "ИНН", "Контрагент", "Артикул", "Номенклатура",
               "Количество", "Сумма", "Маржа"]
    assert detect_mapping("orders", headers) == {
        "document": 0, "date": 1, "account": 2, "account_name": 3, "sku": 4,
        "product_name": 5, "quantity": 6, "revenue": 7, "margin": 8,
    }


@pytest.mark.parametrize(("header", "field"), [
    ("Клиент", "account_name"), ("Покупатель", "account_name"), ("Выручка", "revenue"),
    ("Кол-во", "quantity"), ("Номер строки", "line_no"), ("Дата отгрузки", "date"),
    ("Customer", "account_name"), ("Customer ID", "account"), ("Qty", "quantity"),
    ("Gross profit", "margin"), ("Order No.", "document"), ("Item code", "sku"),
    ("  AMOUNT ", "revenue"), ("Line_No", "line_no"), ("Валюта", "currency"),
])
def test_each_alias_names_its_field(header, field):
    others = {"date": "Дата", "revenue": "Сумма", "account_name": "Клиент"}
    others.pop(field, None)
    mapping = detect_mapping("orders", [header, *others.values()])
    assert mapping[field] == 0


def test_an_explicit_mapping_wins_over_the_aliases():
    headers = ["Дата", "Сумма", "Сумма с НДС", "Клиент"]
    mapping = detect_mapping("orders", headers, {"revenue": "Сумма с НДС"})
    assert mapping["revenue"] == 2


def test_an_explicit_mapping_can_name_any_header():
    mapping = detect_mapping("orders", ["When", "Money", "Who"],
                             {"date": "When", "revenue": "money", "account_name": "Who"})
    assert mapping == {"date": 0, "revenue": 1, "account_name": 2}


def test_a_missing_required_column_names_it_and_the_headers():
    with pytest.raises(ImportFileError, match=r"missing required column: revenue \(the file "
                                              r"has: Дата, Клиент\)"):
        detect_mapping("orders", ["Дата", "Клиент"])


def test_an_order_file_needs_an_account_code_or_name():
    with pytest.raises(ImportFileError, match="missing required column: account or "
                                              "account_name"):
        detect_mapping("orders", ["Дата", "Сумма"])


def test_mapping_an_unknown_field_is_refused():
    with pytest.raises(ImportFileError, match="orders have no field 'price'"):
        detect_mapping("orders", ["Дата", "Сумма", "Клиент"], {"price": "Сумма"})


def test_mapping_to_a_header_the_file_lacks_is_refused():
    with pytest.raises(ImportFileError, match="the file has no column 'Итого'"):
        detect_mapping("orders", ["Дата", "Сумма", "Клиент"], {"revenue": "Итого"})


def test_map_options_are_field_equals_header():
    assert parse_map_options(["revenue=Сумма", " date = Дата "]) == {
        "revenue": "Сумма", "date": "Дата"}
    with pytest.raises(ImportFileError, match="write FIELD=HEADER"):
        parse_map_options(["revenue"])
